"""OPML in and out: a round trip, a feed reader's export, hostile files, idempotence."""

import time
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budbringer.sources.models import ListKind, Source, SourceList
from budbringer.sources.opml import MAX_BYTES, OpmlError, export_opml, import_opml
from tests.xml_attacks import billion_laughs

IMPORT_PAGE = "/editor/sources/opml/"
EXPORT_PAGE = "/editor/sources/opml/export"


def state(organisation) -> dict:
    """What an organisation's sources and lists are, in terms that survive a round trip."""
    sources = {
        source.feed_url: (
            source.title,
            source.site_url,
            source.kind,
            source.language,
            source.auto_approve,
            frozenset(source_list.name for source_list in source.lists.all()),
        )
        for source in Source.objects.filter(organisation=organisation).prefetch_related("lists")
    }
    lists = {
        (source_list.name, source_list.kind)
        for source_list in SourceList.objects.filter(organisation=organisation)
    }
    return {"sources": sources, "lists": lists}


@pytest.fixture
def nordlys(cast):
    """Sources in one list, in two lists, in none; a list with no sources."""
    customers = SourceList.objects.create(
        organisation=cast.nordlys, name="Customers", kind=ListKind.CUSTOMERS
    )
    SourceList.objects.create(organisation=cast.nordlys, name="Industry news", kind="industry")
    cast.blog.site_url = "https://blog.example.com/"
    cast.blog.language = "en"
    cast.blog.save()
    skagerak = Source.objects.create(
        organisation=cast.nordlys,
        title="Skagerak & Søn <Shipping>",
        feed_url="https://skagerak.example/feed?format=rss&lang=en",
        site_url="https://skagerak.example/",
        kind="video",
        language="nb",
        auto_approve=False,
    )
    skagerak.lists.set([customers, cast.company_list])
    Source.objects.create(
        organisation=cast.nordlys,
        title="Podcast without a list",
        feed_url="https://podcast.example/rss",
        kind="podcast",
    )
    return cast.nordlys


def test_export_then_import_elsewhere_gives_the_same_lists_and_sources(cast, nordlys):
    data = export_opml(nordlys)
    Source.objects.filter(organisation=cast.havn).delete()
    SourceList.objects.filter(organisation=cast.havn).delete()
    report = import_opml(cast.havn, data)
    assert state(cast.havn) == state(nordlys)
    assert sorted(report.created_lists) == ["Company blog", "Customers", "Industry news"]
    assert len(report.created_sources) == 3
    assert report.already_there == []
    assert report.refused == []


def test_the_export_is_opml_2_with_one_outline_per_list(cast, nordlys):
    root = ET.fromstring(export_opml(nordlys))  # our own output  # noqa: S314
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.find("head/title").text == "Nordlys Systems: sources"
    folders = {outline.get("text"): outline for outline in root.find("body")}
    assert list(folders) == ["Company blog", "Customers", "Industry news", "Unlisted"]
    blog = folders["Company blog"].findall("outline")
    assert [(o.get("type"), o.get("text"), o.get("title")) for o in blog] == [
        ("rss", "Nordlys blog", "Nordlys blog"),
        ("rss", "Skagerak & Søn <Shipping>", "Skagerak & Søn <Shipping>"),
    ]
    assert blog[0].get("xmlUrl") == "https://blog.example.com/feed.xml"
    assert blog[0].get("htmlUrl") == "https://blog.example.com/"
    assert blog[1].get("xmlUrl") == "https://skagerak.example/feed?format=rss&lang=en"
    assert [o.get("text") for o in folders["Unlisted"]] == ["Podcast without a list"]
    assert list(folders["Industry news"]) == []


def test_the_export_of_some_lists_holds_only_those(cast, nordlys):
    customers = SourceList.objects.get(name="Customers")
    root = ET.fromstring(export_opml(nordlys, [customers]))  # noqa: S314
    assert [outline.get("text") for outline in root.find("body")] == ["Customers"]


