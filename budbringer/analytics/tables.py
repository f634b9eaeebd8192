"""Every dashboard table as a header and rows of plain values: what the page shows and what
its CSV export writes, from the same report functions."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation
from budbringer.analytics import reports
from budbringer.analytics.filters import Filters
from budbringer.timing import service as timing


@dataclass(frozen=True)
class Table:
    title: str
    columns: list
    rows: Callable[[Organisation, Filters], Iterable[list]]


def _participation(organisation, filters):
    for row in reports.weekly_participation(organisation, filters):
        yield [
            row.week.isoformat(),
            row.days,
            str(_("yes") if row.complete else _("no")),
            row.people,
            row.sharers,
            reports.as_percent(row.rate),
        ]


def _departments(organisation, filters):
    # Names only for the chosen department: all departments' would be most of the company.
    names = reports.never_shared(organisation, filters)
    for row in reports.departments(organisation, filters):
        chosen = names is not None and row.department_id == filters.department.pk
        yield [
            row.department,
            row.people,
            _blank(row.sharers),
            _blank(reports.as_percent(row.rate)),
            _blank(row.never_shared),
            "; ".join(names) if chosen else "",
        ]


def _leaders(organisation, filters):
    for row in reports.leaders(organisation, filters):
        yield [
            row.leader,
            row.department,
            row.shares,
            row.unique_clicks,
            _blank(row.team_people),
            _blank(row.team_shares),
            _blank(row.team_sharers),
            _blank(row.team_shares_per_person),
        ]


def _blank(value):
    return "" if value is None else value


def _reached(row: reports.Reached) -> list:
    click_through = reports.as_percent(row.click_through)
    return [
        row.shares,
        row.clicks,
        row.unique_clicks,
        row.estimated_reach,
        str(_("n/a")) if click_through is None else click_through,
    ]


def _networks(organisation, filters):
    for row in reports.networks(organisation, filters):
        yield [row.label, *_reached(row)]


def _items(organisation, filters):
    for row in reports.items(organisation, filters):
        yield [row.title, *_reached(row)]


def _left_out(organisation, filters):
    for row in reports.left_out(organisation, filters):
        yield [row.label, row.clicks]


def _reachability(organisation, filters):
    groups, _hidden = timing.group_heatmaps(organisation)
    for group in groups:
        for index, share in enumerate(group.shares):
            yield [group.label, str(WEEKDAYS[index // 24]), index % 24, round(float(share), 5)]


TABLES: dict[str, Table] = {
    "participation": Table(
        _("Participation per week"),
        [
            _("Week (Monday)"),
            _("Days in period"),
            _("Complete week"),
            _("People"),
            _("Shared"),
            _("Participation (%)"),
        ],
        _participation,
    ),
    "departments": Table(
        _("Departments"),
        [
            _("Department"),
            _("People"),
            _("Shared"),
            _("Participation (%)"),
            _("Never shared"),
            _("Never shared (names)"),
        ],
        _departments,
    ),
    "leaders": Table(
        _("Leaders and their teams"),
        [
            _("Leader"),
            _("Department"),
            _("Shares"),
            _("Unique clicks"),
            _("Team people"),
            _("Team shares"),
            _("Team members who shared"),
            _("Team shares per person"),
        ],
        _leaders,
    ),
    "networks": Table(
        _("Networks"),
        [
            _("Network"),
            _("Shares"),
            _("Clicks"),
            _("Unique clicks"),
            _("Estimated reach"),
            _("Estimated click-through (%)"),
        ],
        _networks,
    ),
    "items": Table(
        _("Items"),
        [
            _("Item"),
            _("Shares"),
            _("Clicks"),
            _("Unique clicks"),
            _("Estimated reach"),
            _("Estimated click-through (%)"),
        ],
        _items,
    ),
    "left-out": Table(_("Clicks left out"), [_("Kind"), _("Clicks")], _left_out),
    "reachability": Table(
        _("Reachability"), [_("Group"), _("Day"), _("Hour"), _("Share of activity")], _reachability
    ),
}
