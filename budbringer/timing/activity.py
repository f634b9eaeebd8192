"""Recording when people are active: the one home of that mutation.

Every engagement the platform sees (sign-in, item opened, shared, "more like this", "not for
me", a digest link followed) marks the person's current local hour as active. Only the hour
is kept: that is all the send-time model uses.
"""

import datetime as dt
import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.timing.models import ActiveHour


def local_hour(at: dt.datetime, time_zone: str) -> tuple[dt.datetime, int]:
    """The UTC start of the local hour holding ``at``, and the zone's UTC offset then.

    DST-correct through zoneinfo: in the repeated hour of an autumn night the two local
    hours 02:00-03:00 are told apart by their offsets, and zones with half-hour offsets
    keep their own hour boundaries.
    """
    if at.tzinfo is None:
        raise ValueError("an activity time must be timezone-aware")
    local = at.astimezone(zoneinfo.ZoneInfo(time_zone))
    offset = local.utcoffset()
    start = local.replace(minute=0, second=0, microsecond=0)
    return (start - offset).replace(tzinfo=dt.UTC), int(offset.total_seconds() // 60)


def record_activity(person: Person, at: dt.datetime | None = None) -> None:
    """Mark the local hour of ``at`` (default now) as an hour the person was active."""
    started_at, offset = local_hour(at or timezone.now(), person.time_zone)
    ActiveHour.objects.bulk_create(
        [
            ActiveHour(
                organisation_id=person.organisation_id,
                person=person,
                started_at=started_at,
                utc_offset_minutes=offset,
            )
        ],
        ignore_conflicts=True,  # a second event in the same hour adds nothing
    )


@receiver(user_logged_in, dispatch_uid="timing.record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    person = Person.objects.filter(user=user).first()
    if person is not None:
        record_activity(person)
