"""Analytics reports: plain functions from an organisation and ``Filters`` to rows.

Counting, everywhere: *unique clicks* are clicks of kind ``unique``; *clicks* are ``unique``
plus ``repeat``. Clicks not yet counted (``pending``) and clicks by machines (bots, previews,
probes, e-mail scanners) are in no count; ``left_out`` shows how many there were.

Click numbers come from the daily roll-up (``analytics.rollup``) for whole days it holds as
final, and from the clicks themselves for the rest of the period, so they stay exact.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from budbringer.accounts.models import Organisation, Person, Role
from budbringer.analytics import rollup
from budbringer.analytics.filters import Filters
from budbringer.analytics.models import DailyClicks
from budbringer.content.models import Item
from budbringer.links.models import MACHINE_KINDS, Click, ClickKind, TrackedLink
from budbringer.sharing.models import Share
from budbringer.sharing.networks import NETWORKS
from budbringer.timing.service import MIN_GROUP_PEOPLE

COUNTED_KINDS = (ClickKind.UNIQUE, ClickKind.REPEAT)
LEFT_OUT_KINDS = (ClickKind.PENDING, *MACHINE_KINDS)


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


def shares(organisation: Organisation, filters: Filters):
    rows = Share.objects.filter(
        organisation=organisation, created_at__gte=filters.since, created_at__lt=filters.until
    )
    if filters.department:
        rows = rows.filter(person__department=filters.department)
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


# Where each grouping is found: in the roll-up, and on a click.
_ROLLED_KEY = {"network": "network", "item": "item_id", "kind": "kind"}
_LIVE_KEY = {"network": "network", "item": "link__item_id", "kind": "kind"}


def _periods(filters: Filters) -> tuple[tuple[dt.date, dt.date] | None, list[tuple]]:
    """The whole UTC days of the period that are final in the roll-up, as (first, end)
    with ``end`` excluded, and the time ranges around them to read live from the clicks."""
    final_before = rollup.complete_before()
    first = filters.since.astimezone(dt.UTC).date()
    if rollup.day_start(first) < filters.since:
        first += dt.timedelta(days=1)
    end = filters.until.astimezone(dt.UTC).date()
    if final_before is not None:
        end = min(end, final_before)
    if final_before is None or end <= first:
        return None, [(filters.since, filters.until)]
    live = [
        (start, stop)
        for start, stop in (
            (filters.since, rollup.day_start(first)),
            (rollup.day_start(end), filters.until),
        )
        if start < stop
    ]
    return (first, end), live


def click_counts(organisation: Organisation, filters: Filters, by: str, kinds=COUNTED_KINDS):
    """{key: {kind: clicks}} for ``by`` one of network, item or kind: whole final days from
    the roll-up, the rest of the period from the clicks themselves."""
    days, live = _periods(filters)
    found: dict = defaultdict(lambda: defaultdict(int))
    if days:
        rolled = DailyClicks.objects.filter(
            organisation=organisation, day__gte=days[0], day__lt=days[1], kind__in=kinds
        )
        if filters.department:
            rolled = rolled.filter(department=filters.department)
        if filters.source_list:
            rolled = rolled.filter(item__source__lists=filters.source_list)
        if filters.network:
            rolled = rolled.filter(network=filters.network)
        key = _ROLLED_KEY[by]
        for value, kind, count in (
            rolled.values_list(key, "kind").annotate(n=Sum("clicks")).order_by()
        ):
            found[value][kind] += count
    if live:
        in_ranges = Q()
        for start, stop in live:
            in_ranges |= Q(clicked_at__gte=start, clicked_at__lt=stop)
        key = _LIVE_KEY[by]
        for value, kind, count in (
            _filtered_clicks(organisation, filters, kinds)
            .filter(in_ranges)
            .values_list(key, "kind")
            .annotate(n=Count("id"))
            .order_by()
        ):
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
    active = people(organisation, filters)
    headcount = active.count()
    by_week = dict(
        shares(organisation, filters)
        .filter(person__in=active)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(sharers=Count("person", distinct=True))
    )
    by_day = {_as_date(week): sharers for week, sharers in by_week.items()}
    # Weeks as the database truncates them: in the current time zone, from Monday.
    since, until = timezone.localdate(filters.since), timezone.localdate(filters.until)
    rows, week = [], since - dt.timedelta(days=since.weekday())
    while week <= until:
        rows.append(WeekRow(week, headcount, by_day.get(week, 0)))
        week += dt.timedelta(days=7)
    return rows


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    people: int
    sharers: int
    never_shared: int
    # Names of the people who never shared; empty for groups hidden from the viewer.
    never_shared_names: list[str] = field(default_factory=list)
    merged_groups: int = 0  # how many small departments this row stands for

    @property
    def rate(self) -> float:
        return _rate(self.sharers, self.people)


def departments(organisation: Organisation, filters: Filters) -> list[DepartmentRow]:
    """Per department: people, who shared in the period, and who has never shared at all.

    Unless ``filters.show_small_groups``, departments of fewer than five people are merged
    into one row without names, so no one can be singled out.
    """
    in_period = Q(
        shares__created_at__gte=filters.since,
        shares__created_at__lt=filters.until,
    )
    if filters.network:
        in_period &= Q(shares__network=filters.network)
    if filters.source_list:
        in_period &= Q(shares__item__source__lists=filters.source_list)
    rows = (
        people(organisation, filters)
        .values("department_id", "department__name")
        .annotate(
            people=Count("id", distinct=True),
            sharers=Count("id", filter=in_period, distinct=True),
        )
    )
    never = defaultdict(list)
    for department_id, name in (
        people(organisation, filters)
        .filter(shares__isnull=True)
        .order_by("name")
        .values_list("department_id", "name")
    ):
        never[department_id].append(name)

    shown, small = [], []
    for row in rows:
        names = never[row["department_id"]]
        entry = DepartmentRow(
            row["department__name"] or _("No department"),
            row["people"],
            row["sharers"],
            len(names),
            names,
        )
        if row["people"] < MIN_GROUP_PEOPLE and not filters.show_small_groups:
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
                [],
                merged_groups=len(small),
            )
        )
    return shown


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
    period_shares = shares(organisation, filters)
    share_counts = dict(period_shares.values_list("person_id").annotate(n=Count("id")))
    # Leaders' own links first: their clicks are then found through the link index.
    leader_links = dict(
        TrackedLink.objects.filter(person__in=[leader.pk for leader in leader_people]).values_list(
            "id", "person_id"
        )
    )
    unique = defaultdict(int)
    for link_id, count in (
        clicks(organisation, filters, kinds=(ClickKind.UNIQUE,))
        .filter(link__in=list(leader_links))
        .values_list("link_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        unique[leader_links[link_id]] += count
    headcount = dict(
        Person.objects.in_organisation(organisation)
        .active()
        .values_list("department_id")
        .annotate(n=Count("id"))
    )
    # Whole departments in one query; the leader's own part is taken out below.
    by_department = {
        row["person__department_id"]: row
        for row in period_shares.filter(person__user__is_active=True)
        .values("person__department_id")
        .annotate(shares=Count("id"), sharers=Count("person", distinct=True))
    }
    rows = []
    for leader in leader_people:
        size = headcount.get(leader.department_id, 0) - 1
        if leader.department_id is None or (
            size < MIN_GROUP_PEOPLE and not filters.show_small_groups
        ):
            team_people = team_shares = team_sharers = None
        else:
            own = share_counts.get(leader.pk, 0)
            whole = by_department.get(leader.department_id, {"shares": 0, "sharers": 0})
            team_people = size
            team_shares = whole["shares"] - own
            team_sharers = whole["sharers"] - (1 if own else 0)
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


# --- what sharing reaches ------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkRow:
    network: str
    label: str
    shares: int
    clicks: int
    unique_clicks: int
    estimated_reach: int

    @property
    def click_through(self) -> float:
        """Unique clicks per person estimated to have seen a share."""
        return _rate(self.unique_clicks, self.estimated_reach)


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
                slug, str(network.label), shared, total, unique, shared * audience_per_share(slug)
            )
        )
    return rows


@dataclass(frozen=True)
class ItemRow:
    item_id: int
    title: str
    shares: int
    clicks: int
    unique_clicks: int
    estimated_reach: int

    @property
    def click_through(self) -> float:
        return _rate(self.unique_clicks, self.estimated_reach)


def items(organisation: Organisation, filters: Filters, limit: int = 50) -> list[ItemRow]:
    """The items shared or clicked in the period, most shared first."""
    shares_by = defaultdict(int)
    reach_by = defaultdict(int)
    titles = {}
    for item_id, title, network, count in (
        shares(organisation, filters)
        .values_list("item_id", "item__title", "network")
        .annotate(n=Count("id"))
    ):
        shares_by[item_id] += count
        reach_by[item_id] += count * audience_per_share(network)
        titles[item_id] = title
    counted = {
        item_id: _totals(by_kind)
        for item_id, by_kind in click_counts(organisation, filters, "item").items()
        if item_id is not None
    }
    untitled = [item_id for item_id in counted if item_id not in titles]
    for start in range(0, len(untitled), 900):  # SQLite's limit on query parameters
        titles.update(
            Item.objects.filter(pk__in=untitled[start : start + 900]).values_list("id", "title")
        )
    rows = [
        ItemRow(
            item_id,
            title,
            shares_by.get(item_id, 0),
            *counted.get(item_id, (0, 0)),
            reach_by.get(item_id, 0),
        )
        for item_id, title in titles.items()
    ]
    rows.sort(key=lambda row: (-row.shares, -row.clicks, row.title))
    return rows[:limit]


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
