"""Names are one line of ordinary characters: a control character in any name that reaches
XML (the OPML export), a mail header (a digest's subject) or a file is refused with a
clear message wherever the name is typed, nothing saved; a stored one is left out where
the name is written."""

import defusedxml.ElementTree
import pytest
from django.core.management import CommandError, call_command

from budbringer.accounts.models import Department, Organisation, Person
from budbringer.api.models import ApiToken
from budbringer.content.models import Item, Topic
from budbringer.leads.models import Lead
from budbringer.lib.names import one_line, validate_one_line
from budbringer.sources.models import Source, SourceList
from budbringer.sources.opml import export_opml, import_opml
from tests.test_admin import url

MESSAGE = "Use one line of ordinary characters: no line breaks, tabs or control characters."
NUL = "Null characters are not allowed."  # Django's own message, which comes first for NUL
HOSTILE = ["Sales\r\nBcc: all@example.com", "Tab\there", "Nul\x00", "Bell\x07", "Del\x7f",
           "C1\x85", "Line\u2028separator", "Not\ufffea character"]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_the_validator_refuses_control_characters(name):
    with pytest.raises(Exception, match="one line of ordinary characters"):
        validate_one_line(name)


@pytest.mark.parametrize("name", ["Nordlys Systems", "Ærøskøbing Ø", "Salg & marked 🚀", "A  B"])
def test_ordinary_names_pass(name):
    validate_one_line(name)
    assert one_line(name) == name


def test_one_line_makes_each_run_of_them_one_space():
    assert one_line("Nordlys\r\n\tSystems\x00") == "Nordlys Systems"


def refused(response, field: str) -> bool:
    """The form is shown again with the clear message on ``field``."""
    assert response.status_code == 200
    form = response.context.get("form") or response.context["adminform"].form
    said = [str(error) for error in form.errors.get(field, [])]
    shown = all(error in response.content.decode() for error in said)
    return bool({MESSAGE, NUL} & set(said)) and shown


@pytest.mark.parametrize("name", ["Sales\r\nBcc: all@example.com", "Nul\x00", "Tab\there"])
def test_the_editors_forms_refuse_them(cast, login, name):
    client = login(cast.erik)
    assert refused(client.post("/editor/lists/", {"name": name, "kind": "custom"}), "name")
    list_page = f"/editor/lists/{cast.company_list.pk}/"
    assert refused(client.post(list_page, {"name": name, "kind": "custom"}), "name")
    source_page = f"/editor/sources/{cast.blog.pk}/"
    assert refused(client.post(source_page, {"title": name, "kind": "article"}), "title")
    data = {"url": "https://blog.example.com/new", "title": name, "language": "en",
            "texts-TOTAL_FORMS": "0", "texts-INITIAL_FORMS": "0"}  # fmt: skip
    assert refused(client.post("/editor/items/new/", data), "title")
    assert SourceList.objects.get(pk=cast.company_list.pk).name == "Company blog"
    assert SourceList.objects.filter(organisation=cast.nordlys).count() == 1
    assert Source.objects.get(pk=cast.blog.pk).title == "Nordlys blog"
    assert not Item.objects.filter(url="https://blog.example.com/new").exists()


def test_the_sales_and_admin_forms_refuse_them(cast, login):
    lead = {"name": "Ingrid\r\nBerg", "email": "ingrid@fjordkraft.example", "owner": cast.sara.pk}
    assert refused(login(cast.sara).post("/leads/new/", lead), "name")
    company = {**lead, "name": "Ingrid", "company": "Fjord\x1bkraft"}
    assert refused(login(cast.sara).post("/leads/new/", company), "company")
    assert not Lead.objects.exists()
    response = login(cast.alice).post("/settings/api-tokens/", {"name": "CRM\nsync"})
    assert refused(response, "name") and not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (Organisation, {"name": "Nordlys\r\nSystems", "slug": "nordlys"}, "name"),
        (Department, {"name": "Sales\tteam"}, "name"),
        (Topic, {"name": "Cloud\x00"}, "name"),
        (SourceList, {"name": "News\x1b", "kind": "custom"}, "name"),
        (Source, {"title": "Fe\ned", "feed_url": "https://x.example/rss", "kind": "article"},
         "title"),
        (Source, {"title": "Feed", "feed_url": "https://x.example/r\x01ss", "kind": "article"},
         "feed_url"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)  # fmt: skip