def test_the_export_is_a_download_of_own_sources_only(cast, login, nordlys):
    response = login(cast.erik).get(EXPORT_PAGE)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-opml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="budbringer-sources.opml"'
    assert b"https://skagerak.example/feed?format=rss&amp;lang=en" in response.content
    assert b"havn" not in response.content.lower()


def test_the_export_of_one_list_by_its_id_ignores_lists_of_others(cast, login, nordlys):
    response = login(cast.erik).get(
        EXPORT_PAGE, {"list": [cast.company_list.pk, cast.havn_list.pk, "x"]}
    )
    root = ET.fromstring(response.content)  # noqa: S314
    assert [outline.get("text") for outline in root.find("body")] == ["Company blog"]


READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Exported by a feed reader -->
<opml version="1.0">
  <head>
    <title>Erik's subscriptions</title>
    <dateCreated>Mon, 23 Nov 2026 10:00:00 GMT</dateCreated>
  </head>
  <body>
    <outline text="Tech" title="Tech">
      <outline text="Cloud" title="Cloud">
        <outline type="rss" text="Nordic Cloud Weekly" title="Nordic Cloud Weekly"
                 xmlUrl="https://nordic-cloud-weekly.example/feed" htmlUrl="https://nordic-cloud-weekly.example/"/>
        <outline type="rss" text="" title="Data &amp; Drift" xmlUrl="https://data-drift.example/rss?a=1&amp;b=2"
                 language="sv-SE"/>
      </outline>
      <outline type="rss" text="Industri &amp; Data" xmlurl="https://industri-data.example/rss"/>
    </outline>
    <outline text="News">
      <outline type="rss" text="Logistiek Vandaag" xmlUrl="https://logistiekvandaag.example/feed"
               language="nl"/>
      <outline type="rss" text="Nordic Cloud Weekly" xmlUrl="https://nordic-cloud-weekly.example/feed"/>
      <outline text="A note, not a feed"/>
    </outline>
    <outline text="Empty folder"/>
    <outline type="rss" text="Top-level feed" xmlUrl="https://top.example/atom.xml"/>
    <outline type="rss" xmlUrl="https://untitled.example/feed"/>
    <outline type="include" text="More" url="https://example.com/more.opml"/>
  </body>
