"""Click and share events: counted clicks only, nothing about the visitor, stable cursors."""

import datetime as dt

from django.utils import timezone

from budbringer.links.models import Click, ClickKind
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import record_share
from tests.analytics.conftest import CHROME, click

EVER = "2000-01-01T00:00:00Z"


def all_pages(api_get, path, secret, cursor=None, **params):
    rows, pages = [], 0
    while True:
        response = api_get(path, secret, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, pages


def test_clicks_are_the_counted_ones_without_visitor_data(cast, activity, api_get, nordlys_secret):
    rows = api_get("/clicks", nordlys_secret, since=EVER).json()["items"]
    counted = Click.objects.filter(
        organisation=cast.nordlys, kind__in=(ClickKind.UNIQUE, ClickKind.REPEAT)
    )
    assert [row["id"] for row in rows] == sorted(counted.values_list("id", flat=True))
    assert {row["kind"] for row in rows} == {"unique", "repeat"}
    # bob's linkedin link: A, A, B → unique, repeat, unique; the bot and HEAD are left out.
    bob_linkedin = [row for row in rows if row["network"] == "linkedin"]
    assert [row["kind"] for row in bob_linkedin][:3] == ["unique", "repeat", "unique"]
    assert all(row["item"]["title"] for row in rows)
    for row in rows:
        assert set(row) == {"id", "clicked_at", "kind", "link", "network", "item"}
    hashes = set(Click.objects.values_list("visitor_hash", flat=True)) - {""}
    text = api_get("/clicks", nordlys_secret, since=EVER).content.decode()
    assert hashes and not [value for value in hashes if value in text]
    assert "198.51.100" not in text


def test_the_period_filters(cast, activity, api_get, nordlys_secret):
    recent = api_get("/clicks", nordlys_secret).json()["items"]  # default: the last 30 days
    everything = api_get("/clicks", nordlys_secret, since=EVER).json()["items"]
    assert len(everything) - len(recent) == 2  # the two clicks of 40 days ago
    until = (timezone.now() - dt.timedelta(days=35)).isoformat()
    old = api_get("/clicks", nordlys_secret, since=EVER, until=until).json()["items"]
    assert len(old) == 2
    shares = api_get("/shares", nordlys_secret, until=until, since=EVER).json()["items"]
    assert [row["person_id"] for row in shares] == [cast.erik.pk]


def test_a_cursor_stops_before_a_click_not_yet_counted(cast, activity, api_get, nordlys_secret):
    """Otherwise a client would have passed it when the counting pass makes it unique."""
    link = Click.objects.filter(organisation=cast.nordlys).first().link
    pending = click(link, "198.51.100.77", agent=CHROME)
    assert pending.kind == ClickKind.PENDING
    later = click(link, "198.51.100.78", agent=CHROME)
    Click.objects.filter(pk=later.pk).update(kind=ClickKind.UNIQUE)
    ids = [row["id"] for row in all_pages(api_get, "/clicks", nordlys_secret, since=EVER)[0]]
    assert ids and max(ids) < pending.pk and later.pk not in ids
    Click.objects.filter(pk=pending.pk).update(kind=ClickKind.UNIQUE)
    ids = [row["id"] for row in all_pages(api_get, "/clicks", nordlys_secret, since=EVER)[0]]
    assert ids[-2:] == [pending.pk, later.pk]


def test_pagination_returns_every_row_once(cast, activity, api_get, nordlys_secret):
    expected = sorted(Share.objects.filter(organisation=cast.nordlys).values_list("id", flat=True))
    rows, pages = all_pages(api_get, "/shares", nordlys_secret, since=EVER, limit=2)
    assert [row["id"] for row in rows] == expected
    assert pages == (len(expected) + 1) // 2


def test_a_cursor_survives_new_rows(cast, activity, api_get, nordlys_secret):
    first = api_get("/shares", nordlys_secret, since=EVER, limit=3).json()
    record_share(cast.lena, cast.article, "x")
    newest = Share.objects.filter(person=cast.lena).get().pk
    rows, _pages = all_pages(
        api_get, "/shares", nordlys_secret, since=EVER, limit=3, cursor=first["next_cursor"]
    )
    ids = [row["id"] for row in first["items"] + rows]
    assert len(ids) == len(set(ids)) and ids[-1] == newest


def test_hostile_parameters_are_refused_cleanly(cast, api_get, nordlys_secret):
    for params in (
        {"cursor": "!!!"},
        {"cursor": "aWQ6LTE"},  # id:-1
        {"cursor": "bm9wZQ"},  # nope
        {"limit": 0},
        {"limit": 100000},
        {"since": "yesterday"},
        {"since": "2030-01-01T00:00:00Z", "until": "2020-01-01T00:00:00Z"},
    ):
        response = api_get("/clicks", nordlys_secret, **params)
        assert response.status_code in (400, 422), (params, response.status_code)
    response = api_get("/participation", nordlys_secret, since="0001-01-01T00:00:00")
    assert response.status_code == 400


def test_a_page_costs_the_same_few_queries_however_long(
    cast, activity, api_get, nordlys_secret, django_assert_num_queries
):
    api_get("/clicks", nordlys_secret)  # marks the token used: that write is once a minute
    # The token, the first pending click, the page with its links and items.
    with django_assert_num_queries(3):
        assert len(api_get("/clicks", nordlys_secret, since=EVER).json()["items"]) > 5
    with django_assert_num_queries(2):
        assert len(api_get("/shares", nordlys_secret, since=EVER).json()["items"]) > 5
