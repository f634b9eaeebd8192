"""What the admins' digests page shows: the digests planned, what went out, who cannot be
reached. Planned digests have no deliveries yet (those are made when a digest is composed
at its slot), so they are counted and listed from the digests themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from budbringer.accounts.models import Organisation, Person
from budbringer.digests.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestKind,
    DigestStatus,
)

PER_PAGE = 50
SOON = dt.timedelta(hours=24)


@dataclass(frozen=True)
class PlannedCounts:
    total: int
    soon: int  # within SOON from now


@dataclass(frozen=True)
class Upcoming:
    """A planned digest as the page lists it."""

    slot_at: dt.datetime
    person_name: str
    # The channels it would go out on as things stand (chosen, configured, not failing);
    # none: it will be cancelled at its slot.
    channels: tuple[str, ...]


def planned(organisation: Organisation) -> QuerySet[Digest]:
    """The organisation's planned digests, soonest first."""
    return Digest.objects.filter(
        organisation=organisation, status=DigestStatus.PLANNED, kind=DigestKind.SCHEDULED
    ).order_by("slot_at", "pk")


def planned_counts(organisation: Organisation, now: dt.datetime) -> PlannedCounts:
    counts = planned(organisation).aggregate(
        total=Count("pk"), soon=Count("pk", filter=Q(slot_at__lt=now + SOON))
    )
    return PlannedCounts(counts["total"], counts["soon"])


def upcoming_page(organisation: Organisation, number: str | None) -> tuple[Page, list[Upcoming]]:
    """One page of planned digests (two queries, whatever the page holds)."""
    page = Paginator(planned(organisation).select_related("person__user"), PER_PAGE).get_page(
        number
    )
    rows = [
        Upcoming(
            slot_at=digest.slot_at,
            person_name=digest.person.name,
            channels=tuple(Channel(name).label for name in digest.person.digest_channels()),
        )
        for digest in page
    ]
    return page, rows


def recent_deliveries(organisation: Organisation, since: dt.datetime) -> QuerySet[Delivery]:
    """Deliveries of the digests composed since ``since``, newest slot first."""
    return (
        Delivery.objects.filter(digest__organisation=organisation, digest__composed_at__gte=since)
        .select_related("digest__person")
        .order_by("-digest__slot_at", "-pk")
    )


def delivery_counts(organisation: Organisation, since: dt.datetime) -> list[tuple[str, str, int]]:
    """(status, label, how many) of the recent deliveries, for every status."""
    counts = dict(
        recent_deliveries(organisation, since)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in DeliveryStatus.choices]


def unreachable(organisation: Organisation) -> QuerySet[Person]:
    """People whose mail server or chat refused their address for good."""
    return Person.objects.filter(organisation=organisation).exclude(
        email_failed_at__isnull=True, chat_failed_at__isnull=True
    )