</opml>
"""


def test_a_feed_readers_export_with_nested_folders(cast):
    report = import_opml(cast.nordlys, READER_EXPORT)
    assert sorted(report.created_lists) == ["News", "Tech"]
    assert len(report.created_sources) == 6
    assert report.refused == [
        (
            "https://example.com/more.opml",
            "A link to another OPML file; import that file by itself.",
        )
    ]
    tech = SourceList.objects.get(organisation=cast.nordlys, name="Tech")
    assert tech.kind == ListKind.CUSTOM
    found = state(cast.nordlys)["sources"]
    assert found["https://nordic-cloud-weekly.example/feed"] == (
        "Nordic Cloud Weekly", "https://nordic-cloud-weekly.example/", "article", "", True,
        frozenset({"Tech", "News"}),
    )  # fmt: skip
    assert found["https://data-drift.example/rss?a=1&b=2"][:4] == (
        "Data & Drift",
        "",
        "article",
        "sv",
    )
    assert found["https://data-drift.example/rss?a=1&b=2"][5] == {"Tech"}  # the top-level folder
    assert found["https://industri-data.example/rss"][5] == {"Tech"}
    assert found["https://logistiekvandaag.example/feed"][3] == "nl"
    assert found["https://top.example/atom.xml"][5] == frozenset()
    assert found["https://untitled.example/feed"][0] == "untitled.example"
    assert not SourceList.objects.filter(name="Empty folder").exists()
    # Nothing fetched: every new source waits for the worker, due at once.
    new = Source.objects.filter(feed_url="https://top.example/atom.xml").get()
    assert new.last_fetched_at is None
    assert new.next_fetch_at <= new.created_at


def test_importing_twice_creates_nothing_new(cast):
    import_opml(cast.nordlys, READER_EXPORT)
    before = state(cast.nordlys)
    counts = (Source.objects.count(), SourceList.objects.count())
    report = import_opml(cast.nordlys, READER_EXPORT)
    assert report.created_lists == []
    assert report.created_sources == []
    assert len(report.already_there) == 6
    assert state(cast.nordlys) == before
    assert (Source.objects.count(), SourceList.objects.count()) == counts


def test_a_round_trip_into_the_same_organisation_changes_nothing(cast, nordlys):
    before = state(nordlys)
    report = import_opml(nordlys, export_opml(nordlys))
    assert (report.created_lists, report.created_sources) == ([], [])
    assert state(nordlys) == before


def test_sources_already_there_join_the_files_lists(cast):
    cast.blog.lists.clear()
    data = b"""<opml version="2.0"><body><outline text="company BLOG">
      <outline type="rss" text="Our blog" xmlUrl="https://blog.example.com/feed.xml"/>
    </outline></body></opml>"""
    report = import_opml(cast.nordlys, data)
    assert report.created_lists == []  # names match without regard to case
    assert report.already_there == ["Nordlys blog"]
    assert list(cast.blog.lists.all()) == [cast.company_list]
    cast.blog.refresh_from_db()
    assert cast.blog.title == "Nordlys blog"  # not renamed by the file


def test_another_organisations_feed_is_not_touched(cast):
    data = b"""<opml version="2.0"><body>
      <outline type="rss" text="Havn, imported" xmlUrl="https://havn.example.com/rss"/>
    </body></opml>"""
    report = import_opml(cast.nordlys, data)
    assert report.created_sources == ["Havn, imported"]
    cast.havn_source.refresh_from_db()
    assert cast.havn_source.title == "Havn news"
    assert Source.objects.filter(feed_url="https://havn.example.com/rss").count() == 2


HOSTILE_URLS = b"""<?xml version="1.0"?>
<opml version="2.0"><body><outline text="Bad">
  <outline type="rss" text="Script" xmlUrl="javascript:alert(document.cookie)"/>
  <outline type="rss" text="File" xmlUrl="file:///etc/passwd"/>
  <outline type="rss" text="Data" xmlUrl="data:text/xml,&lt;rss/&gt;"/>
  <outline type="rss" text="FTP" xmlUrl="ftp://example.com/feed.xml"/>
  <outline type="rss" text="No host" xmlUrl="https:///feed"/>
  <outline type="rss" text="Relative" xmlUrl="/feed.xml"/>
  <outline type="rss" text="Empty" xmlUrl=""/>
  <outline type="rss" text="Fine" xmlUrl="https://fine.example/feed"/>
</outline></body></opml>"""


def test_addresses_that_are_not_http_are_reported_not_imported(cast):
    report = import_opml(cast.nordlys, HOSTILE_URLS)
    assert report.created_sources == ["Fine"]
    refused = dict(report.refused)
    assert list(refused) == [
        "javascript:alert(document.cookie)", "file:///etc/passwd", "data:text/xml,<rss/>",
        "ftp://example.com/feed.xml", "https:///feed", "/feed.xml", "",
    ]  # fmt: skip
    assert refused["javascript:alert(document.cookie)"] == (
        "Only http and https addresses are imported."
    )
    assert refused["file:///etc/passwd"] == "Only http and https addresses are imported."
    assert refused[""] == "The outline has no feed address."
    assert refused["https:///feed"] == "This is not a valid web address."
    assert not Source.objects.filter(title__in=["Script", "File", "Data", "FTP"]).exists()


BILLION_LAUGHS = billion_laughs(
    "opml",
    """<opml version="2.0"><body>
  <outline text="&lol9;" type="rss" xmlUrl="https://laughs.example/feed"/>
</body></opml>""",
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" type="rss" xmlUrl="https://x.example/feed"/></body></opml>"""


