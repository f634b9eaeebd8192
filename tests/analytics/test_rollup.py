"""The click roll-up: refreshed idempotently and incrementally, following clicks as they
settle, and giving the reports the same numbers as the clicks themselves."""

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from budbringer.accounts.privacy import erase_person
from budbringer.analytics import reports
from budbringer.analytics.filters import Filters
from budbringer.analytics.models import ClickRollup, DailyClicks, DepartmentClicks, NetworkClicks
from budbringer.analytics.rollup import (
    LATE_MARGIN,
    delete_clicks,
    hour_start,
    refresh,
    rolled_up,
)
from budbringer.core.schedule import SCHEDULE
from budbringer.links.counting import count_pending_clicks, settle_window
from budbringer.links.models import Click, ClickKind, TrackedLink
from budbringer.sharing.sharing import record_share
from tests.analytics.conftest import REPEAT, UNIQUE, click

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _afternoon():
    """Run at 15:00 UTC today: yesterday is final only LATE_MARGIN and the settle window
    after midnight, so in a day's first minutes these tests, which count on a final
    yesterday and on today's noon being past, would fail by the clock alone."""
    afternoon = timezone.now().astimezone(dt.UTC).replace(hour=15, minute=0, second=0)
    with time_machine.travel(afternoon, tick=True):
        yield


