"""Analytics reports: plain functions from an organisation and ``Filters`` to rows.

Counting, everywhere: *unique clicks* are clicks of kind ``unique``; *clicks* are ``unique``
plus ``repeat``. Clicks not yet counted (``pending``) and clicks by machines (bots, previews,
probes, e-mail scanners) are in no count; ``left_out`` shows how many there were.

Click numbers come from the daily roll-ups (``analytics.rollup``) for whole days they hold
as final, and from the clicks themselves for the rest of the period, so they stay exact.

People are counted from indexes on (organisation, department), less the few whose login is
deactivated, rather than by joining every person to their login; who never shared comes
from ``Person.first_shared_at``. Shares are grouped in the database, weeks included, so
no report reads a row per person or per click.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from budbringer.accounts.models import Department, Organisation, Person, Role
from budbringer.analytics import rollup
from budbringer.analytics.filters import Filters
from budbringer.analytics.models import DailyClicks, DepartmentClicks, NetworkClicks
from budbringer.content.models import Item
from budbringer.links.models import MACHINE_KINDS, Click, ClickKind, TrackedLink
from budbringer.sharing.models import Share
from budbringer.sharing.networks import NETWORKS
from budbringer.timing.service import MIN_GROUP_PEOPLE

COUNTED_KINDS = (ClickKind.UNIQUE, ClickKind.REPEAT)
LEFT_OUT_KINDS = (ClickKind.PENDING, *MACHINE_KINDS)
# SQLite's limit on query parameters, with room for the rest of the query.
CHUNK = 900


def _rate(part: int, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def audience_per_share(network: str) -> int:
    """How many people one share on ``network`` is assumed to reach (docs/configuration.md)."""
    return settings.ANALYTICS_AUDIENCE_PER_SHARE.get(network, 0)


# --- the querysets every report starts from ------------------------------------------------


def people(organisation: Organisation, filters: Filters):
    rows = Person.objects.in_organisation(organisation).active()
    if filters.department:
        rows = rows.filter(department=filters.department)
    return rows


def _everyone(organisation: Organisation, filters: Filters):
    """People of the organisation (and department), whether their login is active or not."""
    rows = Person.objects.in_organisation(organisation).order_by()
    if filters.department:
        rows = rows.filter(department=filters.department)
    return rows


def _inactive(organisation: Organisation) -> dict[int, tuple[int | None, bool]]:
    """{person id: (department id, has shared)} of the people whose login is deactivated.

    Found from the logins, a narrow table where few are deactivated: joining every person to
    their login, or a subquery the planner may run per person, costs far more.
    """
    users = list(get_user_model().objects.filter(is_active=False).values_list("pk", flat=True))
    found = {}
    for start in range(0, len(users), CHUNK):
        for pk, department_id, first_shared_at in Person.objects.filter(
            organisation=organisation, user__in=users[start : start + CHUNK]
        ).values_list("pk", "department_id", "first_shared_at"):
            found[pk] = (department_id, first_shared_at is not None)
    return found


def headcount(organisation: Organisation, filters: Filters, inactive=None) -> Counter:
    """{department id: people active today} (None: no department). COUNT(*), so that
    PostgreSQL counts from the index alone."""
    counts = Counter(
        dict(_everyone(organisation, filters).values_list("department_id").annotate(n=Count("*")))
    )
    inactive = _inactive(organisation) if inactive is None else inactive
    for department_id, _shared in inactive.values():
        if department_id in counts:
            counts[department_id] -= 1
    return +counts


def never_shared_count(organisation: Organisation, filters: Filters, inactive=None) -> Counter:
    """{department id: people active today who have never shared anything}."""
    counts = Counter(
        dict(
            _everyone(organisation, filters)
            .filter(first_shared_at=None)
            .values_list("department_id")
            .annotate(n=Count("*"))
        )
    )
    inactive = _inactive(organisation) if inactive is None else inactive
    for department_id, shared in inactive.values():
        if not shared and department_id in counts:
            counts[department_id] -= 1
    return +counts


def _active_shares(organisation: Organisation, filters: Filters, inactive=None):
    """The period's shares by people active today."""
    inactive = _inactive(organisation) if inactive is None else inactive
    rows = shares(organisation, filters).filter(person__isnull=False).order_by()
    if len(inactive) > CHUNK:
        return rows.filter(person__user__is_active=True)
    return rows.exclude(person__in=list(inactive)) if inactive else rows


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
    week: dt.date  # the Monday the week starts on
    people: int
    sharers: int

    @property
    def rate(self) -> float:
        return _rate(self.sharers, self.people)


