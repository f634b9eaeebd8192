"""The one home of every change to leads: add, change, hand over, delete, and their
tracked links."""

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from budbringer.accounts.models import Person
from budbringer.analytics.rollup import delete_clicks
from budbringer.content.models import Item
from budbringer.leads.lookups import COUNTED_KINDS, leads_for, possible_owners, reads_notes
from budbringer.leads.models import Lead, LeadLink
from budbringer.links.models import Click, TrackedLink
from budbringer.links.tracking import create_link

HOT_HOURS = 24


@transaction.atomic
def create_lead_link(lead: Lead, *, item: Item | None = None, url: str = "") -> TrackedLink:
    """A fresh tracked link to an item of the organisation, or to an http(s) address, bound
    to the lead. The redirect only ever goes to the target registered here."""
    if (item is None) == (not url):
        raise ValueError("give an item or an address, not both")
    if item is not None and item.organisation_id != lead.organisation_id:
        raise ValueError("the item belongs to another organisation")
    link = create_link(lead.organisation, item.url if item else url, item=item)
    LeadLink.objects.create(lead=lead, link=link)
    return link


class HandOverRefused(Exception):
    """The hand-over did not happen; the message says why, in words for the person."""


def hand_over_lead(
    lead: Lead, new_owner: Person, *, by: Person, now: dt.datetime | None = None
) -> None:
    """Make ``new_owner`` the lead's owner: they get its alerts from now on.

    The notes go along only when the owner hands the lead over; when a leader or admin
    hands over someone else's lead they are deleted (``models.py``: only their author
    passes them on). The update is conditional on the owner ``lead`` was read with, so
    of two hand-overs at once only the first happens and the second is refused.
    """
    if not leads_for(by).filter(pk=lead.pk).exists():
        raise HandOverRefused(_("You cannot hand over this lead."))
    if not possible_owners(lead).filter(pk=new_owner.pk).exists():
        raise HandOverRefused(_("Choose someone of the organisation who works with leads."))
    changes = {"owner": new_owner, "handed_over_at": now or timezone.now()}
    if not reads_notes(by, lead):
        changes["notes"] = ""
    if not Lead.objects.filter(pk=lead.pk, owner_id=lead.owner_id).update(**changes):
        raise HandOverRefused(_("Someone else has just handed this lead over or deleted it."))
    for field, value in changes.items():
        setattr(lead, field, value)


@transaction.atomic
def delete_lead(lead: Lead) -> None:
    """Delete the lead and every trace of them: their links (which then answer 404) and
    the clicks on those links (through ``delete_clicks``, which keeps the roll-ups right)."""
    delete_clicks(Click.objects.filter(link__lead_link__lead=lead))
    TrackedLink.objects.filter(lead_link__lead=lead).delete()
    lead.delete()


def hot_leads(person: Person, now: dt.datetime | None = None) -> QuerySet[Lead]:
    """Leads with a counted click in the last 24 hours, the most recent first."""
    since = (now or timezone.now()) - dt.timedelta(hours=HOT_HOURS)
    return leads_for(person).filter(last_click_at__gte=since).order_by("-last_click_at", "pk")


def lead_clicks(lead: Lead):
    """The counted clicks on the lead's links, newest first, with what was clicked."""
    return (
        Click.objects.filter(link__lead_link__lead=lead, kind__in=COUNTED_KINDS)
        .select_related("link", "link__item")
        .order_by("-clicked_at")
    )
