"""Digests: what each person gets, when, and how every delivery of it went.

A ``Digest`` is one (person, slot): planned ahead from the timing model, composed when its
slot comes (the ranked, budgeted selection at that moment), then delivered once per channel.
A ``Delivery`` walks planned -> sending -> sent (or failed), each transition committed before
and after talking to the mail server or the webhook, so a crash leaves a visible state.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import Item
from budbringer.links.models import ClickKind


class DigestStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    READY = "ready", _("Ready to send")
    SKIPPED = "skipped", _("Nothing relevant enough")
    CANCELLED = "cancelled", _("Cancelled")


class DigestKind(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PREVIEW = "preview", _("Preview")


class Digest(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="digests")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="digests")
    # The planned send time (UTC); with the person it is the digest's unique key.
    slot_at = models.DateTimeField(_("planned for"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=DigestKind, default=DigestKind.SCHEDULED
    )
    # Which timing policy chose the slot ("model" or "holdout"), so the lift can be measured.
    policy = models.CharField(_("timing policy"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus, default=DigestStatus.PLANNED
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    composed_at = models.DateTimeField(_("composed at"), null=True, blank=True)
    # A worker composing the digest holds it until then, so others rank other people.
    composer = models.CharField(max_length=100, blank=True)
    composing_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["person", "slot_at"], name="one_digest_per_slot"),
            # Two planners racing cannot give a person two upcoming digests.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="planned", kind="scheduled"),
                name="one_planned_digest_per_person",
            ),
        ]
        indexes = [models.Index(fields=["status", "slot_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.slot_at:%Y-%m-%d %H:%M}"


class DigestEntry(models.Model):
    """One item of a composed digest, in order, with the reason it was picked."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="digest_entries")
    position = models.PositiveSmallIntegerField()
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("digest entry")
        verbose_name_plural = _("digest entries")
        ordering = ["digest", "position"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "item"], name="an_item_once_per_digest")
        ]

    def __str__(self) -> str:
        return f"{self.digest_id}#{self.position}"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat (Slack or Teams)")


class DeliveryStatus(models.TextChoices):
    # Composed, to be sent now or retried later; a digest not yet composed has no delivery.
    PLANNED = "planned", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PLANNED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a planned delivery may be tried (again); a sending one belongs to its claimer
    # until its lease ends, after which another worker resends it with the same Message-ID.
    due_at = models.DateTimeField(_("due at"))
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["digest", "channel"], name="one_delivery_per_channel")
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.digest_id}/{self.channel}: {self.status}"


class DigestClick(models.Model):
    """A visit of a digest's read or share link, counted like a tracked-link click.

    Mail scanners follow every link of a digest at delivery; a read only becomes the
    person's "clicked" feedback once the counting pass (``digests.clicks``) has settled
    it as a unique visit.
    """

    READ = "read"
    SHARE = "share"

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="clicks")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="digest_clicks")
    action = models.CharField(max_length=10)  # READ or SHARE
    network = models.CharField(_("network"), max_length=20, blank=True)
    clicked_at = models.DateTimeField(_("clicked"))
    kind = models.CharField(_("kind"), max_length=10, choices=ClickKind.choices)
    # sha256(daily salt + IP), as on Click: no raw address is kept.
    visitor_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("digest click")
        verbose_name_plural = _("digest clicks")
        indexes = [
            models.Index(fields=["kind", "clicked_at"], name="digest_click_kind_time"),
            models.Index(fields=["visitor_hash", "clicked_at"], name="digest_click_visitor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.digest_id} {self.action} {self.item_id}"
