"""Tracked short links and the clicks on them.

A click keeps no raw IP address: only a salted hash whose salt is replaced every day,
enough to tell repeated clicks of one visitor apart from many visitors on the same day.
"""

import secrets
import string

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import Item
from budbringer.sharing.networks import NETWORK_CHOICES

_CODE_ALPHABET = string.ascii_letters + string.digits


def new_code() -> str:
    """A random base-62 code, long enough that codes cannot be found by walking them."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(settings.LINK_CODE_LENGTH))


class TrackedLink(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="tracked_links"
    )
    code = models.CharField(_("code"), max_length=64, unique=True, default=new_code)
    # The only place a redirect may go: set when the link is made (by links.tracking alone;
    # an item's address for a link bound to an item), never changed, never from a request.
    target_url = models.URLField(
        _("target"), max_length=2000, validators=[URLValidator(schemes=["http", "https"])]
    )
    # Null once the person is erased: links already shared keep working for their readers.
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="tracked_links"
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="tracked_links"
    )
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a share found this link no longer going to its item's address (share_link): it
    # keeps its target for the posts already out, and the person's shares get a new link.
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        constraints = [
            # One current link per person, item and network, so sharing twice reuses it.
            models.UniqueConstraint(
                fields=["person", "item", "network"],
                condition=models.Q(
                    person__isnull=False, item__isnull=False, replaced_at__isnull=True
                ),
                name="tracked_link_unique_per_person_item_network",
            )
        ]

    def __str__(self) -> str:
        return self.code


class ClickKind(models.TextChoices):
    """Who or what followed a link. Only people count; the rest is kept to show what was left out.

    Bots, previews and probes are told at request time from the method and user agent;
    browser-like clicks start as ``pending`` until the counting pass (``links.counting``)
    has looked for e-mail scanner bursts and repeats.
    """

    PENDING = "pending", _("not yet counted")
    UNIQUE = "unique", _("person, unique")
    REPEAT = "repeat", _("person, repeated within 30 minutes")
    SCANNER = "scanner", _("e-mail security scanner")
    BOT = "bot", _("crawler")
    PREVIEW = "preview", _("link preview")
    PROBE = "probe", _("HEAD or other probe")


# Clicks that a person made (pending ones are browser-like and not yet checked).
PERSON_KINDS = (ClickKind.PENDING, ClickKind.UNIQUE, ClickKind.REPEAT)
# Clicks by machines, kept out of every count.
MACHINE_KINDS = (ClickKind.SCANNER, ClickKind.BOT, ClickKind.PREVIEW, ClickKind.PROBE)


class Click(models.Model):
    # No index of its own: (organisation, clicked_at) below serves lookups by organisation,
    # and every index is written by each click on the redirect path. No constraint in the
    # database either: the click's organisation is its link's (the link's constraint
    # holds, and deleting an organisation deletes its links and clicks through Django),
    # and on PostgreSQL each constraint is a lookup per inserted click.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="clicks",
        db_index=False,
        db_constraint=False,
    )
    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    clicked_at = models.DateTimeField(_("clicked"), db_index=True)
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES, blank=True)
    referrer_host = models.CharField(_("referrer"), max_length=255, blank=True)
    user_agent_family = models.CharField(_("browser"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ClickKind.choices, default=ClickKind.PENDING
    )
    # sha256(daily salt + IP); the salt is deleted after two days, so the hash cannot be reversed.
    visitor_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            models.Index(fields=["organisation", "clicked_at"]),
            models.Index(fields=["kind", "clicked_at"], name="click_kind_time"),
            # The counting pass looks up each visitor's recent clicks.
            models.Index(fields=["visitor_hash", "clicked_at"], name="click_visitor_time"),
        ]

    def __str__(self) -> str:
        # In the viewer's time zone, as every time on a page (the admin lists clicks).
        return f"{self.link} @ {timezone.localtime(self.clicked_at):%Y-%m-%d %H:%M}"

    @property
    def is_bot(self) -> bool:
        return self.kind in MACHINE_KINDS


class VisitorSalt(models.Model):
    """A random salt per UTC day for visitor hashes; old ones are deleted."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class ClickJournalFile(models.Model):
    """How far the ingester has stored one click journal file (links/ingester.py). The
    offset moves in the transaction that stores the clicks before it, so a line is stored
    once whatever crashes when; the row is deleted after its file."""

    name = models.CharField(max_length=200, unique=True)
    offset = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.offset}"
