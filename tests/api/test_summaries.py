"""Summaries: the analytics reports' figures, and participation per week."""

import datetime as dt

import time_machine
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.analytics import reports
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import record_share


def test_networks_match_the_dashboard_report(cast, activity, api_get, nordlys_secret, since):
    rows = api_get("/summaries/networks", nordlys_secret).json()
    expected = reports.by_network(cast.nordlys, since)
    assert [(r["network"], r["shares"], r["clicks"], r["unique_clicks"]) for r in rows] == [
        (row.network, row.shares, row.clicks, row.unique_clicks) for row in expected
    ]
    linkedin = next(row for row in rows if row["network"] == "linkedin")
    # Shares: bob twice, sara once. Clicks: bob's A, A again and B, sara's C and the one this
    # fixture settles as unique; the preview bot and the HEAD probe are left out.
    assert (linkedin["shares"], linkedin["clicks"]) == (3, 5)


def test_items_are_ranked_by_shares(cast, activity, api_get, nordlys_secret):
    rows = api_get("/summaries/items", nordlys_secret, limit=1).json()
    assert len(rows) == 1
    assert rows[0]["item"]["title"] == cast.article.title
    assert rows[0]["shares"] == 4  # bob linkedin twice and x, sara linkedin


def test_participation_per_week(cast, api_get, nordlys_secret):
    """Six people in Nordlys; bob and sara share in one week, bob again in the next."""
    monday = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    Person.objects.update(created_at=monday - dt.timedelta(days=30))
    with time_machine.travel(monday, tick=False):
        record_share(cast.bob, cast.article, "linkedin")
        record_share(cast.bob, cast.article, "x")
        record_share(cast.sara, cast.article, "linkedin")
    with time_machine.travel(monday + dt.timedelta(days=8), tick=False):
        record_share(cast.bob, cast.article, "facebook")
    assert Share.objects.filter(organisation=cast.nordlys).count() == 4
    with time_machine.travel(monday + dt.timedelta(days=20), tick=False):
        rows = api_get(
            "/participation", nordlys_secret, since=(monday - dt.timedelta(days=7)).isoformat()
        ).json()
    assert [(r["week"], r["people"], r["sharers"]) for r in rows] == [
        ("2026-10-26", 5, 0),
        ("2026-11-02", 5, 2),
        ("2026-11-09", 5, 1),
        ("2026-11-16", 5, 0),
    ]
    assert rows[1]["rate"] == 0.4
    assert timezone.now() > monday
