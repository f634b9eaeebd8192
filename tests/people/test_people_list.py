"""The people list: admins only, search by name and e-mail, filters, sorting, paging in a
fixed number of queries, and the links to inviting and importing."""

import datetime as dt

import pytest
from django.utils import timezone

from budbringer.accounts.provisioning import PersonDetails, deactivate_person, provision_person
from budbringer.people.listing import PAGE_SIZE


def names(response) -> list[str]:
    return [person.name for person in response.context["page"]]


def test_only_admins_see_it(cast, login, client):
    assert client.get("/people/").status_code == 302  # to the sign-in page
    for person in (cast.erik, cast.lena, cast.bob, cast.sara):
        assert login(person).get("/people/").status_code == 403
    assert login(cast.alice).get("/people/").status_code == 200


def test_the_navigation_shows_people_to_admins_only(cast, login):
    assert b'href="/people/"' in login(cast.alice).get("/for-you/").content
    assert b'href="/people/"' not in login(cast.erik).get("/for-you/").content


def test_it_lists_the_organisation_only_and_links_to_invite_and_import(cast, login):
    response = login(cast.alice).get("/people/")
    assert names(response) == ["Alice", "Bob", "Erik", "Lena", "Sara"]
    assert b"Charlie" not in response.content
    assert b'href="/people/import/"' in response.content
    assert b'href="/people/invite/"' in response.content


def test_search_by_name_or_email_case_insensitively(cast, login):
    client = login(cast.alice)
    assert names(client.get("/people/", {"q": "LEN"})) == ["Lena"]
    assert names(client.get("/people/", {"q": "sara@EXAMPLE"})) == ["Sara"]
    response = client.get("/people/", {"q": "nobody-like-this"})
    assert names(response) == []
    assert b"Nobody matches" in response.content


def test_filters_department_role_status_and_last_active(cast, login):
    client = login(cast.alice)
    assert names(client.get("/people/", {"department": cast.sales.pk})) == ["Lena", "Sara"]
    assert names(client.get("/people/", {"department": "none"})) == ["Alice"]
    assert names(client.get("/people/", {"role": "editor"})) == ["Erik"]
    now = timezone.now()
    for person, days in ((cast.bob, 100), (cast.erik, 40), (cast.lena, 1)):
        person.user.last_login = now - dt.timedelta(days=days)
        person.user.save()
    deactivate_person(cast.sara)
    assert names(client.get("/people/", {"status": "deactivated"})) == ["Sara"]
    # Alice's client signed in with force_login, which sets her last_login.
    assert names(client.get("/people/", {"status": "active"})) == ["Alice", "Bob", "Erik", "Lena"]
    invited = provision_person(cast.nordlys, PersonDetails("new@example.com", "Nina")).person
    assert names(client.get("/people/", {"status": "invited"})) == [invited.name]
    assert names(client.get("/people/", {"away": "90"})) == ["Bob"]
    assert names(client.get("/people/", {"away": "30"})) == ["Bob", "Erik"]


def test_values_the_page_never_offers_are_ignored(cast, login):
    client = login(cast.alice)
    for params in (
        {"department": "x"},
        {"department": "99999999999999999999999"},
        {"role": "pope"},
        {"status": "dead"},
        {"away": "7"},
        {"sort": "password"},
        {"page": "-1"},
    ):
        response = client.get("/people/", params)
        assert response.status_code == 200, params
        assert len(names(response)) == 5, params


def test_a_department_of_another_organisation_shows_nobody(cast, login):
    assert names(login(cast.alice).get("/people/", {"department": cast.havn_ops.pk})) == []


def test_sorting(cast, login):
    client = login(cast.alice)
    assert names(client.get("/people/", {"sort": "department"})) == [
        "Bob", "Erik", "Lena", "Sara", "Alice",
    ]  # fmt: skip
    assert names(client.get("/people/", {"sort": "role"})) == [
        "Alice", "Erik", "Bob", "Lena", "Sara",
    ]  # fmt: skip
    cast.bob.user.last_login = timezone.now() - dt.timedelta(days=1)
    cast.bob.user.save()
    # Alice signed in just now, Bob yesterday, the others never.
    assert names(client.get("/people/", {"sort": "last_active"}))[:2] == ["Alice", "Bob"]


@pytest.fixture
def many_people(cast):
    for number in range(PAGE_SIZE * 2 + 5):
        provision_person(
            cast.nordlys,
            PersonDetails(f"p{number:03}@example.com", f"Person {number:03}", department="Sales"),
        )


def test_pages_keep_the_filters_and_use_a_fixed_number_of_queries(
    cast, login, many_people, django_assert_max_num_queries
):
    client = login(cast.alice)
    client.get("/people/")  # sessions, translations and such warmed up
    # 8 for the page, 6 for the admin navigation's "Getting started" count (constant).
    with django_assert_max_num_queries(14):
        first = client.get("/people/", {"department": cast.sales.pk, "sort": "name"})
    assert len(names(first)) == PAGE_SIZE
    assert b"department=%d&amp;sort=name&amp;page=2" % cast.sales.pk in first.content
    with django_assert_max_num_queries(14):
        last = client.get("/people/", {"department": cast.sales.pk, "sort": "name", "page": 3})
    # 105 imported in Sales, plus Lena and Sara.
    assert len(names(last)) == PAGE_SIZE * 2 + 7 - 2 * PAGE_SIZE
