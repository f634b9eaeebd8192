"""Leads: the prospects sales people send tracked links to, and the links bound to them.

A lead is personal data of someone who is not a user. Who may do what (``lookups.py``):

- A lead belongs to its owner. A sales person sees, changes, hands over and deletes only
  the leads they own; another's lead is a 404 to them, like another organisation's.
- Leaders and admins see and change every lead of the organisation, ownerless ones
  included (left by an erased owner), and may hand any of them over.
- A lead changes owner only by being handed over (``leads.hand_over_lead``), to a person
  of the organisation who may hold leads; the new owner gets its alerts from then on and
  the previous one, unless a leader or admin, no longer sees it.
- The notes are the owner's working notes: only the owner reads and edits them. Leaders
  and admins see that a lead has notes, never their text, and the API never gives them.
  They go with the lead when its owner hands it over (the owner is told so); when a
  leader or admin hands over someone else's lead, the notes are deleted, not passed on
  to anyone their author did not choose. Erasing the owner deletes them too.

A lead is in its owner's export, and deleting it deletes its links and their clicks
(``leads.delete_lead``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.lib.names import validate_one_line
from budbringer.links.models import Click, TrackedLink


class LeadQuerySet(models.QuerySet):
    def in_organisation(self, organisation: Organisation) -> "LeadQuerySet":
        return self.filter(organisation=organisation)


class Lead(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="leads")
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    email = models.EmailField(_("e-mail"), max_length=254)
    company = models.CharField(
        _("company"), max_length=200, blank=True, validators=[validate_one_line]
    )
    # Who gets the alerts. Null once the owner is erased: the lead stays with the
    # organisation, without alerts, until someone takes it over.
    owner = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("owner"),
    )
    # Only the owner reads them (see the module's docstring).
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Only the lead's owner can read the notes.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the lead last changed owner (``leads.hand_over_lead``); empty if it never did.
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    # When the owner was last alerted; claimed with a conditional UPDATE, so two workers
    # settling clicks of one lead at once send one alert (alerts.claim_alert).
    last_alert_at = models.DateTimeField(null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class LeadLink(models.Model):
    """A tracked link made for one lead (kept here, not on TrackedLink, so the links app
    need not know about leads)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="lead_links")
    link = models.OneToOneField(TrackedLink, on_delete=models.CASCADE, related_name="lead_link")

    class Meta:
        verbose_name = _("lead link")
        verbose_name_plural = _("lead links")

    def __str__(self) -> str:
        return f"{self.lead} → {self.link}"


class LeadAlert(models.Model):
    """One alert sent to a lead's owner, and the click it was about: what the API tells a
    CRM about each of a lead's clicks (alerted, or within the hour of an earlier alert)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="alerts")
    click = models.OneToOneField(Click, on_delete=models.CASCADE, related_name="lead_alert")
    alerted_at = models.DateTimeField(_("alerted at"))
    # Outcome per channel ("sent", "temporary", "permanent"), empty when not tried.
    email_outcome = models.CharField(_("e-mail"), max_length=10, blank=True)
    chat_outcome = models.CharField(_("chat"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("lead alert")
        verbose_name_plural = _("lead alerts")
        ordering = ["-alerted_at"]

    def __str__(self) -> str:
        return f"{self.lead} @ {self.alerted_at:%Y-%m-%d %H:%M}"
