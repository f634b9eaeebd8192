"""Analytics reports: plain functions from an organisation and ``Filters`` to rows.

Counting, everywhere: *unique clicks* are clicks of kind ``unique``; *clicks* are ``unique``
plus ``repeat``. Clicks not yet counted (``pending``) and clicks by machines (bots, previews,
probes, e-mail scanners) are in no count; ``left_out`` shows how many there were.

Click numbers come from the daily roll-ups (``analytics.rollup``) for whole days they hold
as final, and from the clicks themselves for the rest of the period, so they stay exact.

People are counted by ``analytics.headcounts`` (the small-group rule counts with it too);
who never shared comes from ``Person.first_shared_at``. Shares are grouped in the database,
weeks included, so no report reads a row per person or per click.
"""

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from budbringer.accounts.models import Department, Organisation, Person, Role
from budbringer.analytics import rollup
from budbringer.analytics.filters import Filters
from budbringer.analytics.headcounts import (
    CHUNK,
    departures,
    everyone,
    headcount,
    inactive_people,
    weekly_headcount,
)
from budbringer.analytics.models import DailyClicks, DepartmentClicks, NetworkClicks
from budbringer.content.models import Item
from budbringer.links.models import MACHINE_KINDS, Click, ClickKind, TrackedLink
from budbringer.sharing.models import Share
from budbringer.sharing.networks import NETWORKS
from budbringer.timing.service import MIN_GROUP_PEOPLE

COUNTED_KINDS = (ClickKind.UNIQUE, ClickKind.REPEAT)
LEFT_OUT_KINDS = (ClickKind.PENDING, *MACHINE_KINDS)


