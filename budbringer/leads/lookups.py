"""The one way views load leads: scoped to the person's organisation, or 404."""

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from budbringer.accounts.models import Person
from budbringer.leads.models import Lead
from budbringer.links.models import ClickKind

# Clicks the counting pass settled as a person's (scanners, bots and pending ones are not).
COUNTED_KINDS = (ClickKind.UNIQUE, ClickKind.REPEAT)


def leads_for(person: Person) -> QuerySet[Lead]:
    """The organisation's leads with their counted clicks and the last one."""
    counted = Q(lead_links__link__clicks__kind__in=COUNTED_KINDS)
    return (
        Lead.objects.in_organisation(person.organisation)
        .select_related("owner")
        .annotate(
            click_count=Count("lead_links__link__clicks", filter=counted),
            last_click_at=Max("lead_links__link__clicks__clicked_at", filter=counted),
        )
    )


def get_lead_for(person: Person, lead_id: int) -> Lead:
    return get_object_or_404(leads_for(person), pk=lead_id)
