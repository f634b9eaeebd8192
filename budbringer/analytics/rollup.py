"""The click roll-up: an idempotent, incremental refresh of ``DailyClicks`` and of its
narrower sums ``NetworkClicks`` and ``DepartmentClicks`` (see ``analytics.models``).

Only whole UTC days that ended more than ``LATE_MARGIN`` ago are rolled up, so clicks still
being written (the redirect path writes in batches) are not missed. Each refresh recomputes
(deletes, then inserts again) the days from ``ClickRollup.complete_before`` to the last
such day, and moves ``complete_before`` past them. The three tables are written together from
one grouping of each day's clicks, so they always hold the same days.

Clicks change after they are written only when the counting pass settles pending ones
(``links.counting``): its ``clicks_counted`` signal moves ``complete_before`` back to the
day of the oldest click it settled, so reports read that day live again until the next
refresh recomputes it. Deletions cascade here too (organisation, item); an item's clicks
leave the narrower sums, which have no item, through ``item_deleted``. Department changes
are not followed: a day keeps the departments sharers had when it was rolled up.

Reports (``analytics.reports``) read the days before ``complete_before`` from here and the
rest live, so their numbers are exact at all times.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from budbringer.analytics.models import (
    ClickRollup,
    DailyClicks,
    DepartmentClicks,
    NetworkClicks,
)
from budbringer.links.counting import settle_window
from budbringer.links.models import Click

# Clicks are written a few seconds after they are answered; a day is rolled up once it
# ended longer ago than this.
LATE_MARGIN = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Refreshed:
    days: int  # days recomputed
    rows: int  # DailyClicks rows written (the narrower tables get fewer)
    complete_before: dt.date | None


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def complete_before() -> dt.date | None:
    """Days before this one are final in the roll-up; None before the first refresh."""
    return ClickRollup.objects.filter(pk=1).values_list("complete_before", flat=True).first()


def refresh(now: dt.datetime | None = None, *, full: bool = False) -> Refreshed:
    """Recompute the days not final yet (every day with ``full``), up to the last day that
    ended more than ``LATE_MARGIN`` ago. Safe to run again and from several workers: runs
    wait for each other on the state row."""
    now = now or timezone.now()
    last_day = (now - LATE_MARGIN - settle_window()).astimezone(dt.UTC).date() - dt.timedelta(
        days=1
    )
    with transaction.atomic():
        ClickRollup.objects.get_or_create(pk=1)
        state = ClickRollup.objects.select_for_update().get(pk=1)
        first_day = None if full else state.complete_before
        if first_day is None:
            first_click = Click.objects.order_by("clicked_at").values_list("clicked_at").first()
            first_day = first_click[0].astimezone(dt.UTC).date() if first_click else last_day
        if full:
            for table in ROLLUPS:
                table.objects.all().delete()
        days = rows = 0
        day = first_day
        while day <= last_day:
            rows += _roll_up_day(day, replace=not full)
            days += 1
            day += dt.timedelta(days=1)
        state.complete_before = max(first_day, last_day + dt.timedelta(days=1))
        state.refreshed_at = now
        state.save()
    return Refreshed(days, rows, state.complete_before)


# Every table the refresh writes.
ROLLUPS = (DailyClicks, NetworkClicks, DepartmentClicks)


def _roll_up_day(day: dt.date, *, replace: bool) -> int:
    if replace:
        for table in ROLLUPS:
            table.objects.filter(day=day).delete()
    counted = list(
        Click.objects.filter(
            clicked_at__gte=day_start(day),
            clicked_at__lt=day_start(day + dt.timedelta(days=1)),
        )
        .values(
            "organisation_id", "link__item_id", "network", "link__person__department_id", "kind"
        )
        .annotate(clicks=Count("id"))
        .values_list(
            "organisation_id",
            "link__item_id",
            "network",
            "link__person__department_id",
            "kind",
            "clicks",
        )
        .order_by()
    )
    by_network, by_department = Counter(), Counter()
    for organisation_id, _item_id, network, department_id, kind, clicks in counted:
        by_network[organisation_id, network, kind] += clicks
        by_department[organisation_id, department_id, network, kind] += clicks
    created = DailyClicks.objects.bulk_create(
        (
            DailyClicks(
                organisation_id=organisation_id,
                day=day,
                item_id=item_id,
                network=network,
                department_id=department_id,
                kind=kind,
                clicks=clicks,
            )
            for organisation_id, item_id, network, department_id, kind, clicks in counted
        ),
        batch_size=2000,
    )
    NetworkClicks.objects.bulk_create(
        (
            NetworkClicks(
                organisation_id=organisation_id, day=day, network=network, kind=kind, clicks=clicks
            )
            for (organisation_id, network, kind), clicks in by_network.items()
        ),
        batch_size=2000,
    )
    DepartmentClicks.objects.bulk_create(
        (
            DepartmentClicks(
                organisation_id=organisation_id,
                day=day,
                department_id=department_id,
                network=network,
                kind=kind,
                clicks=clicks,
            )
            for (organisation_id, department_id, network, kind), clicks in by_department.items()
        ),
        batch_size=2000,
    )
    return len(created)


def clicks_settled(sender, clicks, **kwargs) -> None:
    """Receiver of ``clicks_counted``: days holding clicks that just changed kind are no
    longer final. One UPDATE; it waits for a running refresh, then applies to its result."""
    if clicks:
        oldest = min(click.clicked_at for click in clicks).astimezone(dt.UTC).date()
        ClickRollup.objects.filter(pk=1, complete_before__gt=oldest).update(complete_before=oldest)


def item_deleted(sender, instance, **kwargs) -> None:
    """Receiver of ``pre_delete`` for items: the item's ``DailyClicks`` rows go by cascade,
    and its clicks leave ``NetworkClicks`` and ``DepartmentClicks`` here, in the same
    transaction, so every table keeps the sums of the clicks that remain."""
    # Wait for a running refresh, then read what it wrote.
    ClickRollup.objects.select_for_update().filter(pk=1).first()
    by_network, by_department = Counter(), Counter()
    for organisation_id, day, network, department_id, kind, clicks in DailyClicks.objects.filter(
        item=instance
    ).values_list("organisation_id", "day", "network", "department_id", "kind", "clicks"):
        by_network[organisation_id, day, network, kind] += clicks
        by_department[organisation_id, day, department_id, network, kind] += clicks
    for (organisation_id, day, network, kind), clicks in by_network.items():
        NetworkClicks.objects.filter(
            organisation_id=organisation_id, day=day, network=network, kind=kind
        ).update(clicks=F("clicks") - clicks)
    for (organisation_id, day, department_id, network, kind), clicks in by_department.items():
        DepartmentClicks.objects.filter(
            organisation_id=organisation_id,
            day=day,
            department_id=department_id,
            network=network,
            kind=kind,
        ).update(clicks=F("clicks") - clicks)
    if by_network:
        for table in (NetworkClicks, DepartmentClicks):
            table.objects.filter(organisation_id=instance.organisation_id, clicks=0).delete()
