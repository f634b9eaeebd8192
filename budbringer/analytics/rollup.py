"""The click roll-up: an idempotent, incremental refresh of ``DailyClicks`` and of its
narrower sums ``NetworkClicks`` and ``DepartmentClicks`` (see ``analytics.models``).

Only whole UTC days that ended more than ``LATE_MARGIN`` ago are rolled up, so clicks still
being written (the redirect path writes in batches) are not missed. Each refresh recomputes
(deletes, then inserts again) the days from ``ClickRollup.complete_before`` to the last
such day, and moves ``complete_before`` past them. Then, the same way, the hours of the
day ``complete_before`` that ended more than ``LATE_MARGIN`` ago, up to
``ClickRollup.hours_before``: so a page reads live only the last hour or so of today, not
the whole day. When the day is over, its hour rows are replaced by its day rows. The three
tables are written together from one grouping of the clicks, so they hold the same days.

Clicks change after they are written only when the counting pass settles pending ones
(``links.counting``): its ``clicks_counted`` signal moves ``complete_before`` back to the
day of the oldest click it settled (``hours_before`` to its hour), so reports read that
day (hour) live again until the next refresh recomputes it. Deletions cascade here too
(organisation, item); an item's clicks leave the narrower sums, which have no item, through
``item_deleted``. Department changes are not followed: a day keeps the departments sharers
had when it was rolled up.

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


HOUR = dt.timedelta(hours=1)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def hour_start(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def rolled_up() -> tuple[dt.date | None, dt.datetime | None]:
    """(complete_before, hours_before): see ``ClickRollup``."""
    found = ClickRollup.objects.filter(pk=1).values_list("complete_before", "hours_before")
    return found.first() or (None, None)


def refresh(now: dt.datetime | None = None, *, full: bool = False) -> Refreshed:
    """Recompute the days not final yet (every day with ``full``), up to the last day that
    ended more than ``LATE_MARGIN`` ago, then the hours of the next day that did. Safe to
    run again and from several workers: runs wait for each other on the state row."""
    now = now or timezone.now()
    settled_until = now - LATE_MARGIN - settle_window()
    last_day = settled_until.astimezone(dt.UTC).date() - dt.timedelta(days=1)
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
            rows += _roll_up(day, None, replace=not full)
            days += 1
            day += dt.timedelta(days=1)
        state.complete_before = max(first_day, last_day + dt.timedelta(days=1))
        # The hours of the first day not final, from where the last refresh stopped.
        opened = day_start(state.complete_before)
        hour = max(opened, state.hours_before or opened) if not full else opened
        hour = min(hour, opened + dt.timedelta(days=1))
        while hour + HOUR <= min(hour_start(settled_until), opened + dt.timedelta(days=1)):
            _roll_up(state.complete_before, hour.hour, replace=True)
            hour += HOUR
        state.hours_before = hour
        state.refreshed_at = now
        state.save()
    return Refreshed(days, rows, state.complete_before)


# Every table the refresh writes.
ROLLUPS = (DailyClicks, NetworkClicks, DepartmentClicks)


def _roll_up(day: dt.date, hour: int | None, *, replace: bool) -> int:
    """Roll up one day (``hour`` None: all of it, replacing its hour rows) or one hour."""
    start = day_start(day)
    if hour is None:
        stop = start + dt.timedelta(days=1)
    else:
        start += hour * HOUR
        stop = start + HOUR
    if replace:
        for table in ROLLUPS:
            rows = table.objects.filter(day=day)
            (rows if hour is None else rows.filter(hour=hour)).delete()
    counted = list(
        Click.objects.filter(clicked_at__gte=start, clicked_at__lt=stop)
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
                hour=hour,
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
                organisation_id=organisation_id,
                day=day,
                hour=hour,
                network=network,
                kind=kind,
                clicks=clicks,
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
                hour=hour,
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
    longer final. UPDATEs that wait for a running refresh, then apply to its result."""
    if clicks:
        oldest = min(click.clicked_at for click in clicks)
        day = oldest.astimezone(dt.UTC).date()
        # A day before the one rolled up by the hour: from it on, nothing is by the hour.
        ClickRollup.objects.filter(pk=1, complete_before__gt=day).update(
            complete_before=day, hours_before=day_start(day)
        )
        ClickRollup.objects.filter(pk=1, hours_before__gt=hour_start(oldest)).update(
            hours_before=hour_start(oldest)
        )


def item_deleted(sender, instance, **kwargs) -> None:
    """Receiver of ``pre_delete`` for items: the item's ``DailyClicks`` rows go by cascade,
    and its clicks leave ``NetworkClicks`` and ``DepartmentClicks`` here, in the same
    transaction, so every table keeps the sums of the clicks that remain."""
    # Wait for a running refresh, then read what it wrote.
    ClickRollup.objects.select_for_update().filter(pk=1).first()
    by_network, by_department = Counter(), Counter()
    for (
        organisation_id,
        day,
        hour,
        network,
        department_id,
        kind,
        clicks,
    ) in DailyClicks.objects.filter(item=instance).values_list(
        "organisation_id", "day", "hour", "network", "department_id", "kind", "clicks"
    ):
        by_network[organisation_id, day, hour, network, kind] += clicks
        by_department[organisation_id, day, hour, department_id, network, kind] += clicks
    for (organisation_id, day, hour, network, kind), clicks in by_network.items():
        NetworkClicks.objects.filter(
            organisation_id=organisation_id, day=day, hour=hour, network=network, kind=kind
        ).update(clicks=F("clicks") - clicks)
    for (organisation_id, day, hour, department_id, network, kind), clicks in by_department.items():
        DepartmentClicks.objects.filter(
            organisation_id=organisation_id,
            day=day,
            hour=hour,
            department_id=department_id,
            network=network,
            kind=kind,
        ).update(clicks=F("clicks") - clicks)
    if by_network:
        for table in (NetworkClicks, DepartmentClicks):
            table.objects.filter(organisation_id=instance.organisation_id, clicks=0).delete()
