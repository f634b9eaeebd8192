"""Shares: a person passing an item on to a network through a tracked link."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import Item
from budbringer.sharing.networks import NETWORK_CHOICES


class Share(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares")
    # Null once the person is erased: the share still counts, but no longer points to anyone.
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="shares")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="shares")
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES)
    link = models.ForeignKey(
        "links.TrackedLink", on_delete=models.SET_NULL, null=True, related_name="shares"
    )
    created_at = models.DateTimeField(_("shared"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at"]
        indexes = [
            # Covering what the dashboard groups a period's shares by, so that it reads the
            # index alone (the leading columns serve every "shares in a period" query).
            models.Index(
                fields=["organisation", "created_at", "person", "network", "item"],
                name="share_org_created_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.get_network_display()}: {self.item}"
