"""What a dashboard page or export looks at: a period, and optionally a department, a list and
a network. Parsed from the query string through a form scoped to the organisation, so an id of
another organisation is refused, never looked up.

Here too is the small-group rule (``hides_group``): a viewer who may not see individuals
(``Person.can_see_individuals``) sees no figure of a group under ``MIN_GROUP_PEOPLE`` active
people on its own, and cannot choose such a department as a filter.
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation
from budbringer.analytics.headcounts import headcount
from budbringer.lib.ids import ModelChoiceField
from budbringer.sharing.networks import NETWORK_CHOICES
from budbringer.sources.models import SourceList
from budbringer.timing.service import MIN_GROUP_PEOPLE

PERIOD_CHOICES = [
    (7, _("Last 7 days")),
    (30, _("Last 30 days")),
    (90, _("Last 90 days")),
    (365, _("Last 365 days")),
]
DEFAULT_PERIOD_DAYS = 30


def hides_group(people: int, *, show_small_groups: bool) -> bool:
    """Whether a group of ``people`` active people is shown only merged with others: so that
    what a few people (or one) shared, and when, cannot be read off a report."""
    return not show_small_groups and people < MIN_GROUP_PEOPLE


def choosable_departments(organisation: Organisation, *, show_small_groups: bool):
    """The departments a viewer may filter every report by: all of them for a viewer who
    may see individuals, else those the small-group rule does not hide."""
    departments = Department.objects.filter(organisation=organisation).order_by("name")
    if show_small_groups:
        return departments
    sizes = headcount(organisation)
    return departments.filter(
        pk__in=[
            pk
            for pk, people in sizes.items()
            if pk is not None and not hides_group(people, show_small_groups=False)
        ]
    )


@dataclass(frozen=True)
class Filters:
    since: dt.datetime
    until: dt.datetime
    department: Department | None = None
    source_list: SourceList | None = None
    network: str = ""
    # Whether the viewer may see individuals (Person.can_see_individuals): else groups
    # under MIN_GROUP_PEOPLE are shown only merged.
    show_small_groups: bool = False

    @property
    def days(self) -> int:
        return max(1, round((self.until - self.since).total_seconds() / 86400))

    def hides(self, people: int) -> bool:
        return hides_group(people, show_small_groups=self.show_small_groups)


def last_days(days: int, *, now: dt.datetime | None = None, **rest) -> Filters:
    until = now or timezone.now()
    return Filters(since=until - dt.timedelta(days=days), until=until, **rest)


class FilterForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        coerce=int,
        required=False,
        initial=DEFAULT_PERIOD_DAYS,
    )
    department = ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    source_list = ModelChoiceField(
        label=_("List"),
        queryset=SourceList.objects.none(),
        required=False,
        empty_label=_("All lists"),
    )
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("All networks")), *NETWORK_CHOICES], required=False
    )

    def __init__(self, organisation: Organisation, *args, departments, small_groups_hidden, **kw):
        """``departments``: those the viewer may choose (``choosable_departments``)."""
        super().__init__(*args, **kw)
        self.fields["department"].queryset = departments
        if small_groups_hidden:
            self.fields["department"].error_messages["invalid_choice"] = _(
                "That department cannot be chosen: departments with fewer than %(count)d "
                "active people are shown only together with others, so that no one can be "
                "singled out."
            ) % {"count": MIN_GROUP_PEOPLE}
        self.fields["source_list"].queryset = SourceList.objects.filter(
            organisation=organisation
        ).order_by("name")


@dataclass(frozen=True)
class Parsed:
    filters: Filters
    form: FilterForm  # unbound, showing the filters counted
    problems: list[str]  # why a value asked for was not used, for the person to read
    query: str  # the filters counted as a query string, for links to the same figures


def parse_filters(
    organisation: Organisation,
    params,
    *,
    show_small_groups: bool,
    now: dt.datetime | None = None,
) -> Parsed:
    """Filters from query parameters. A value that is invalid, of another organisation, or
    refused by the small-group rule is not used (its default is: everything, the last 30
    days) and ``problems`` says why; the other values are kept."""
    departments = choosable_departments(organisation, show_small_groups=show_small_groups)
    options = {"departments": departments, "small_groups_hidden": not show_small_groups}
    asked = FilterForm(organisation, params or None, **options)
    problems = []
    if asked.is_bound and not asked.is_valid():
        problems = [str(message) for errors in asked.errors.values() for message in errors]
    data = asked.cleaned_data if asked.is_bound else {}
    filters = last_days(
        data.get("period") or DEFAULT_PERIOD_DAYS,
        now=now,
        department=data.get("department"),
        source_list=data.get("source_list"),
        network=data.get("network") or "",
        show_small_groups=show_small_groups,
    )
    counted = {
        "period": filters.days,
        "department": filters.department,
        "source_list": filters.source_list,
        "network": filters.network,
    }
    shown = FilterForm(organisation, initial=counted, **options)
    query = urlencode(
        {name: getattr(value, "pk", value) for name, value in counted.items() if value}
    )
    return Parsed(filters, shown, problems, query)
