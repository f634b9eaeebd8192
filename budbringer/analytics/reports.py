"""Analytics queries: plain functions from an organisation and a period to rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import Item
from budbringer.links.models import MACHINE_KINDS, PERSON_KINDS, Click
from budbringer.sharing.models import Share
from budbringer.sharing.networks import NETWORKS


@dataclass(frozen=True)
class Participation:
    label: str
    people: int
    sharers: int

    @property
    def rate(self) -> float:
        return self.sharers / self.people if self.people else 0.0


def participation(organisation: Organisation, since: dt.datetime) -> list[Participation]:
    """Share of people who shared since ``since``: the organisation first, then departments."""
    people = Person.objects.in_organisation(organisation).active()
    shared = Q(shares__created_at__gte=since)
    overall = people.aggregate(
        people=Count("id", distinct=True), sharers=Count("id", filter=shared, distinct=True)
    )
    rows = [Participation(organisation.name, overall["people"], overall["sharers"])]
    by_department = (
        people.values("department__name")
        .annotate(
            people=Count("id", distinct=True), sharers=Count("id", filter=shared, distinct=True)
        )
        # People without a department last, on every database (NULLs sort differently).
        .order_by(F("department__name").asc(nulls_last=True))
    )
    for row in by_department:
        rows.append(Participation(row["department__name"] or "—", row["people"], row["sharers"]))
    return rows


def never_shared(organisation: Organisation) -> list[Person]:
    return list(
        Person.objects.in_organisation(organisation)
        .active()
        .filter(shares__isnull=True)
        .select_related("department")
        .order_by(F("department__name").asc(nulls_last=True), "name")
    )


@dataclass(frozen=True)
class NetworkRow:
    network: str
    label: str
    shares: int
    clicks: int
    unique_clicks: int


def by_network(organisation: Organisation, since: dt.datetime) -> list[NetworkRow]:
    """Shares and human clicks per network.

    Unique clicks count distinct visitor hashes; hashes rotate daily, so a visitor counts
    once per day.
    """
    shares = dict(
        Share.objects.filter(organisation=organisation, created_at__gte=since)
        .values_list("network")
        .annotate(n=Count("id"))
    )
    human = Click.objects.filter(
        organisation=organisation, clicked_at__gte=since, kind__in=PERSON_KINDS
    )
    clicks = dict(human.values_list("network").annotate(n=Count("id")))
    unique = dict(
        human.values("network")
        .annotate(n=Count("visitor_hash", distinct=True))
        .values_list("network", "n")
    )
    return [
        NetworkRow(
            slug, network.label, shares.get(slug, 0), clicks.get(slug, 0), unique.get(slug, 0)
        )
        for slug, network in NETWORKS.items()
    ]


def top_items(organisation: Organisation, since: dt.datetime, limit: int = 10) -> list[Item]:
    return list(
        Item.objects.in_organisation(organisation)
        .annotate(
            share_count=Count("shares", filter=Q(shares__created_at__gte=since), distinct=True),
            click_count=Count(
                "tracked_links__clicks",
                filter=Q(
                    tracked_links__clicks__clicked_at__gte=since,
                    tracked_links__clicks__kind__in=PERSON_KINDS,
                ),
                distinct=True,
            ),
        )
        .filter(Q(share_count__gt=0) | Q(click_count__gt=0))
        .order_by("-share_count", "-click_count", "title")[:limit]
    )


def bot_clicks(organisation: Organisation, since: dt.datetime) -> int:
    return Click.objects.filter(
        organisation=organisation, clicked_at__gte=since, kind__in=MACHINE_KINDS
    ).count()
