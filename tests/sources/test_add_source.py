"""/editor/sources/new/: find the feed behind an address, preview it, save it.

Against the real local feed server, with loopback allowed the way an operator would
allow an intranet host.
"""

import pytest
from django.test import override_settings

from budbringer.sources.adding import SourceError, add_source, discover_feed, http_url
from budbringer.sources.models import Source, SourceList
from tests.sources.feedserver import Reply

PAGE = "/editor/sources/new/"
RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"


def rss(items: int = 12, title: str = "Skagerak Shipping news") -> bytes:
    entries = "".join(
        f"""<item>
          <title>Harbour report {n}</title>
          <link>https://skagerak.example/news/{n}</link>
          <guid>https://skagerak.example/news/{n}</guid>
          <pubDate>Mon, {n:02d} Nov 2026 08:00:00 +0100</pubDate>
          <description><![CDATA[<p>Ships and <b>cranes</b> in the harbour, week {n}.</p>
            <script>alert("feed")</script><img src="https://skagerak.example/{n}.jpg"
            onerror="alert('img')">]]></description>
        </item>"""
        for n in range(1, items + 1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
    <rss version="2.0"><channel>
      <title>{title}</title>
      <link>https://skagerak.example/</link>
      <description>News from the harbour</description>
      <language>en-GB</language>
      {entries}
    </channel></rss>""".encode()


def page_advertising(href: str) -> bytes:
    return f"""<!doctype html><html><head><title>Skagerak Shipping</title>
    <link rel="stylesheet" href="/style.css">
    <link rel="alternate" type="application/rss+xml" title="News" href="{href}">
    </head><body><h1>Welcome aboard</h1></body></html>""".encode()


@pytest.fixture(autouse=True)
def _loopback_allowed():
    with override_settings(FETCH_ALLOW=["127.0.0.1"]):
        yield


@pytest.fixture
def feed_url(feed_server):
    return feed_server.route("/news/feed.xml", body=rss(), headers={"Content-Type": RSS})


def preview(client, url):
    return client.post(PAGE, {"url": url, "preview": "1"})


def save(client, url, feed_url, **fields):
    data = {
        "url": url,
        "feed_url": feed_url,
        "title": "Skagerak",
        "kind": "article",
        "language": "en",
        "save": "1",
        **fields,
    }
    return client.post(PAGE, data)


def test_the_first_step_asks_for_an_address(cast, login):
    response = login(cast.erik).get(PAGE)
    assert response.status_code == 200
    assert b'name="url"' in response.content
    assert b'name="save"' not in response.content


def test_a_feed_address_is_previewed(cast, login, feed_url):
    response = preview(login(cast.erik), feed_url)
    assert response.status_code == 200
    body = response.content.decode()
    discovered = response.context["discovered"]
    assert discovered.feed_url == feed_url
    assert "Skagerak Shipping news" in body
    assert "The feed holds 12 items; the first 10:" in body
    titles = [item.title for item in response.context["items"]]
    assert len(titles) == 10
    assert "Harbour report 1" in body
    assert "Harbour report 10" in body
    assert "https://skagerak.example/news/1" in body
    # The form to save, filled from the feed.
    form = response.context["form"]
    assert form.initial["title"] == "Skagerak Shipping news"
    assert form.initial["feed_url"] == feed_url
    assert form.initial["language"] == "en"
    assert form.initial["kind"] == "article"
    assert 'name="save"' in body
    assert f'value="{cast.company_list.pk}"' in body  # lists to choose from
    assert Source.objects.filter(feed_url=feed_url).count() == 0  # nothing saved yet


def test_the_preview_shows_the_first_item_sanitised_under_a_strict_policy(cast, login, feed_url):
    response = preview(login(cast.erik), feed_url)
    body = response.content.decode()
    assert 'class="item-content preview-content"' in body
    assert "<b>cranes</b>" in body
    assert "<script" not in body
    assert 'alert("feed")' not in body
    assert "onerror" not in body
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src" not in policy  # no inline script
    assert "img-src 'self' https:" in policy  # the feed's images


def test_a_site_address_finds_the_feed_the_page_advertises(cast, login, feed_server, feed_url):
    site = feed_server.route(
        "/", body=page_advertising("/news/feed.xml"), headers={"Content-Type": HTML}
    )
    response = preview(login(cast.erik), site)
    assert response.status_code == 200
    assert response.context["discovered"].feed_url == feed_url
    assert response.context["form"].initial["feed_url"] == feed_url
    assert b"Harbour report 3" in response.content


def test_a_page_without_feeds_is_a_plain_error_and_the_address_stays(cast, login, feed_server):
    page = feed_server.route(
        "/about", body=b"<!doctype html><html><body>Just a page</body></html>",
        headers={"Content-Type": HTML},
    )  # fmt: skip
    response = preview(login(cast.erik), page)
    assert response.status_code == 200
    errors = response.context["find"].errors["url"]
    assert errors == [
        f"{page} is not a feed, and the page does not advertise one. Look on the site for an "
        "RSS or Atom link and paste that address here."
    ]
    assert f'value="{page}"' in response.content.decode()
    assert response.context["discovered"] is None


def test_a_missing_page_is_a_plain_error(cast, login, feed_server):
    missing = feed_server.url("/no/such/feed.xml")
    response = preview(login(cast.erik), missing)
    assert response.status_code == 200
    [error] = response.context["find"].errors["url"]
    assert error == (
        f"Budbringer could not fetch {missing}: The feed server answered 404 Not Found."
    )
    assert "404 Not Found" in response.content.decode()


def test_an_advertised_feed_that_is_missing_is_a_plain_error(cast, login, feed_server):
    site = feed_server.route(
        "/", body=page_advertising("/gone.xml"), headers={"Content-Type": HTML}
    )
    response = preview(login(cast.erik), site)
    [error] = response.context["find"].errors["url"]
    assert error.startswith(f"The page advertises a feed at {feed_server.url('/gone.xml')}")
    assert "404 Not Found" in error


def test_a_broken_feed_is_a_plain_error(cast, login, feed_server):
    broken = feed_server.route(
        "/broken.xml", body=b"<?xml version='1.0'?><rss><channel><title>Half",
        headers={"Content-Type": RSS},
    )  # fmt: skip
    response = preview(login(cast.erik), broken)
    [error] = response.context["find"].errors["url"]
    assert error.startswith(f"{broken} looks like a feed, but it cannot be read:")


def test_a_private_address_is_refused_unless_allowed(cast, login, feed_url, feed_server):
    with override_settings(FETCH_ALLOW=[]):
        response = preview(login(cast.erik), feed_url)
    [error] = response.context["find"].errors["url"]
    assert error.startswith(f"Budbringer could not fetch {feed_url}:")
    assert feed_server.requests == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/feed", "file:///etc/passwd"]
)
def test_only_web_addresses_are_fetched(cast, login, feed_server, url):
    response = preview(login(cast.erik), url)
    assert response.status_code == 200
    assert response.context["find"].errors["url"]
    assert feed_server.requests == []


def test_saving_creates_the_source_in_the_chosen_lists(cast, login, feed_url):
    customers = SourceList.objects.create(organisation=cast.nordlys, name="Customers")
    response = save(
        login(cast.erik),
        feed_url,
        feed_url,
        title="Skagerak Shipping",
        lists=[cast.company_list.pk, customers.pk],
        kind="video",
        language="nb",
    )
    source = Source.objects.get(feed_url=feed_url)
    assert response.status_code == 302
    assert response["Location"] == f"/editor/sources/{source.pk}/"
    assert source.organisation == cast.nordlys
    assert source.title == "Skagerak Shipping"
    assert source.site_url == "https://skagerak.example/"
    assert set(source.lists.all()) == {cast.company_list, customers}
    assert (source.kind, source.language, source.auto_approve) == ("video", "nb", False)
    assert source.is_active
    assert source.last_fetched_at is None  # the worker fetches it, due at once
    assert source.next_fetch_at <= source.created_at


def test_saving_from_a_site_address_stores_the_feed_address(cast, login, feed_server, feed_url):
    site = feed_server.route(
        "/", body=page_advertising("/news/feed.xml"), headers={"Content-Type": HTML}
    )
    response = save(login(cast.erik), site, feed_url, auto_approve="on")
    assert response.status_code == 302
    source = Source.objects.get(organisation=cast.nordlys, title="Skagerak")
    assert source.feed_url == feed_url
    assert source.auto_approve


def test_a_feed_the_organisation_has_is_refused(cast, login, feed_url):
    existing = Source.objects.create(
        organisation=cast.nordlys, title="Skagerak (old)", feed_url=feed_url
    )
    client = login(cast.erik)
    response = preview(client, feed_url)
    body = response.content.decode()
    assert "This feed is already a source: “Skagerak (old)”." in body
    assert f'href="/editor/sources/{existing.pk}/"' in body
    assert 'name="save"' not in body
    response = save(client, feed_url, feed_url)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This feed is already a source: “Skagerak (old)”."
    ]
    assert Source.objects.filter(feed_url=feed_url).count() == 1


def test_a_feed_another_organisation_has_is_no_duplicate(cast, login, feed_url):
    Source.objects.create(organisation=cast.havn, title="Havn's copy", feed_url=feed_url)
    response = preview(login(cast.erik), feed_url)
    assert response.context["duplicate"] is None
    assert b"Havn" not in response.content
    assert save(login(cast.erik), feed_url, feed_url).status_code == 302
    assert Source.objects.filter(feed_url=feed_url).count() == 2


def test_a_list_of_another_organisation_is_refused(cast, login, feed_url):
    response = save(login(cast.erik), feed_url, feed_url, lists=[cast.havn_list.pk])
    assert response.status_code == 200
    assert "lists" in response.context["form"].errors
    assert not Source.objects.filter(feed_url=feed_url).exists()


def test_a_missing_title_is_a_form_error_and_the_input_stays(cast, login, feed_url):
    response = save(login(cast.erik), feed_url, feed_url, title="", language="sv")
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert response.context["form"]["language"].value() == "sv"
    assert b"Harbour report 1" in response.content  # the preview is still there
    assert not Source.objects.filter(feed_url=feed_url).exists()


def test_a_title_of_more_than_one_line_is_refused(cast, login, feed_url):
    response = save(login(cast.erik), feed_url, feed_url, title="Skagerak\r\nBcc: x@example.com")
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "Use one line of ordinary characters: no line breaks, tabs or control characters."
    ]
    assert not Source.objects.filter(feed_url=feed_url).exists()


def test_an_address_with_control_characters_is_no_web_address(cast, feed_url):
    assert http_url(feed_url + "\x01") == ""
    with pytest.raises(SourceError):
        add_source(cast.nordlys, feed_url + "\x01", "Skagerak")


def test_a_hidden_address_that_is_no_web_address_is_refused(cast, login, feed_url, feed_server):
    response = save(login(cast.erik), feed_url, "javascript:alert(1)")
    assert response.status_code == 200
    assert response.context["find"].errors["url"]
    assert Source.objects.count() == 2


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
def test_only_editors_may_add_and_nothing_is_fetched_for_others(
    cast, login, feed_url, feed_server, who
):
    client = login(getattr(cast, who))
    assert client.get(PAGE).status_code == 403
    assert preview(client, feed_url).status_code == 403
    assert save(client, feed_url, feed_url).status_code == 403
    assert feed_server.requests == []
    assert Source.objects.count() == 2


def test_discover_feed_tries_the_next_advertised_feed(feed_server):
    body = b"""<html><head>
      <link rel="alternate" type="application/rss+xml" href="/missing.xml">
      <link rel="alternate" type="application/atom+xml" href="/news/feed.xml">
    </head></html>"""
    site = feed_server.route("/", body=body, headers={"Content-Type": HTML})
    feed = feed_server.route("/news/feed.xml", Reply(body=rss(3), headers={"Content-Type": RSS}))
    found = discover_feed(site)
    assert found.feed_url == feed
    assert [item.title for item in found.prepared.items] == [
        "Harbour report 1", "Harbour report 2", "Harbour report 3",
    ]  # fmt: skip


def test_add_source_refuses_a_duplicate_with_a_clear_message(cast):
    with pytest.raises(SourceError) as caught:
        add_source(cast.nordlys, cast.blog.feed_url, "Again")
    assert caught.value.message == "This feed is already a source: “Nordlys blog”."
    source = add_source(cast.havn, cast.blog.feed_url, "Havn reads Nordlys")
    assert source.organisation == cast.havn


def test_add_source_refuses_lists_of_another_organisation(cast):
    with pytest.raises(ValueError, match="another organisation"):
        add_source(cast.nordlys, "https://new.example/feed", "New", lists=[cast.havn_list])
    assert not Source.objects.filter(feed_url="https://new.example/feed").exists()
