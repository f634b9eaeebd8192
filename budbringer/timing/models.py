"""What the timing model learns from (active hours) and what it learned (reachability)."""

import numpy as np
from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation, Person

HOURS_IN_WEEK = 168


class ActiveHour(models.Model):
    """One local calendar hour in which the person did something on the platform.

    Deliberately coarse: the model counts active hours, not events, so this is all it needs
    (no event kind, no item, no address). The offset is the one of the person's time zone at
    that moment (zoneinfo, DST included), so the hour stays right if they move zones later.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="active_hours"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="active_hours")
    # The UTC instant at which the local hour began.
    started_at = models.DateTimeField(_("hour started at"))
    utc_offset_minutes = models.SmallIntegerField(_("UTC offset in minutes"))

    class Meta:
        verbose_name = _("active hour")
        verbose_name_plural = _("active hours")
        constraints = [
            models.UniqueConstraint(fields=["person", "started_at"], name="one_active_hour_row")
        ]
        indexes = [models.Index(fields=["organisation", "started_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.started_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """A learned reachability profile over the 168 local hours of the week.

    ``profile`` is the posterior mean share of activity per hour (float32, Monday 00:00
    first) and ``concentration`` how much evidence stands behind it; together they are a
    Dirichlet posterior that slots can be drawn from (Thompson sampling).
    """

    profile = models.BinaryField(_("profile"))
    concentration = models.FloatField(_("concentration"))
    fitted_at = models.DateTimeField(_("fitted at"))

    class Meta:
        abstract = True

    @property
    def shares(self) -> np.ndarray:
        return np.frombuffer(bytes(self.profile), dtype=np.float32).astype(float)

    @staticmethod
    def pack(shares: np.ndarray) -> bytes:
        shares = np.asarray(shares, dtype=float)
        if shares.shape != (HOURS_IN_WEEK,):
            raise ValueError("a profile has 168 hours")
        return (shares / shares.sum()).astype(np.float32).tobytes()


class PersonReachability(Profile):
    """When this person is reachable, refitted daily by the worker."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="reachability", primary_key=True
    )
    active_hours = models.PositiveIntegerField(_("active hours used"), default=0)

    class Meta:
        verbose_name = _("person reachability")
        verbose_name_plural = _("person reachability")

    def __str__(self) -> str:
        return f"{self.person_id} ({self.active_hours} h)"


class GroupReachability(Profile):
    """The prior for a department (or, without one, the whole organisation)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reachability"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="reachability"
    )
    # People with activity behind the profile: small groups are not shown (privacy).
    people = models.PositiveIntegerField(_("people"), default=0)

    class Meta:
        verbose_name = _("group reachability")
        verbose_name_plural = _("group reachability")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "department"],
                condition=models.Q(department__isnull=False),
                name="one_reachability_per_department",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(department__isnull=True),
                name="one_reachability_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.department_id or '*'}"
