"""What people did with items, which the ranker learns from, and what it learned."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import Item


class InteractionKind(models.TextChoices):
    # The same names as the engine's EVENT_WEIGHTS.
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    SHARED = "shared", _("Shared")
    MORE_LIKE_THIS = "more_like_this", _("More like this")
    DISMISSED = "dismissed", _("Not for me")
    # Shown in a digest: never suggested again, no signal about taste (engine SEEN_ONLY_KINDS).
    DELIVERED = "delivered", _("Delivered in a digest")


class Interaction(models.Model):
    """One piece of feedback: a person opened, shared or dismissed an item.

    Kept minimal on purpose (no IP, no browser), and erased with the person.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="interactions"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["person", "item"]),
            models.Index(fields=["organisation", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.item_id}"


class RankerState(models.Model):
    """The ranker's weights learned from an organisation's interactions (retrain_rankers)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="ranker_state"
    )
    weights = models.JSONField(default=dict)
    trained_at = models.DateTimeField()
    events_used = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ranker state")
        verbose_name_plural = _("ranker states")

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.trained_at:%Y-%m-%d %H:%M}"