def weekly_participation(organisation: Organisation, filters: Filters) -> list[WeekRow]:
    """Share of people who shared, per week of the period (weeks without shares included).

    People are those active today, so the rate of past weeks is against today's headcount.
    """
    inactive = _inactive(organisation)
    total = sum(headcount(organisation, filters, inactive).values())
    # Weeks in the current time zone, from Monday.
    since, until = timezone.localdate(filters.since), timezone.localdate(filters.until)
    weeks, week = [], since - dt.timedelta(days=since.weekday())
    while week <= until:
        weeks.append(week)
        week += dt.timedelta(days=7)
    # Each share's week by comparing it with the weeks' first instants, in the database:
    # no date function per row (on SQLite that is Python code for each share).
    starts = [timezone.make_aware(dt.datetime.combine(week, dt.time())) for week in weeks[1:]]
    week_of = Case(
        *(When(created_at__lt=start, then=Value(index)) for index, start in enumerate(starts)),
        default=Value(len(starts)),
        output_field=IntegerField(),
    )
    by_week = dict(
        _active_shares(organisation, filters, inactive)
        .annotate(week=week_of)
        .values_list("week")
        .annotate(sharers=Count("person", distinct=True))
    )
    return [WeekRow(week, total, by_week.get(index, 0)) for index, week in enumerate(weeks)]


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
    sharers: int
    never_shared: int
    merged_groups: int = 0  # how many small departments this row stands for
    department_id: int | None = None  # None for no department and for merged groups

    @property
    def rate(self) -> float:
        return _rate(self.sharers, self.people)


def departments(organisation: Organisation, filters: Filters) -> list[DepartmentRow]:
    """Per department: people, who shared in the period, and how many have never shared at
    all (``never_shared`` names them, for one department).

    Unless ``filters.show_small_groups``, departments of fewer than five people are merged
    into one row, so no one can be singled out.
    """
    inactive = _inactive(organisation)
    people_in = headcount(organisation, filters, inactive)
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
        if count < MIN_GROUP_PEOPLE and not filters.show_small_groups:
            small.append(entry)
        else:
            shown.append(entry)
    shown.sort(key=lambda entry: entry.department)
    if small:
        shown.append(
            DepartmentRow(
                _("Groups under %(count)d people") % {"count": MIN_GROUP_PEOPLE},
                sum(entry.people for entry in small),
                sum(entry.sharers for entry in small),
                sum(entry.never_shared for entry in small),
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
    if not filters.show_small_groups and (
        sum(headcount(organisation, filters).values()) < MIN_GROUP_PEOPLE
    ):
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
    inactive = _inactive(organisation)
    headcounts = headcount(organisation, filters, inactive)
    # Whole departments in one query; the leader's own part is taken out below.
    by_department = _shares_per_department(organisation, filters, inactive)
    rows = []
    for leader in leader_people:
        size = headcounts.get(leader.department_id, 0) - 1
        if leader.department_id is None or (
            size < MIN_GROUP_PEOPLE and not filters.show_small_groups
        ):
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


@dataclass(frozen=True, kw_only=True)
class Reached:
    """What shares brought: counted clicks and the people estimated to have seen them."""

    shares: int
    clicks: int
    unique_clicks: int
    estimated_reach: int

    @property
    def click_through(self) -> float:
        """Unique clicks per person estimated to have seen a share."""
        return _rate(self.unique_clicks, self.estimated_reach)


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
