"""What a dashboard page or export looks at: a period, and optionally a department, a list and
a network. Parsed from the query string through a form scoped to the organisation, so an id of
another organisation is refused, never looked up."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation
from budbringer.lib.ids import ModelChoiceField
from budbringer.sharing.networks import NETWORK_CHOICES
from budbringer.sources.models import SourceList

PERIOD_CHOICES = [
    (7, _("Last 7 days")),
    (30, _("Last 30 days")),
    (90, _("Last 90 days")),
    (365, _("Last 365 days")),
]
DEFAULT_PERIOD_DAYS = 30


@dataclass(frozen=True)
class Filters:
    since: dt.datetime
    until: dt.datetime
    department: Department | None = None
    source_list: SourceList | None = None
    network: str = ""
    # Leaders see groups under MIN_GROUP_PEOPLE only merged; admins see them all.
    show_small_groups: bool = False

    @property
    def days(self) -> int:
        return max(1, round((self.until - self.since).total_seconds() / 86400))


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
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    source_list = ModelChoiceField(
        label=_("List"), queryset=SourceList.objects.none(), required=False
    )
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("All networks")), *NETWORK_CHOICES], required=False
    )

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            organisation=organisation
        ).order_by("name")
        self.fields["source_list"].queryset = SourceList.objects.filter(
            organisation=organisation
        ).order_by("name")


def parse_filters(
    organisation: Organisation,
    params,
    *,
    show_small_groups: bool,
    now: dt.datetime | None = None,
) -> tuple[Filters, FilterForm]:
    """Filters from query parameters; anything invalid falls back to the default (everything,
    last 30 days), so a tampered URL shows the default page rather than an error."""
    form = FilterForm(organisation, params or None)
    data = form.cleaned_data if form.is_valid() else {}
    return (
        last_days(
            data.get("period") or DEFAULT_PERIOD_DAYS,
            now=now,
            department=data.get("department"),
            source_list=data.get("source_list"),
            network=data.get("network") or "",
            show_small_groups=show_small_groups,
        ),
        form,
    )
