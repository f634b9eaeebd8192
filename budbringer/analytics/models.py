"""The click roll-ups: clicks counted per UTC day, so the dashboard sums a few rows per day
instead of grouping every click through its link and sharer (see ``analytics.rollup``).

One table per question, each as narrow as its question allows, because a wide one hardly
compresses (a day's clicks are spread over thousands of items, networks and departments):

- ``NetworkClicks`` (network, kind): networks and clicks left out, unfiltered or by network.
- ``DepartmentClicks`` (department, network, kind): the same for one department.
- ``DailyClicks`` (item, network, department, kind): items, and the filter by list.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation
from budbringer.content.models import Item
from budbringer.links.models import ClickKind
from budbringer.sharing.networks import NETWORK_CHOICES


class DailyClicks(models.Model):
    """How many clicks of one kind a day brought to one item on one network, per department
    of the sharer. Holds no person: erasing someone leaves nothing here to erase."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="daily_clicks"
    )
    day = models.DateField(_("day"))  # in UTC
    # An hour (UTC) of the day not final yet (see ClickRollup); null on a final day's rows.
    hour = models.PositiveSmallIntegerField(_("hour"), null=True)
    # Deleting an item deletes its clicks, and so its rows here: the two stay equal.
    item = models.ForeignKey(Item, on_delete=models.CASCADE, null=True, related_name="+")
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES, blank=True)
    # The sharer's department when the day was rolled up; null for no sharer or department.
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ClickKind.choices)
    clicks = models.PositiveIntegerField(_("clicks"))

    class Meta:
        verbose_name = _("daily clicks")
        verbose_name_plural = _("daily clicks")
        indexes = [
            models.Index(fields=["organisation", "day"], name="daily_clicks_org_day"),
            # The department filter of the dashboard.
            models.Index(
                fields=["organisation", "department", "day"], name="daily_clicks_org_dept_day"
            ),
            # The items table reads only the items that can make its top rows.
            models.Index(fields=["organisation", "item", "day"], name="daily_clicks_org_item_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.network} {self.kind}: {self.clicks}"


class NetworkClicks(models.Model):
    """How many clicks of one kind a day brought on one network, all departments together."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))  # in UTC
    # An hour (UTC) of the day not final yet (see ClickRollup); null on a final day's rows.
    hour = models.PositiveSmallIntegerField(_("hour"), null=True)
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ClickKind.choices)
    clicks = models.PositiveIntegerField(_("clicks"))

    class Meta:
        verbose_name = _("daily clicks per network")
        verbose_name_plural = _("daily clicks per network")
        indexes = [models.Index(fields=["organisation", "day"], name="network_clicks_org_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.network} {self.kind}: {self.clicks}"


class DepartmentClicks(models.Model):
    """How many clicks of one kind a day brought on one network to sharers of one department
    (their department when the day was rolled up; null for none)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))  # in UTC
    # An hour (UTC) of the day not final yet (see ClickRollup); null on a final day's rows.
    hour = models.PositiveSmallIntegerField(_("hour"), null=True)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ClickKind.choices)
    clicks = models.PositiveIntegerField(_("clicks"))

    class Meta:
        verbose_name = _("daily clicks per department")
        verbose_name_plural = _("daily clicks per department")
        indexes = [
            # The refresh replaces whole days.
            models.Index(fields=["day"], name="department_clicks_day"),
            models.Index(
                fields=["organisation", "department", "day"], name="department_clicks_org_dept"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id} {self.network} {self.kind}: {self.clicks}"


class ClickRollup(models.Model):
    """One row: how far the roll-up is final. Days before ``complete_before`` are rolled up
    with every click settled, one row per day; of the day ``complete_before`` itself, the
    hours before ``hours_before`` are rolled up too, one row per hour. Reports read the
    rest live from the clicks."""

    complete_before = models.DateField(null=True)
    hours_before = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"complete before {self.complete_before}"
