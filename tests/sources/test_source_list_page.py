"""/editor/sources/: every source of the organisation with its fetch state, for editors."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budbringer.sources.models import FetchOutcome, Source, SourceList

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PAGE = "/editor/sources/"
ERROR = "The feed server answered 404 Not Found."


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sources(cast):
    Source.objects.filter(pk=cast.blog.pk).update(
        last_fetched_at=NOW - dt.timedelta(hours=2),
        last_success_at=NOW - dt.timedelta(hours=2),
        last_outcome=FetchOutcome.OK,
        items_found=12,
        last_new_items=3,
        next_fetch_at=NOW + dt.timedelta(minutes=25),
    )
    failing = Source.objects.create(
        organisation=cast.nordlys,
        title="Vestmark Energi",
        feed_url="https://vestmark.example/rss.xml",
        last_fetched_at=NOW - dt.timedelta(minutes=5),
        last_success_at=NOW - dt.timedelta(days=2),
        last_outcome=FetchOutcome.FAILED,
        last_error=ERROR,
        failure_count=3,
        next_fetch_at=NOW + dt.timedelta(hours=2),
    )
    paused = Source.objects.create(
        organisation=cast.nordlys,
        title="Old careers feed",
        feed_url="https://careers.example/feed",
        is_active=False,
    )
    return cast.blog, failing, paused


def test_editors_see_each_source_with_its_state(cast, login, sources):
    blog, failing, paused = sources
    response = login(cast.erik).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert set(response.context["page"].object_list) == {blog, failing, paused}
    assert "Nordlys blog" in body
    assert "Company blog" in body  # its list
    assert "New content checked" in body
    assert "2\xa0hours ago" in body
    # The exact time, for the title, in Erik's own zone (Europe/Stockholm, +01:00 in November).
    assert 'datetime="2026-11-23T11:00:00+01:00"' in body
    assert "in 25\xa0minutes" in body
    assert "(3 new)" in body
    assert "Not fetched yet" in body
    assert "Paused" in body
    assert 'href="/editor/sources/new/"' in body
    assert 'href="/editor/sources/opml/"' in body
    assert 'href="/editor/sources/opml/export"' in body


def test_a_failing_source_shows_its_error_in_plain_words_first(cast, login, sources):
    failing = sources[1]
    response = login(cast.alice).get(PAGE)
    body = response.content.decode()
    assert "Failed 3 times in a row:" in body
    assert ERROR in body
    assert 'class="fetch-error"' in body
    assert response.context["page"].object_list[0] == failing


def test_a_source_without_errors_shows_none(cast, login):
    body = login(cast.erik).get(PAGE).content.decode()
    assert "in a row" not in body
    assert 'class="fetch-error"' not in body


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
def test_people_without_the_editor_role_are_forbidden(cast, login, who):
    assert login(getattr(cast, who)).get(PAGE).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, cast):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sources_of_another_organisation_are_invisible(cast, login, sources):
    response = login(cast.alice).get(PAGE)
    assert cast.havn_source not in response.context["page"].object_list
    assert b"Havn" not in response.content
    assert b"havn.example.com" not in response.content
    # and the other way around
    response = login(cast.charlie).get(PAGE)
    assert list(response.context["page"].object_list) == [cast.havn_source]
    assert b"Nordlys blog" not in response.content


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_sources(cast, login):
    client = login(cast.erik)
    with_one = queries_for(client)
    lists = [SourceList.objects.create(organisation=cast.nordlys, name=f"List {n}") for n in "AB"]
    for n in range(9):
        source = Source.objects.create(
            organisation=cast.nordlys,
            title=f"Source {n}",
            feed_url=f"https://feeds.example/{n}.xml",
            last_outcome=FetchOutcome.FAILED if n % 2 else FetchOutcome.OK,
            last_error="The feed server answered 500." if n % 2 else "",
            failure_count=n % 2,
        )
        source.lists.set(lists[: n % 3])
    assert Source.objects.filter(organisation=cast.nordlys).count() == 10
    assert queries_for(client) == with_one
    assert with_one <= 8