def test_the_admin_refuses_them(cast, login, model, data, field):
    if model is Organisation:
        path = url(Organisation, "change", cast.nordlys.pk)
    else:
        path = url(model, "add")
    before = list(model.objects.values_list("pk", flat=True))
    response = login(cast.alice).post(path, data)
    assert refused(response, field)
    assert list(model.objects.values_list("pk", flat=True)) == before
    assert Organisation.objects.get(pk=cast.nordlys.pk).name == "Nordlys Systems"


def test_the_admin_refuses_them_in_a_persons_name(cast, login):
    response = login(cast.alice).get(url(Person, "change", cast.bob.pk))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"name": "Bob\r\nBcc: all@example.com", "languages": '["en"]',
                 "send_days": "[0, 1]"})  # fmt: skip
    data["topics"] = []
    response = login(cast.alice).post(url(Person, "change", cast.bob.pk), data)
    assert refused(response, "name")
    assert Person.objects.get(pk=cast.bob.pk).name == "Bob"


def test_createadmin_refuses_them_and_saves_nothing(db, monkeypatch):
    monkeypatch.setenv("BUDBRINGER_ADMIN_PASSWORD", "a long enough passphrase 7")
    with pytest.raises(CommandError, match="one line of ordinary characters"):
        call_command("createadmin", "olga", "--organisation", "Fjell\r\nEnergi")
    with pytest.raises(CommandError, match="one line of ordinary characters"):
        call_command("createadmin", "olga", "--organisation", "Fjell", "--name", "Olga\x00")
    assert not Organisation.objects.exists() and not Person.objects.exists()


def test_an_export_with_hostile_stored_names_is_well_formed_and_imports_again(cast):
    """Names stored before they were checked (or by code that skips validation)."""
    cast.nordlys.name = "Nordlys\r\nSystems\x01"
    cast.nordlys.save()
    hostile = SourceList.objects.create(organisation=cast.nordlys, name="Kunder\x01\x0b")
    source = Source.objects.create(
        organisation=cast.nordlys, title="Fjord\x1bkraft\ufffe",
        feed_url="https://fjordkraft.example/rss", site_url="https://fjordkraft.example/\x03",
    )  # fmt: skip
    source.lists.add(hostile)
    Source.objects.create(
        organisation=cast.nordlys, title="Broken", feed_url="https://b.example/\x02"
    )
    exported = export_opml(cast.nordlys)
    root = defusedxml.ElementTree.fromstring(exported)  # well-formed
    assert root.find("head/title").text == "Nordlys Systems: sources"
    report = import_opml(cast.havn, exported)
    assert sorted(report.created_lists) == ["Company blog", "Kunder"]
    assert sorted(report.created_sources) == ["Broken", "Fjord kraft", "Nordlys blog"]
    assert Source.objects.get(organisation=cast.havn, title="Broken").feed_url == (
        "https://b.example/"
    )
    moved = Source.objects.get(organisation=cast.havn, title="Fjord kraft")
    assert moved.site_url == "https://fjordkraft.example/"
    assert [one.name for one in moved.lists.all()] == ["Kunder"]


def test_an_opml_file_names_its_lists_and_sources_in_one_line(cast):
    data = b"""<opml version="2.0"><body><outline text="Kunder&#10;og&#9;partnere">
      <outline type="rss" text="Fjord&#13;&#10;kraft" xmlUrl="https://fjordkraft.example/rss"/>
    </outline></body></opml>"""
    report = import_opml(cast.nordlys, data)
    assert report.created_lists == ["Kunder og partnere"]
    assert report.created_sources == ["Fjord kraft"]
