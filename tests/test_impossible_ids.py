"""Ids no row can have (past the database's integer range, or not plain ASCII digits like
"²") are unknown choices everywhere: the form's own error, or the page without them;
never a 500 (an OverflowError on SQLite, NumericValueOutOfRange on PostgreSQL), nothing
half-saved."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.contrib.auth.models import Group, User

import budbringer
from budbringer.accounts.models import Person
from budbringer.content.models import Item
from budbringer.digests import tokens
from budbringer.leads.models import Lead
from budbringer.lib import ids
from budbringer.sources.models import Source, SourceList
from tests.accounts.test_settings import (
    snapshot,
    valid,  # noqa: F401 (a fixture)
)
from tests.conftest import PASSWORD
from tests.digests.test_preferences_link import sent_digest
from tests.test_admin import url

TOO_LARGE = "99999999999999999999999"
IMPOSSIBLE = [TOO_LARGE, "9223372036854775808", "²", "١٢", "-1", "1e3", " "]


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_parse_id_takes_plain_digits_in_the_columns_range_only(value):
    assert ids.parse_id(value, Person) is None


def test_parse_id_takes_every_id_a_row_can_have():
    assert ids.parse_id("9223372036854775807", Person) == 2**63 - 1
    assert ids.parse_id(" 12 ", Person) == 12
    assert ids.parse_id(12, Person) == 12
    assert ids.parse_id(True, Person) is None


@pytest.mark.parametrize("value", [TOO_LARGE, "²"])
def test_the_settings_form_refuses_them_and_saves_nothing(cast, login, valid, value):  # noqa: F811
    before = snapshot(cast.bob)
    for field in ("topics", "followed_lists"):
        response = login(cast.bob).post("/settings/", {**valid, field: [cast.cloud.pk, value]})
        assert response.status_code == 200
        assert "is not one of the available choices" in response.context["form"].errors[field][0]
        assert snapshot(cast.bob) == before


@pytest.mark.parametrize("value", [TOO_LARGE, "²"])
def test_the_signed_preferences_page_refuses_them(cast, client, value):
    digest = sent_digest(cast.bob)
    page = f"/d/preferences/{tokens.preferences_token(digest.pk)}"
    data = {"interface_language": "en", "digest_cadence": "weekly", "send_days": ["1"],
            "digest_max_items": "3"}  # fmt: skip
    for field in ("topics", "followed_lists"):
        response = client.post(page, {**data, field: [value]})
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert Person.objects.get(pk=cast.bob.pk).digest_cadence == cast.bob.digest_cadence


@pytest.mark.parametrize("query", ["list=%C2%B2", f"list={TOO_LARGE}", "list=%D9%A1"])
def test_the_opml_export_leaves_them_out(cast, login, query):
    response = login(cast.erik).get(f"/editor/sources/opml/export?{query}")
    assert response.status_code == 200
    assert b"<outline" not in response.content
    both = login(cast.erik).get(f"/editor/sources/opml/export?{query}&list={cast.company_list.pk}")
    assert both.status_code == 200 and b'text="Company blog"' in both.content


def test_the_item_form_refuses_them(cast, login):
    response = login(cast.erik).post(
        "/editor/items/new/",
        {"url": "https://blog.example.com/new", "title": "New", "language": "en",
         "topics": [TOO_LARGE], "texts-TOTAL_FORMS": "0", "texts-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["topics"]
    assert not Item.objects.filter(title="New").exists()


def test_the_source_forms_refuse_them(cast, login):
    response = login(cast.erik).post(
        f"/editor/sources/{cast.blog.pk}/",
        {"title": "Renamed", "kind": "article", "lists": [TOO_LARGE]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["lists"]
    assert Source.objects.get(pk=cast.blog.pk).title == "Nordlys blog"


def test_the_lead_forms_refuse_them(cast, login):
    client = login(cast.lena)  # a leader chooses the owner of a new lead
    response = client.post("/leads/new/", {"name": "Ingrid", "email": "i@x.example",
                                           "owner": TOO_LARGE})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert not Lead.objects.exists()
    lead = Lead.objects.create(
        organisation=cast.nordlys, name="Ingrid", email="i@x.example", owner=cast.sara
    )
    response = client.post(f"/leads/{lead.pk}/links/", {"item": TOO_LARGE})
    assert response.status_code == 302
    assert not lead.lead_links.exists()
    response = client.post(f"/leads/{lead.pk}/hand-over/", {"new_owner": TOO_LARGE})
    assert response.status_code == 200
    assert response.context["form"].errors["new_owner"]
    assert Lead.objects.get(pk=lead.pk).owner == cast.sara


@pytest.mark.parametrize("value", [TOO_LARGE, "²"])
def test_the_analytics_filters_fall_back_to_everything(cast, login, value):
    response = login(cast.alice).get(f"/analytics/?department={value}&source_list={value}")
    assert response.status_code == 200
    assert len(response.context["problems"]) == 2  # each value said to be left out
    assert response.context["filters"].department is None
    assert response.context["filters"].source_list is None


def test_the_admin_forms_refuse_them(cast, login):
    client = login(cast.alice)
    response = client.post(
        url(Source, "add"),
        {"title": "New", "feed_url": "https://new.example/rss", "lists": [TOO_LARGE]},
    )
    assert response.status_code == 200
    assert "lists" in response.context["adminform"].form.errors
    response = client.post(url(SourceList, "add"), {"name": "New", "kind": "custom",
                                                    "followers": ["²"]})  # fmt: skip
    assert response.status_code == 200
    assert "followers" in response.context["adminform"].form.errors
    assert not Source.objects.filter(title="New").exists()
    assert not SourceList.objects.filter(name="New").exists()


def test_the_operators_admin_forms_refuse_them(db, client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    response = client.post(url(Group, "add"), {"name": "Ops", "permissions": [TOO_LARGE]})
    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert not Group.objects.exists()


def _form_classes():
    # Every module but the entry points (which start servers) and migrations.
    skipped = {"wsgi", "asgi", "rsgi", "cli", "__main__", "migrations", "management"}
    for module in pkgutil.walk_packages(budbringer.__path__, "budbringer."):
        if skipped & set(module.name.split(".")):
            continue
        for _name, thing in inspect.getmembers(importlib.import_module(module.name)):
            ours = inspect.isclass(thing) and thing.__module__.startswith("budbringer.")
            if ours and issubclass(thing, forms.BaseForm):
                yield thing


def test_every_form_of_ours_takes_model_choices_through_these_fields():
    checked = 0
    for form_class in set(_form_classes()):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.ModelChoiceField):
                assert isinstance(field, ids.ModelChoiceField | ids.ModelMultipleChoiceField), (
                    f"{form_class.__module__}.{form_class.__name__}.{name}"
                )
                checked += 1
    assert checked >= 8
