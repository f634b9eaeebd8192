"""Who may see which lead, and the one way views load leads: scoped to the person, or 404.

The rule (``models.py`` says why): sales people see their own leads, leaders and admins
every lead of the organisation. Whoever sees a lead may change, hand over and delete it;
only its owner reads its notes. Every page that lists or shows leads starts here.
"""

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from budbringer.accounts import roles
from budbringer.accounts.models import Person
from budbringer.accounts.roles import LEAD_ROLES
from budbringer.leads.models import Lead
from budbringer.links.models import ClickKind

# Clicks the counting pass settled as a person's (scanners, bots and pending ones are not).
COUNTED_KINDS = (ClickKind.UNIQUE, ClickKind.REPEAT)


def sees_all_leads(person: Person) -> bool:
    """Leaders and admins: every lead of the organisation, whoever owns it."""
    return roles.may_see_all_leads(person)


def reads_notes(person: Person, lead: Lead) -> bool:
    """Only the owner reads a lead's notes, whoever else may see the lead."""
    return lead.owner_id is not None and lead.owner_id == person.pk


def leads_for(person: Person) -> QuerySet[Lead]:
    """The leads this person may see, with their counted clicks and the last one."""
    leads = Lead.objects.in_organisation(person.organisation)
    if not roles.may_see_leads(person):
        leads = leads.none()
    elif not sees_all_leads(person):
        leads = leads.filter(owner=person)
    counted = Q(lead_links__link__clicks__kind__in=COUNTED_KINDS)
    return leads.select_related("owner").annotate(
        click_count=Count("lead_links__link__clicks", filter=counted),
        last_click_at=Max("lead_links__link__clicks__clicked_at", filter=counted),
    )


def get_lead_for(person: Person, lead_id: int) -> Lead:
    return get_object_or_404(leads_for(person), pk=lead_id)


def lead_holders(organisation_id: int) -> QuerySet[Person]:
    """Who may own leads: the organisation's active people with a role that works with them."""
    people = Person.objects.filter(organisation_id=organisation_id, role__in=LEAD_ROLES)
    return people.active().order_by("name", "pk")


def possible_owners(lead: Lead) -> QuerySet[Person]:
    """Who the lead can be handed over to: anyone who may own leads but its owner."""
    return lead_holders(lead.organisation_id).exclude(pk=lead.owner_id)
