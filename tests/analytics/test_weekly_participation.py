"""Weekly participation is one computation: the dashboard's table, its CSV and the API's
/participation give the same weeks and numbers, partial weeks marked alike in each."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.accounts.provisioning import deactivate_person
from budbringer.analytics import reports
from budbringer.analytics.filters import Filters
from budbringer.api.tokens import issue_token
from budbringer.sharing.sharing import record_share
from tests.conftest import make_person

OSLO = "Europe/Oslo"
# A Thursday; the page's default period (30 days) starts on Tuesday 27 October, 11:00 Oslo.
NOW = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=60)


def shared(person, item, network, at):
    with time_machine.travel(at, tick=False):
        record_share(person, item, network)


@pytest.fixture
def weeks(cast):
    """Nordlys's people joined long ago, bob on Tuesday 10 November (counted from that week
    on), ola left on Friday 20 November (counted until that week); alice reads in Oslo.

    Shares: erik on Wednesday 4 November; sara on Sunday 8 November 23:30 UTC, which is
    Monday 9 November 00:30 in Oslo; bob twice in the week of 9 November; ola, before
    leaving, and charlie of Havn in the week of 16 November; lena on Tuesday 24 November.
    """
    ola = make_person(cast.nordlys, "ola", department=cast.sales)
    Person.objects.update(created_at=LONG_AGO)
    Person.objects.filter(pk=cast.bob.pk).update(
        created_at=dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    )
    Person.objects.filter(pk=cast.alice.pk).update(time_zone=OSLO)
    shared(cast.erik, cast.article, "linkedin", dt.datetime(2026, 11, 4, 12, tzinfo=dt.UTC))
    shared(cast.sara, cast.article, "x", dt.datetime(2026, 11, 8, 23, 30, tzinfo=dt.UTC))
    shared(cast.bob, cast.article, "linkedin", dt.datetime(2026, 11, 12, 9, tzinfo=dt.UTC))
    shared(cast.bob, cast.article, "x", dt.datetime(2026, 11, 13, 9, tzinfo=dt.UTC))
    shared(ola, cast.article, "x", dt.datetime(2026, 11, 17, 9, tzinfo=dt.UTC))
    shared(cast.charlie, cast.havn_article, "x", dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC))
    shared(cast.lena, cast.article, "linkedin", dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC), tick=False):
        deactivate_person(ola)
    with time_machine.travel(NOW, tick=False):
        yield


# (week, days in the period, complete, people, sharers, participation %), by hand. The
# first week starts on Tuesday 11:00 (5.5 days), the current one has had 3.4 days so far.
EXPECTED = [
    ("2026-10-26", 5.5, False, 5, 0, 0.0),  # ola, not bob
    ("2026-11-02", 7, True, 5, 1, 20.0),  # erik
    ("2026-11-09", 7, True, 6, 2, 33.3),  # bob has joined; sara (Monday in Oslo) and bob
    ("2026-11-16", 7, True, 6, 1, 16.7),  # ola, who left on Friday; charlie is of Havn
    ("2026-11-23", 3.4, False, 5, 1, 20.0),  # ola has gone; lena
]


def page_weeks(html: str) -> list[tuple]:
    table = re.search(r'<table id="participation">(.*?)</table>', html, re.S).group(1)
    found = []
    for cells in re.findall(r"<tr[^>]*>(<td.*?)</tr>", table, re.S):
        week, people, sharers, rate = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        partial = re.search(r"partial week: ([\d.]+) of 7 days", week)
        found.append(
            (
                week[:10],
                float(partial.group(1)) if partial else 7,
                partial is None,
                int(people),
                int(sharers),
                float(rate.rstrip("%")),
            )
        )
    return found


def csv_weeks(body: str) -> list[tuple]:
    header, *rows = csv.reader(io.StringIO(body))
    assert header == [
        "Week (Monday)",
        "Days in period",
        "Complete week",
        "People",
        "Shared",
        "Participation (%)",
    ]
    return [
        (week, float(days), complete == "yes", int(people), int(sharers), float(rate))
        for week, days, complete, people, sharers, rate in rows
    ]


def test_page_csv_and_api_give_the_same_weeks(cast, login, weeks, api_get):
    client = login(cast.alice)
    page = page_weeks(client.get("/analytics/").content.decode())
    response = client.get("/analytics/export/participation.csv")
    exported = csv_weeks(b"".join(response.streaming_content).decode())
    secret = issue_token(cast.nordlys, "CRM", cast.alice)[1]
    since = NOW - dt.timedelta(days=30)
    rows = api_get(
        "/participation", secret, since=since.isoformat(), until=NOW.isoformat(), tz=OSLO
    ).json()
    api = [
        (r["week"], r["days"], r["complete"], r["people"], r["sharers"], round(r["rate"] * 100, 1))
        for r in rows
    ]
    assert page == exported == api == EXPECTED


def test_the_api_counts_weeks_in_utc_unless_told(cast, weeks, api_get):
    secret = issue_token(cast.nordlys, "CRM", cast.alice)[1]
    since = (NOW - dt.timedelta(days=30)).isoformat()
    rows = api_get("/participation", secret, since=since).json()
    # In UTC sara's share is on Sunday, in the week of 2 November.
    assert [(r["week"], r["sharers"]) for r in rows][1:3] == [("2026-11-02", 2), ("2026-11-09", 1)]
    assert api_get("/participation", secret, since=since, tz="Mars/Olympus").status_code == 400


def test_the_page_says_which_zone_its_weeks_and_times_are_in(cast, login, weeks):
    html = " ".join(login(cast.alice).get("/analytics/").content.decode().split())
    assert "Weeks start on Monday at midnight, Europe/Oslo time." in html
    # The period's bounds in the viewer's zone: 10:00 UTC is 11:00 in Oslo.
    assert "from Oct. 27, 2026, 11 a.m. to Nov. 26, 2026, 11 a.m. (times in Europe/Oslo)" in html


def test_a_week_is_complete_only_when_all_of_it_is_inside_the_period_and_past(cast, weeks):
    oslo = timezone.get_fixed_timezone(60)  # Oslo in winter
    monday = dt.datetime(2026, 11, 2, tzinfo=oslo)
    whole = Filters(since=monday, until=monday + dt.timedelta(days=14))
    rows = reports.weekly_participation(cast.nordlys, whole, zone=oslo)
    assert [(row.week.isoformat(), row.days, row.complete) for row in rows] == [
        ("2026-11-02", 7, True),
        ("2026-11-09", 7, True),
    ]
    # A period reaching into the future: the week that is not over yet is partial.
    ahead = Filters(since=monday + dt.timedelta(days=14), until=NOW + dt.timedelta(days=5))
    rows = reports.weekly_participation(cast.nordlys, ahead, zone=oslo)
    assert [(row.week.isoformat(), row.days, row.complete) for row in rows] == [
        ("2026-11-16", 7, True),
        ("2026-11-23", 3.4, False),
        ("2026-11-30", 0.0, False),
    ]


def test_someone_who_left_at_an_unknown_time_is_in_no_week(cast, weeks):
    """A login turned off outside deactivate_person (in the Django admin, say) says nothing
    about when: that person, and their shares, are left out of every week."""
    ola = Person.objects.get(user__username="ola")
    Person.objects.filter(pk=ola.pk).update(deactivated_at=None)
    period = Filters(since=NOW - dt.timedelta(days=30), until=NOW)
    rows = reports.weekly_participation(cast.nordlys, period, zone=ZoneInfo(OSLO))
    assert [(row.people, row.sharers) for row in rows] == [(4, 0), (4, 1), (5, 2), (5, 0), (5, 1)]
