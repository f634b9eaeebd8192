"""Names with a uniqueness rule, made or changed by several people at the same moment:
exactly one wins and everyone else gets the form's own error (a 200 with the message),
never a 500; the rule is the database's too, so "Case Race" and "CASE RACE" at once make
one list. The races run real requests in threads, each with its own connection, on
PostgreSQL; SQLite's in-memory test database cannot be shared by threads, so there the
row taken after the form checked is made by hand."""

import threading

import pytest
from django.db import connection
from django.test import Client

from budbringer.accounts.models import Department, Organisation, Role
from budbringer.content.models import Item, ShareText, Topic
from budbringer.lib.saving import save_or_form_error
from budbringer.sources.editing import change_list, create_list
from budbringer.sources.forms import ListForm
from budbringer.sources.models import Source, SourceList
from tests.conftest import make_person
from tests.test_admin import url

THREADS = 8
LIST_TAKEN = "There is a list with this name already."


@pytest.fixture
def racing(transactional_db):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("threads cannot share SQLite's in-memory test database; see PostgreSQL")


def race(posts: list[tuple[object, str, dict]]) -> list:
    """Each (person, path, data) POSTed in a thread of its own, all let go at once; the
    responses in the same order (an exception where a request raised)."""
    start = threading.Barrier(len(posts))
    responses: list = [None] * len(posts)

    def post(number: int, person, path: str, data: dict) -> None:
        client = Client(raise_request_exception=True)
        client.force_login(person.user)
        try:
            start.wait()
            responses[number] = client.post(path, data)
        except Exception as error:  # reported by the test, a thread cannot fail it
            responses[number] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(number, *one)) for number, one in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


def one_won(responses, message: str | None = None) -> None:
    """Exactly one request saved (a redirect); every other was shown the form's error."""
    problems = [r for r in responses if not hasattr(r, "status_code") or r.status_code >= 400]
    assert problems == []
    assert [r.status_code for r in responses].count(302) == 1
    for response in responses:
        if response.status_code == 200:
            errors = response.context.get("form") or response.context["adminform"].form
            text = response.content.decode()
            assert errors.errors, text[:500]
            if message:
                assert message in text


def in_any_case(name: str, number: int) -> str:
    return (name, name.upper(), name.lower())[number % 3]


def test_lists_of_one_name_in_any_case_at_once_make_one(cast, racing):
    for attempt in range(4):  # a few rounds, so the requests really do overlap
        name = f"Case Race {attempt}"
        responses = race(
            [
                (cast.erik, "/editor/lists/", {"name": in_any_case(name, n), "kind": "custom"})
                for n in range(THREADS)
            ]
        )
        one_won(responses, LIST_TAKEN)
        assert SourceList.objects.filter(name__iexact=name).count() == 1


def test_lists_renamed_to_one_name_at_once_take_it_once(cast, racing):
    lists = [SourceList.objects.create(organisation=cast.nordlys, name=f"L{n}") for n in range(8)]
    for attempt in range(3):
        name = f"Renamed {attempt}"
        responses = race(
            [
                (cast.erik, f"/editor/lists/{one.pk}/", {"name": in_any_case(name, n),
                                                          "kind": "custom"})
                for n, one in enumerate(lists)
            ]
        )  # fmt: skip
        one_won(responses, LIST_TAKEN)
        assert SourceList.objects.filter(name__iexact=name).count() == 1
        renamed = SourceList.objects.get(name__iexact=name)
        lists = [one for one in lists if one.pk != renamed.pk] + [
            SourceList.objects.create(organisation=cast.nordlys, name=f"Again {attempt}")
        ]


def test_items_of_one_address_at_once_make_one(cast, racing):
    for attempt in range(3):
        address = f"https://blog.example.com/race-{attempt}"
        data = {"url": address, "title": "Race", "language": "en", "approve": "on",
                "texts-TOTAL_FORMS": "0", "texts-INITIAL_FORMS": "0"}  # fmt: skip
        one_won(race([(cast.erik, "/editor/items/new/", data)] * THREADS),
                "This article is already in Budbringer.")  # fmt: skip
        assert Item.objects.filter(canonical_url=address).count() == 1


