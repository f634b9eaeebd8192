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
day (hour) live again until the next refresh recomputes it. Clicks are deleted only
through ``delete_clicks`` (with a lead, a tracked link, an item), which rolls the cells
they were in up again at once; deleting an organisation takes its roll-ups along.
Department changes are not followed: a day keeps the departments sharers had when it was
rolled up.

Reports (``analytics.reports``) read the days before ``complete_before`` from here and the
rest live, so their numbers are exact at all times.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncHour
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


def _locked_state() -> ClickRollup:
    """The state row, locked to the end of the transaction: refreshes and deletions of
    clicks wait for each other here."""
    ClickRollup.objects.get_or_create(pk=1)
    return ClickRollup.objects.select_for_update().get(pk=1)


def refresh(now: dt.datetime | None = None, *, full: bool = False) -> Refreshed:
    """Recompute the days not final yet (every day with ``full``), up to the last day that
    ended more than ``LATE_MARGIN`` ago, then the hours of the next day that did. Safe to
    run again and from several workers: runs wait for each other on the state row."""
    now = now or timezone.now()
    settled_until = now - LATE_MARGIN - settle_window()
    last_day = settled_until.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    with transaction.atomic():
        state = _locked_state()
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
    counted = _grouped(Click.objects.filter(clicked_at__gte=start, clicked_at__lt=stop))
    by_network, by_department = _narrower(counted)
    created = DailyClicks.objects.bulk_create(_daily_rows(day, hour, counted), batch_size=2000)
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


# The keys of the narrower sums, in the order of the counters of ``_narrower``.
NETWORK_KEY = ("organisation_id", "network", "kind")
DEPARTMENT_KEY = ("organisation_id", "department_id", "network", "kind")


def _grouped(clicks) -> list[tuple]:
    """(organisation, item, network, department, kind, clicks) of ``clicks``: one
    ``DailyClicks`` row each, for a day or an hour."""
    return list(
        clicks.values(
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


def _daily_rows(day: dt.date, hour: int | None, counted: list[tuple]):
    for organisation_id, item_id, network, department_id, kind, clicks in counted:
        yield DailyClicks(
            organisation_id=organisation_id,
            day=day,
            hour=hour,
            item_id=item_id,
            network=network,
            department_id=department_id,
            kind=kind,
            clicks=clicks,
        )


def _narrower(rows) -> tuple[Counter, Counter]:
    """The sums of ``DailyClicks`` rows (as ``_grouped`` gives them) without the item: by
    ``NETWORK_KEY`` and by ``DEPARTMENT_KEY``."""
    by_network, by_department = Counter(), Counter()
    for organisation_id, _item_id, network, department_id, kind, clicks in rows:
        by_network[organisation_id, network, kind] += clicks
        by_department[organisation_id, department_id, network, kind] += clicks
    return by_network, by_department


@transaction.atomic
def delete_clicks(clicks: QuerySet[Click]) -> int:
    """Delete ``clicks``, keeping every roll-up the sum of the clicks that remain; returns
    how many were deleted. The one way clicks go: with a lead (``leads.delete_lead``), with
    a tracked link or an item in the admin. An organisation takes its roll-ups along.

    1. Wait for a running refresh (the state row), then find the rolled-up cells the clicks
       are in: an organisation's day (before ``complete_before``) or hour (of that day,
       before ``hours_before``), with the items clicked in it. Clicks read live need
       nothing more.
    2. Delete the clicks.
    3. Roll each cell up again from the clicks that remain, in place of its ``DailyClicks``
       rows, and carry the difference into ``NetworkClicks`` and ``DepartmentClicks``,
       which have no item. Recomputed rather than subtracted: a row holds the department
       its sharer had when it was rolled up, which the clicks no longer tell.
    """
    state = _locked_state()
    cells: defaultdict[tuple, set] = defaultdict(set)
    for organisation_id, hour, item_id in (
        clicks.order_by()
        .annotate(hour=TruncHour("clicked_at", tzinfo=dt.UTC))
        .values_list("organisation_id", "hour", "link__item_id")
        .distinct()
    ):
        hour = hour.astimezone(dt.UTC)
        day = hour.date()
        if state.complete_before is None or day > state.complete_before:
            continue
        if day < state.complete_before:
            cells[organisation_id, day, None].add(item_id)
        elif state.hours_before is not None and hour < state.hours_before:
            cells[organisation_id, day, hour.hour].add(item_id)
    _collected, deleted = clicks.delete()
    for (organisation_id, day, hour), item_ids in cells.items():
        _roll_up_again(organisation_id, day, hour, item_ids)
    return deleted.get(Click._meta.label, 0)


def _of_items(field: str, item_ids: set) -> Q:
    """``field`` (an item's id) among ``item_ids``, of which one may be None (no item)."""
    found = Q(**{f"{field}__in": [pk for pk in item_ids if pk is not None]})
    return (found | Q(**{f"{field}__isnull": True})) if None in item_ids else found


def _roll_up_again(organisation_id: int, day: dt.date, hour: int | None, item_ids: set) -> None:
    """Step 3 of ``delete_clicks`` for one cell: its items' rows of the day (``hour`` None)
    or hour, from the clicks left."""
    start = day_start(day) + (hour or 0) * HOUR
    stop = start + (HOUR if hour is not None else dt.timedelta(days=1))
    rows = DailyClicks.objects.filter(organisation_id=organisation_id, day=day, hour=hour).filter(
        _of_items("item_id", item_ids)
    )
    before = list(
        rows.values_list("organisation_id", "item_id", "network", "department_id", "kind", "clicks")
    )
    rows.delete()
    after = _grouped(
        Click.objects.filter(
            organisation_id=organisation_id, clicked_at__gte=start, clicked_at__lt=stop
        ).filter(_of_items("link__item_id", item_ids))
    )
    DailyClicks.objects.bulk_create(_daily_rows(day, hour, after), batch_size=2000)
    for table, key, was, now in zip(
        (NetworkClicks, DepartmentClicks),
        (NETWORK_KEY, DEPARTMENT_KEY),
        _narrower(before),
        _narrower(after),
        strict=True,
    ):
        for values in was.keys() | now.keys():
            change = now[values] - was[values]
            fields = {"day": day, "hour": hour, **dict(zip(key, values, strict=True))}
            if change and not table.objects.filter(**fields).update(clicks=F("clicks") + change):
                table.objects.create(**fields, clicks=change)  # a department new to the day
        table.objects.filter(organisation_id=organisation_id, day=day, hour=hour, clicks=0).delete()