def _rate(part: int, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def as_percent(fraction: float | None) -> float | None:
    """A fraction as a percentage with one decimal, as pages and CSV files show them."""
    return None if fraction is None else round(fraction * 100, 1)


def audience_per_share(network: str) -> int:
    """How many people one share on ``network`` is assumed to reach (docs/configuration.md)."""
    return settings.ANALYTICS_AUDIENCE_PER_SHARE.get(network, 0)


# --- the querysets every report starts from ------------------------------------------------


def people(organisation: Organisation, filters: Filters):
    rows = Person.objects.in_organisation(organisation).active()
    if filters.department:
        rows = rows.filter(department=filters.department)
    return rows


def never_shared_count(organisation: Organisation, filters: Filters, inactive=None) -> Counter:
    """{department id: people active today who have never shared anything}."""
    counts = Counter(
        dict(
            everyone(organisation, filters.department)
            .filter(first_shared_at=None)
            .values_list("department_id")
            .annotate(n=Count("*"))
        )
    )
    inactive = inactive_people(organisation) if inactive is None else inactive
    for department_id, shared in inactive.values():
        if not shared and department_id in counts:
            counts[department_id] -= 1
    return +counts


def _active_shares(organisation: Organisation, filters: Filters, inactive=None):
    """The period's shares by people active today."""
    inactive = inactive_people(organisation) if inactive is None else inactive
    rows = shares(organisation, filters).filter(person__isnull=False).order_by()
    if len(inactive) > CHUNK:
        return rows.filter(person__user__is_active=True)
    return rows.exclude(person__in=list(inactive)) if inactive else rows


def _shares_while_active(organisation: Organisation, filters: Filters, departed):
    """The period's shares by people, those who left since included (they could share only
    while they were active), less those of people who left at a time we do not know
    (``departed``: ``headcounts.departures``)."""
    rows = shares(organisation, filters).filter(person__isnull=False).order_by()
    unknown = [pk for pk, _department, _joined, left in departed if left is None]
    if len(unknown) > CHUNK:
        return rows.filter(
            Q(person__user__is_active=True) | Q(person__deactivated_at__isnull=False)
        )
    return rows.exclude(person__in=unknown) if unknown else rows


def shares(organisation: Organisation, filters: Filters):
    rows = Share.objects.filter(
        organisation=organisation, created_at__gte=filters.since, created_at__lt=filters.until
    ).order_by()
    if filters.department:
        # The department's people as a list to look each share up in, rather than a join
        # to every sharer's row.
        rows = rows.filter(
            person__in=Person.objects.filter(
                organisation=organisation, department=filters.department
            ).values("pk")
        )
    if filters.source_list:
        rows = rows.filter(item__source__lists=filters.source_list)
    if filters.network:
        rows = rows.filter(network=filters.network)
    return rows


def clicks(organisation: Organisation, filters: Filters, kinds=COUNTED_KINDS):
    """The period's clicks, read from the clicks themselves (the roll-up aside)."""
    return _filtered_clicks(organisation, filters, kinds).filter(
        clicked_at__gte=filters.since, clicked_at__lt=filters.until
    )


def _filtered_clicks(organisation: Organisation, filters: Filters, kinds):
    rows = Click.objects.filter(organisation=organisation, kind__in=kinds)
    if filters.department:
        rows = rows.filter(link__person__department=filters.department)
    if filters.source_list:
        rows = rows.filter(link__item__source__lists=filters.source_list)
    if filters.network:
        rows = rows.filter(network=filters.network)
    return rows


# Where each grouping is found: in the roll-ups, and on a click.
_ROLLED_KEY = {"network": "network", "item": "item_id", "kind": "kind"}
_LIVE_KEY = {"network": "network", "item": "link__item_id", "kind": "kind"}


def _rolled(organisation: Organisation, filters: Filters, by: str, items):
    """The narrowest roll-up that answers: by item or by list only the one with items, by
    department the one with departments, else the one per network (about 35 rows a day)."""
    if by == "item" or filters.source_list or items is not None:
        rows = DailyClicks.objects.filter(organisation=organisation)
        if filters.source_list:
            rows = rows.filter(item__source__lists=filters.source_list)
        if items is not None:
            rows = rows.filter(item__in=items)
        if filters.department:
            rows = rows.filter(department=filters.department)
    elif filters.department:
        rows = DepartmentClicks.objects.filter(
            organisation=organisation, department=filters.department
        )
    else:
        rows = NetworkClicks.objects.filter(organisation=organisation)
    if filters.network:
        rows = rows.filter(network=filters.network)
    return rows


@dataclass(frozen=True)
class _Periods:
    """How a period is read: whole final days from the day rows, then hours of the first
    day not final from the hour rows, and the time ranges around them from the clicks."""

    days: tuple[dt.date, dt.date] | None  # (first, end), end excluded
    hours: tuple[dt.date, int, int] | None  # (day, first hour, end hour)
    live: list[tuple[dt.datetime, dt.datetime]]


def _periods(filters: Filters) -> _Periods:
    final_before, hours_before = rollup.rolled_up()
    if final_before is None:
        return _Periods(None, None, [(filters.since, filters.until)])
    rolled = []
    first = filters.since.astimezone(dt.UTC).date()
    if rollup.day_start(first) < filters.since:
        first += dt.timedelta(days=1)
    end = min(filters.until.astimezone(dt.UTC).date(), final_before)
    days = (first, end) if end > first else None
    if days:
        rolled.append((rollup.day_start(first), rollup.day_start(end)))
    hours = None
    opened = rollup.day_start(final_before)
    if hours_before is not None and hours_before > opened:
        start = max(opened, rollup.hour_start(filters.since))
        if start < filters.since:
            start += rollup.HOUR
        stop = min(hours_before, rollup.hour_start(filters.until))
        if stop > start:
            hours = (final_before, (start - opened) // rollup.HOUR, (stop - opened) // rollup.HOUR)
            rolled.append((start, stop))
    live, at = [], filters.since
    for start, stop in rolled:
        if at < start:
            live.append((at, start))
        at = stop
    if at < filters.until:
        live.append((at, filters.until))
    return _Periods(days, hours, live)


def click_counts(
    organisation: Organisation, filters: Filters, by: str, kinds=COUNTED_KINDS, items=None
):
    """{key: {kind: clicks}} for ``by`` one of network, item or kind (``items``: only those
    items): whole final days from the roll-ups, the rest of the period from the clicks."""
    periods = _periods(filters)
    found: dict = defaultdict(lambda: defaultdict(int))
    key = _ROLLED_KEY[by]
    rolled = _rolled(organisation, filters, by, items).filter(kind__in=kinds)
    if periods.days:
        first, end = periods.days
        for value, kind, count in (
            rolled.filter(day__gte=first, day__lt=end, hour=None)
            .values_list(key, "kind")
            .annotate(n=Sum("clicks"))
            .order_by()
        ):
            found[value][kind] += count
    if periods.hours:
        day, first_hour, end_hour = periods.hours
        for value, kind, count in (
            rolled.filter(day=day, hour__gte=first_hour, hour__lt=end_hour)
            .values_list(key, "kind")
            .annotate(n=Sum("clicks"))
            .order_by()
        ):
            found[value][kind] += count
    live = periods.live
    if live:
        in_ranges = Q()
        for start, stop in live:
            in_ranges |= Q(clicked_at__gte=start, clicked_at__lt=stop)
        rows = _filtered_clicks(organisation, filters, kinds).filter(in_ranges)
        if items is not None:
            rows = rows.filter(link__item__in=items)
        key = _LIVE_KEY[by]
        for value, kind, count in rows.values_list(key, "kind").annotate(n=Count("id")).order_by():
            found[value][kind] += count
    return found


def _totals(by_kind: dict) -> tuple[int, int]:
    """(clicks, unique clicks) of {kind: clicks}."""
    return sum(by_kind.get(kind, 0) for kind in COUNTED_KINDS), by_kind.get(ClickKind.UNIQUE, 0)


# --- participation -------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    """One week of participation, Monday 00:00 to Monday 00:00 in the zone it was counted in.

    A week is *complete* when all of it lies inside the period and in the past; the first
    and the current week of a period are usually partial, and their rate is not comparable
    with a whole week's (fewer days to share in).
    """

    week: dt.date  # the Monday the week starts on
    days: float  # how many days of the week the period covers (7 when complete)
    complete: bool
    people: int  # active in the week: joined before it ended, not left before it began
    sharers: int  # of those people, how many shared at least once in the week's part

    @property
    def rate(self) -> float:
        return _rate(self.sharers, self.people)


def _covered_days(start: dt.datetime, end: dt.datetime) -> float:
    """Days from ``start`` to ``end``, rounded down to a tenth so that a partial week never
    reads as 7."""
    return math.floor((end - start).total_seconds() / 86400 * 10) / 10


def weekly_participation(
    organisation: Organisation, filters: Filters, zone: dt.tzinfo | None = None
) -> list[WeekRow]:
    """Participation per week of the period: the one computation behind the dashboard's
    table and chart, its CSV and the API's /participation.

    Weeks start on Monday at midnight in ``zone`` (by default the current time zone: on a
    page the viewer's own). People are those of the week (``headcounts.weekly_headcount``):
    someone who left keeps their place, and their shares, in the weeks they were there, and
    someone who joined counts from their first week. Sharers are those of them who shared
    in the part of the week inside the period.
    """
    zone = zone or timezone.get_current_timezone()
    end = min(filters.until, timezone.now())
    first = filters.since.astimezone(zone).date()
    week = first - dt.timedelta(days=first.weekday())
    starts = []  # each week's first instant, and the next week's
    while not starts or starts[-1] < filters.until:
        starts.append(dt.datetime.combine(week, dt.time(), tzinfo=zone))
        week += dt.timedelta(days=7)
    weeks = len(starts) - 1
    departed = departures(organisation)
    people = weekly_headcount(organisation, filters.department, starts, departed)
    # Each share's week by comparing it with the weeks' first instants, in the database:
    # no date function per row (on SQLite that is Python code for each share).
    by_week = dict(
        _shares_while_active(organisation, filters, departed)
        .annotate(week=_week_of("created_at", starts))
        .values_list("week")
        .annotate(sharers=Count("person", distinct=True))
    )
    rows = []
    for index in range(weeks):
        start, stop = starts[index], starts[index + 1]
        complete = filters.since <= start and stop <= end
        covered = _covered_days(max(start, filters.since), max(min(stop, end), start))
        rows.append(
            WeekRow(
                week=start.date(),
                days=7 if complete else covered,
                complete=complete,
                people=people[index],
                sharers=by_week.get(index, 0),
            )
        )
    return rows


def _week_of(field: str, starts: list[dt.datetime]) -> Case:
    """The index of the week that ``field`` falls in, of the weeks starting at ``starts``
    (the last of them the end of the last week), for a moment inside them."""
    return Case(
        *(
            When(**{f"{field}__lt": start}, then=Value(index))
            for index, start in enumerate(starts[1:-1])
        ),
        default=Value(len(starts) - 2),
        output_field=IntegerField(),
    )


def _shares_per_department(organisation: Organisation, filters: Filters, inactive) -> dict:
    """{department id: (shares, people who shared)} in the period, of people active today."""
    return {
        department_id: (count, sharers)
        for department_id, count, sharers in _active_shares(organisation, filters, inactive)
        .values_list("person__department_id")
        .annotate(n=Count("id"), sharers=Count("person", distinct=True))
    }


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    people: int
    # None when the row is too small to show (merged small groups of under five in all).
    sharers: int | None
    never_shared: int | None
    merged_groups: int = 0  # how many small departments this row stands for
    department_id: int | None = None  # None for no department and for merged groups

    @property
    def rate(self) -> float | None:
        return None if self.sharers is None else _rate(self.sharers, self.people)


def departments(organisation: Organisation, filters: Filters) -> list[DepartmentRow]:
    """Per department: people, who shared in the period, and how many have never shared at
    all (``never_shared`` names them, for one department).

    Departments the small-group rule hides (``Filters.hides``) are merged into one row, so
    no one can be singled out.
    """
    inactive = inactive_people(organisation)
    people_in = headcount(organisation, filters.department, inactive)
    shared = _shares_per_department(organisation, filters, inactive)
    never = never_shared_count(organisation, filters, inactive)
    names = dict(Department.objects.filter(organisation=organisation).values_list("id", "name"))
    shown, small = [], []
    for department_id, count in people_in.items():
        entry = DepartmentRow(
            names.get(department_id) or _("No department"),
            count,
            shared.get(department_id, (0, 0))[1],
            never.get(department_id, 0),
            department_id=department_id,
        )
        if filters.hides(count):
            small.append(entry)
        else:
            shown.append(entry)
    shown.sort(key=lambda entry: entry.department)
    if small:
        merged = sum(entry.people for entry in small)
        # Merged, they may still be fewer than five (one small department, say): then
        # what they did is not shown either.
        too_small = filters.hides(merged)
        shown.append(
            DepartmentRow(
                _("Groups under %(count)d people") % {"count": MIN_GROUP_PEOPLE},
                merged,
                None if too_small else sum(entry.sharers for entry in small),
                None if too_small else sum(entry.never_shared for entry in small),
                merged_groups=len(small),
            )
        )
    return shown


def never_shared(organisation: Organisation, filters: Filters):
    """The names of the chosen department's people who have never shared, by name (a
    queryset, to page through); None without a department, or when the department has
    under five people and the viewer sees such groups only merged."""
    if filters.department is None:
        return None
    if filters.hides(sum(headcount(organisation, filters.department).values())):
        return None
    return (
        people(organisation, filters)
        .filter(first_shared_at=None)
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )


# --- leaders next to their teams -------------------------------------------------------------


@dataclass(frozen=True)
class LeaderRow:
    leader: str
    department: str
    shares: int
    unique_clicks: int
    # The rest of the leader's department; None when it is too small to show.
    team_people: int | None
    team_shares: int | None
    team_sharers: int | None

    @property
    def team_shares_per_person(self) -> float | None:
        if self.team_people is None:
            return None
        return round(self.team_shares / self.team_people, 2) if self.team_people else 0.0


def leaders(organisation: Organisation, filters: Filters) -> list[LeaderRow]:
    """Each leader's own shares and clicks next to those of the rest of their department."""
    leader_people = list(
        people(organisation, filters)
        .filter(role=Role.LEADER)
        .select_related("department")
        .order_by("name")
    )
    leader_ids = [leader.pk for leader in leader_people]
    share_counts = dict(
        shares(organisation, filters)
        .filter(person__in=leader_ids)
        .values_list("person_id")
        .annotate(n=Count("id"))
    )
    unique = _leaders_unique_clicks(organisation, filters, leader_ids)
    inactive = inactive_people(organisation)
    headcounts = headcount(organisation, filters.department, inactive)
    # Whole departments in one query; the leader's own part is taken out below.
    by_department = _shares_per_department(organisation, filters, inactive)
    rows = []
    for leader in leader_people:
        size = headcounts.get(leader.department_id, 0) - 1
        if leader.department_id is None or filters.hides(size):
            team_people = team_shares = team_sharers = None
        else:
            own = share_counts.get(leader.pk, 0)
            whole_shares, whole_sharers = by_department.get(leader.department_id, (0, 0))
            team_people = size
            team_shares = whole_shares - own
            team_sharers = whole_sharers - (1 if own else 0)
        rows.append(
            LeaderRow(
                leader.name,
                leader.department.name if leader.department else _("No department"),
                share_counts.get(leader.pk, 0),
                unique.get(leader.pk, 0),
                team_people,
                team_shares,
                team_sharers,
            )
        )
    return rows


def _leaders_unique_clicks(organisation: Organisation, filters: Filters, leader_ids) -> dict:
    """{leader id: unique clicks in the period on their links}."""
    links = TrackedLink.objects.filter(organisation=organisation, person__in=leader_ids)
    if filters.source_list:
        links = links.filter(item__source__lists=filters.source_list)
    leader_of = dict(links.values_list("id", "person_id"))
    # Only the link in the WHERE clause, the rest counted conditionally: the planner then
    # reads the clicks through the link index instead of a day's clicks of everyone.
    in_period = Q(
        kind=ClickKind.UNIQUE, clicked_at__gte=filters.since, clicked_at__lt=filters.until
    )
    if filters.network:
        in_period &= Q(network=filters.network)
    unique: dict = defaultdict(int)
    link_ids = list(leader_of)
    for start in range(0, len(link_ids), CHUNK):
        for link_id, count in (
            Click.objects.filter(link__in=link_ids[start : start + CHUNK])
            .values_list("link_id")
            .annotate(n=Count("id", filter=in_period))
            .order_by()
        ):
            unique[leader_of[link_id]] += count
    return unique


# --- what sharing reaches ------------------------------------------------------------------


# Under this many people estimated reached, click-through is not given: one click would
# move it by a whole point or more, and e-mail's assumed audience of 1 per share lands here.
MIN_REACH_FOR_CLICK_THROUGH = 100


@dataclass(frozen=True, kw_only=True)
class Reached:
    """What shares brought: counted clicks and the people estimated to have seen them."""

    shares: int
    clicks: int
    unique_clicks: int
    estimated_reach: int  # shares times the audience assumed per share: an estimate

    @property
    def click_through(self) -> float | None:
        """Unique clicks per person estimated to have seen a share (an estimate, as the
        reach is); None where that means nothing: under ``MIN_REACH_FOR_CLICK_THROUGH``
        people reached, or more unique clicks than people reached (the assumed audience is
        then evidently too small)."""
        if self.estimated_reach < MIN_REACH_FOR_CLICK_THROUGH:
            return None
        if self.unique_clicks > self.estimated_reach:
            return None
        return self.unique_clicks / self.estimated_reach


@dataclass(frozen=True, kw_only=True)
class NetworkRow(Reached):
    network: str
    label: str


def networks(organisation: Organisation, filters: Filters) -> list[NetworkRow]:
    share_counts = dict(
        shares(organisation, filters).values_list("network").annotate(n=Count("id"))
    )
    counted = click_counts(organisation, filters, "network")
    rows = []
    for slug, network in NETWORKS.items():
        if filters.network and slug != filters.network:
            continue
        shared = share_counts.get(slug, 0)
        total, unique = _totals(counted.get(slug, {}))
        rows.append(
            NetworkRow(
                network=slug,
                label=str(network.label),
                shares=shared,
                clicks=total,
                unique_clicks=unique,
                estimated_reach=shared * audience_per_share(slug),
            )
        )
    return rows


@dataclass(frozen=True, kw_only=True)
class ItemRow(Reached):
    item_id: int
    title: str


def items(organisation: Organisation, filters: Filters, limit: int = 50) -> list[ItemRow]:
    """The items shared or clicked in the period, most shared first."""
    shares_by: dict = defaultdict(int)
    reach_by: dict = defaultdict(int)
    for item_id, network, count in (
        shares(organisation, filters).values_list("item_id", "network").annotate(n=Count("id"))
    ):
        shares_by[item_id] += count
        reach_by[item_id] += count * audience_per_share(network)
    # The top rows are the most shared: when enough items were shared, only those shared at
    # least as often as the last of the top rows can be among them, and only their clicks
    # are read (ties are ordered by clicks).
    candidates = None
    if len(shares_by) >= limit:
        least = sorted(shares_by.values(), reverse=True)[limit - 1]
        candidates = [item_id for item_id, count in shares_by.items() if count >= least]
        if len(candidates) > CHUNK:
            candidates = None
    counted = {
        item_id: _totals(by_kind)
        for item_id, by_kind in click_counts(
            organisation, filters, "item", items=candidates
        ).items()
        if item_id is not None
    }
    rows = [
        (item_id, shares_by.get(item_id, 0), *counted.get(item_id, (0, 0)))
        for item_id in {*shares_by, *counted}
    ]
    # Titles only for the top rows and those tied with the last of them (titles break ties).
    rows.sort(key=lambda row: (-row[1], -row[2]))
    if len(rows) > limit:
        cut = rows[limit - 1][1:3]
        rows = [row for row in rows if row[1:3] >= cut]
    wanted, titles = [row[0] for row in rows], {}
    for start in range(0, len(wanted), CHUNK):
        titles.update(
            Item.objects.filter(pk__in=wanted[start : start + CHUNK]).values_list("id", "title")
        )
    found = [
        ItemRow(
            item_id=item_id,
            title=titles.get(item_id, ""),
            shares=count,
            clicks=clicks,
            unique_clicks=unique,
            estimated_reach=reach_by.get(item_id, 0),
        )
        for item_id, count, clicks, unique in rows
        if item_id in titles
    ]
    found.sort(key=lambda row: (-row.shares, -row.clicks, row.title))
    return found[:limit]


@dataclass(frozen=True)
class LeftOutRow:
    kind: str
    label: str
    clicks: int


def left_out(organisation: Organisation, filters: Filters) -> list[LeftOutRow]:
    """Clicks in no count: not yet counted, and those made by machines."""
    counts = click_counts(organisation, filters, "kind", kinds=LEFT_OUT_KINDS)
    return [
        LeftOutRow(kind.value, str(kind.label), counts.get(kind, {}).get(kind, 0))
        for kind in LEFT_OUT_KINDS
    ]


# --- the shapes the API reads (kept so its endpoints need not change) ------------------------


def by_network(organisation: Organisation, since: dt.datetime) -> list[NetworkRow]:
    """``networks`` from ``since`` until now, unfiltered."""
    return networks(organisation, Filters(since=since, until=timezone.now()))


def top_items(organisation: Organisation, since: dt.datetime, limit: int = 10) -> list[Item]:
    """The most shared items from ``since`` until now, as items carrying ``share_count`` and
    ``click_count`` (counted clicks, as in ``items``)."""
    rows = items(organisation, Filters(since=since, until=timezone.now()), limit=limit)
    loaded = Item.objects.in_organisation(organisation).in_bulk([row.item_id for row in rows])
    found = []
    for row in rows:
        item = loaded[row.item_id]
        item.share_count, item.click_count = row.shares, row.clicks
        found.append(item)
    return found