def noon(days_ago: int) -> dt.datetime:
    today = timezone.now().astimezone(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return today - days_ago * DAY


@pytest.fixture
def links(cast):
    record_share(cast.bob, cast.article, "linkedin")
    record_share(cast.sara, cast.article, "x")
    record_share(cast.charlie, cast.havn_article, "linkedin")
    return {
        "bob": TrackedLink.objects.get(person=cast.bob, network="linkedin"),
        "sara": TrackedLink.objects.get(person=cast.sara, network="x"),
        "charlie": TrackedLink.objects.get(person=cast.charlie, network="linkedin"),
    }


@pytest.fixture
def past_clicks(links):
    """Clicks over the last ten days, at all hours, of every kind."""
    kinds = [UNIQUE, REPEAT, UNIQUE, ClickKind.BOT, ClickKind.SCANNER, UNIQUE]
    made = 0
    for days_ago in range(10):
        for hour in (-11, -3, 0, 5, 11):
            for name, link in links.items():
                kind = kinds[(made + len(name)) % len(kinds)]
                at = noon(days_ago) + dt.timedelta(hours=hour, minutes=made % 60)
                click(link, f"198.51.100.{made % 250}", now=at, kind=kind)
                made += 1
    return made


def narrower_sums_agree():
    """NetworkClicks and DepartmentClicks hold the sums of DailyClicks, day by day."""
    for table, keys in (
        (NetworkClicks, ("organisation_id", "day", "hour", "network", "kind")),
        (
            DepartmentClicks,
            ("organisation_id", "day", "hour", "department_id", "network", "kind"),
        ),
    ):
        wide = {
            tuple(key): clicks
            for *key, clicks in DailyClicks.objects.values_list(*keys)
            .annotate(n=Sum("clicks"))
            .order_by()
            if clicks
        }
        narrow = {tuple(key): clicks for *key, clicks in table.objects.values_list(*keys, "clicks")}
        assert narrow == wide, table
    return True


def rows():
    return sorted(
        DailyClicks.objects.values_list(
            "organisation_id", "day", "item_id", "network", "department_id", "kind", "clicks"
        )
    )


def test_refresh_rolls_up_every_past_day_and_is_idempotent(past_clicks):
    first = refresh()
    assert first.days == 9  # from the first click, nine days ago, to yesterday
    assert first.complete_before == timezone.now().astimezone(dt.UTC).date()
    rolled = sum(DailyClicks.objects.filter(hour=None).values_list("clicks", flat=True))
    today = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert rolled == Click.objects.filter(clicked_at__lt=today).count()
    # Today by the hour, up to the last hour that ended more than the margin ago.
    hours_before = rolled_up()[1]
    assert hours_before == hour_start(timezone.now() - LATE_MARGIN - settle_window())
    assert sum(DailyClicks.objects.exclude(hour=None).values_list("clicks", flat=True)) == (
        Click.objects.filter(clicked_at__gte=today, clicked_at__lt=hours_before).count()
    )
    assert narrower_sums_agree()
    before = rows()
    again = refresh()
    assert again.days == 0  # nothing new to roll up
    assert rows() == before
    assert refresh(full=True).complete_before == first.complete_before
    assert rows() == before
    assert narrower_sums_agree()


def test_refresh_is_incremental(cast, links, past_clicks):
    refresh()
    kept = set(DailyClicks.objects.filter(hour=None).values_list("id", flat=True))
    # Today's clicks are rolled up a day later, the days before are left alone.
    click(links["bob"], "203.0.113.9", now=noon(0), kind=UNIQUE)
    tomorrow = refresh(now=timezone.now() + DAY + LATE_MARGIN * 2)
    assert tomorrow.days == 1
    assert kept <= set(DailyClicks.objects.values_list("id", flat=True))
    today = noon(0).date()
    assert sum(DailyClicks.objects.filter(day=today).values_list("clicks", flat=True)) == (
        Click.objects.filter(clicked_at__date=today).count()
    )
    linkedin = NetworkClicks.objects.get(
        organisation=cast.nordlys, day=today, network="linkedin", kind=UNIQUE
    )
    assert linkedin.clicks == (
        Click.objects.filter(
            organisation=cast.nordlys, clicked_at__date=today, network="linkedin", kind=UNIQUE
        ).count()
    )
    assert narrower_sums_agree()


def test_a_day_whose_pending_clicks_are_counted_is_read_live_until_recomputed(
    cast, links, django_capture_on_commit_callbacks
):
    yesterday = noon(1)
    click(links["bob"], "198.51.100.1", now=yesterday)  # pending, as recorded
    click(links["bob"], "198.51.100.1", now=yesterday + dt.timedelta(minutes=1))
    assert refresh().complete_before == yesterday.date() + DAY
    assert DailyClicks.objects.get(day=yesterday.date()).kind == ClickKind.PENDING
    period = Filters(since=yesterday - DAY, until=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        count_pending_clicks()
    # The day is no longer final: the reports count the settled clicks from the clicks.
    assert ClickRollup.objects.get().complete_before == yesterday.date()
    linkedin = reports.networks(cast.nordlys, period)[0]
    assert (linkedin.clicks, linkedin.unique_clicks) == (2, 1)
    assert refresh().complete_before == yesterday.date() + DAY
    assert dict(DailyClicks.objects.filter(day=yesterday.date()).values_list("kind", "clicks")) == {
        UNIQUE: 1,
        REPEAT: 1,
    }
    assert reports.networks(cast.nordlys, period)[0] == linkedin
    sales = dataclasses.replace(period, department=cast.engineering)  # bob's
    assert reports.networks(cast.nordlys, sales)[0] == linkedin
    assert narrower_sums_agree()


def test_an_hour_whose_pending_clicks_are_counted_is_read_live_until_recomputed(
    cast, links, django_capture_on_commit_callbacks
):
    now = noon(0) + dt.timedelta(hours=3)  # 15:00 UTC today
    click(links["bob"], "198.51.100.1", now=noon(0))  # pending, as recorded
    click(links["bob"], "198.51.100.1", now=noon(0) + dt.timedelta(minutes=1))
    refresh(now=now)
    assert rolled_up() == (noon(0).date(), noon(0) + dt.timedelta(hours=2))
    assert DailyClicks.objects.get(hour=12).kind == ClickKind.PENDING
    period = Filters(since=now - DAY, until=now)
    left_out = {row.kind: row.clicks for row in reports.left_out(cast.nordlys, period)}
    assert left_out[ClickKind.PENDING] == 2

    with django_capture_on_commit_callbacks(execute=True):
        count_pending_clicks(now=now)
    assert rolled_up() == (noon(0).date(), noon(0))  # the hour is read live again
    linkedin = reports.networks(cast.nordlys, period)[0]
    assert (linkedin.clicks, linkedin.unique_clicks) == (2, 1)
    assert refresh(now=now).complete_before == noon(0).date()
    assert rolled_up()[1] == noon(0) + dt.timedelta(hours=2)
    assert dict(DailyClicks.objects.filter(hour=12).values_list("kind", "clicks")) == {
        UNIQUE: 1,
        REPEAT: 1,
    }
    assert reports.networks(cast.nordlys, period)[0] == linkedin
    assert narrower_sums_agree()


def test_reports_give_the_same_numbers_rolled_up_as_live(cast, past_clicks):
    now = timezone.now()
    periods = [
        Filters(since=now - dt.timedelta(days=days, hours=hours), until=now - dt.timedelta(hours=h))
        for days, hours, h in ((7, 0, 0), (3, 5, 0), (30, 0, 0), (8, 7, 30), (0, 6, 0))
    ]
    variants = []
    for period in periods:
        variants += [
            period,
            dataclasses.replace(period, department=cast.sales),
            dataclasses.replace(period, network="linkedin"),
            dataclasses.replace(period, source_list=cast.company_list),
        ]

    def numbers():
        return [
            (
                reports.networks(organisation, filters),
                reports.items(organisation, filters),
                reports.items(organisation, filters, limit=1),  # the clicks of the top ones
                reports.left_out(organisation, filters),
                reports.leaders(organisation, filters),
                reports.departments(organisation, filters),
                reports.weekly_participation(organisation, filters),
            )
            for organisation in (cast.nordlys, cast.havn)
            for filters in variants
        ]

    live = numbers()
    assert any(row.clicks for row in live[0][0])  # the comparison is not between zeros
    assert all(top[2] == top[1][:1] for top in live)
    refresh()
    assert DailyClicks.objects.exists()
    assert numbers() == live


def test_the_rollup_holds_no_person_and_follows_an_erasure(cast, links, past_clicks):
    refresh()
    assert "person" not in {field.name for field in DailyClicks._meta.get_fields()}
    total = sum(DailyClicks.objects.values_list("clicks", flat=True))
    erase_person(cast.sara)
    refresh(full=True)
    # Every click still counts, none of them under Sara's department any more.
    assert sum(DailyClicks.objects.values_list("clicks", flat=True)) == total
    assert not DailyClicks.objects.filter(network="x", department=cast.sales).exists()
    assert DailyClicks.objects.filter(network="x", department=None).exists()


def test_the_rollup_follows_deleted_clicks_and_organisations(cast, links, past_clicks):
    """Each way of deleting clicks: tests/analytics/test_deleting_clicks.py."""
    refresh()
    cast.havn.delete()
    assert delete_clicks(Click.objects.filter(link__item=cast.article)) == past_clicks * 2 // 3
    assert not DailyClicks.objects.exists()
    assert not NetworkClicks.objects.exists()
    assert not DepartmentClicks.objects.exists()
    assert ClickRollup.objects.get().complete_before is not None


def test_the_schedule_refreshes_the_rollup_every_few_minutes():
    entry = next(e for e in SCHEDULE if e.name == "analytics.refresh_click_rollup")
    assert entry.every <= dt.timedelta(minutes=10)