@pytest.fixture
def counts(cast):
    return lambda: (Source.objects.count(), SourceList.objects.count())


def test_billion_laughs_is_refused_quickly(cast, counts):
    before = counts()
    started = time.monotonic()
    with pytest.raises(OpmlError) as caught:
        import_opml(cast.nordlys, BILLION_LAUGHS)
    assert time.monotonic() - started < 1
    assert caught.value.message.startswith(
        "The file declares XML entities, which Budbringer refuses"
    )
    assert counts() == before


def test_external_entities_are_refused(cast, counts):
    before = counts()
    with pytest.raises(OpmlError, match="XML entities"):
        import_opml(cast.nordlys, EXTERNAL_ENTITY)
    assert counts() == before


def test_a_file_over_the_limit_is_refused(cast, counts):
    before = counts()
    padding = b"<!--" + b"x" * MAX_BYTES + b"-->"
    data = b'<?xml version="1.0"?>' + padding + b"<opml><body/></opml>"
    with pytest.raises(OpmlError) as caught:
        import_opml(cast.nordlys, data)
    assert caught.value.message == (
        "The file is larger than 2 MB, which no list of feeds needs to be."
    )
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (
            b"<opml><body>",
            "This is not an OPML file: it is not well-formed XML (line 1, column 12).",
        ),
        (b"<html><body><p>Hello</p></body></html>", "This is not an OPML file: it has no <opml>"),
        (b"<opml version='2.0'><head/></opml>", "This is not an OPML file: it has no <opml>"),
        (b"\x89PNG\r\n\x1a\n", "This is not an OPML file: it is not well-formed XML"),
    ],
    ids=["empty", "truncated", "html", "no-body", "binary"],
)
def test_what_is_not_opml_is_refused_in_plain_words(cast, data, message):
    with pytest.raises(OpmlError) as caught:
        import_opml(cast.nordlys, data)
    assert caught.value.message.startswith(message)


def test_deep_nesting_does_not_crash(cast):
    depth = 5000
    data = (
        b"<opml><body>" + b'<outline text="Deep">' * depth
        + b'<outline type="rss" text="Bottom" xmlUrl="https://deep.example/feed"/>'
        + b"</outline>" * depth + b"</body></opml>"
    )  # fmt: skip
    report = import_opml(cast.nordlys, data)
    assert report.created_lists == ["Deep"]
    assert report.created_sources == ["Bottom"]


def upload(data: bytes, name: str = "subscriptions.opml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/x-opml")


def test_the_import_page_shows_a_report(cast, login):
    response = login(cast.erik).post(IMPORT_PAGE, {"file": upload(HOSTILE_URLS)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 new source" in body
    assert "1 new list" in body
    assert "7 entries not imported" in body
    assert "javascript:alert(document.cookie)" in body
    assert "Only http and https addresses are imported." in body
    assert Source.objects.filter(organisation=cast.nordlys, title="Fine").exists()


def test_the_import_page_refuses_a_hostile_file_with_a_form_error(cast, login, counts):
    before = counts()
    client = login(cast.erik)
    response = client.post(IMPORT_PAGE, {"file": upload(BILLION_LAUGHS)})
    assert response.status_code == 200
    assert "XML entities" in response.context["form"].errors["file"][0]
    response = client.post(IMPORT_PAGE, {"file": upload(b" " * (MAX_BYTES + 1))})
    assert response.context["form"].errors["file"] == [
        "The file is larger than 2 MB, which no list of feeds needs to be."
    ]
    assert counts() == before


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
def test_only_editors_import_and_export(cast, login, who):
    client = login(getattr(cast, who))
    assert client.get(IMPORT_PAGE).status_code == 403
    assert client.post(IMPORT_PAGE, {"file": upload(READER_EXPORT)}).status_code == 403
    assert client.get(EXPORT_PAGE).status_code == 403
    assert not Source.objects.filter(title="Top-level feed").exists()