@pytest.mark.parametrize(
    ("model", "data", "lookup"),
    [
        (Topic, {"name": "Energy"}, "name__iexact"),
        (Department, {"name": "Finance"}, "name__iexact"),
        (SourceList, {"name": "Customers", "kind": "custom"}, "name__iexact"),
        (
            Source,
            {"title": "R", "feed_url": "https://race.example/rss", "kind": "article"},
            "feed_url",
        ),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_admin_rows_of_one_name_at_once_make_one(cast, racing, model, data, lookup):
    field = "name" if "name" in data else None
    for attempt in range(3):
        posts = []
        for n in range(THREADS):
            one = dict(data)
            if field:
                one[field] = in_any_case(f"{data[field]} {attempt}", n)
            else:
                one["feed_url"] = f"{data['feed_url']}{attempt}"
            posts.append((cast.alice, url(model, "add"), one))
        one_won(race(posts))
        value = f"{data[field]} {attempt}" if field else f"{data['feed_url']}{attempt}"
        assert model.objects.filter(organisation=cast.nordlys, **{lookup: value}).count() == 1


def test_share_texts_of_one_network_and_language_at_once_make_one(cast, racing):
    data = {"item": cast.article.pk, "network": "linkedin", "language": "sv", "text": "Hej!"}
    one_won(race([(cast.alice, url(ShareText, "add"), data)] * THREADS))
    assert (
        ShareText.objects.filter(item=cast.article, network="linkedin", language="sv").count() == 1
    )


def test_organisations_taking_one_slug_at_once_get_it_once(cast, racing):
    admins = [cast.alice, cast.charlie]
    for n in range(THREADS - 2):
        organisation = Organisation.objects.create(name=f"Org {n}", slug=f"org-{n}")
        admins.append(make_person(organisation, f"admin{n}", Role.ADMIN))
    responses = race(
        [
            (admin, url(Organisation, "change", admin.organisation_id),
             {"name": admin.organisation.name, "slug": "fjord"})
            for admin in admins
        ]
    )  # fmt: skip
    one_won(responses)
    assert Organisation.objects.filter(slug="fjord").count() == 1


# On any database: the row taken between the form's check and the save, made by hand.


def test_a_list_name_taken_after_the_form_checked_is_the_forms_error(cast):
    form = ListForm({"name": "Case Race", "kind": "custom"}, organisation=cast.nordlys)
    assert form.is_valid()
    SourceList.objects.create(organisation=cast.nordlys, name="CASE RACE")  # someone, just now
    assert save_or_form_error(form, lambda: create_list(cast.nordlys, **form.cleaned_data)) is None
    assert form.errors["name"] == [LIST_TAKEN]
    assert SourceList.objects.filter(name__iexact="case race").count() == 1


def test_a_rename_to_a_name_taken_after_the_form_checked_is_the_forms_error(cast):
    form = ListForm({"name": "Customers", "kind": "customers"}, organisation=cast.nordlys,
                    source_list=cast.company_list)  # fmt: skip
    assert form.is_valid()
    SourceList.objects.create(organisation=cast.nordlys, name="customers")
    saved = save_or_form_error(form, lambda: change_list(cast.company_list, **form.cleaned_data))
    assert saved is None and form.errors["name"] == [LIST_TAKEN]
    assert cast.company_list.name == "Company blog"  # not shown as renamed
    assert SourceList.objects.get(pk=cast.company_list.pk).name == "Company blog"


@pytest.mark.parametrize(
    ("model", "name", "message"),
    [
        (Topic, "CLOUD", "There is a topic with this name already."),
        (Department, "sales", "There is a department with this name already."),
        (SourceList, "COMPANY blog", LIST_TAKEN),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_the_admin_refuses_a_name_in_another_case(cast, login, model, name, message):
    before = model.objects.count()
    response = login(cast.alice).post(url(model, "add"), {"name": name, "kind": "custom"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert model.objects.count() == before
