"""Items people can read and share, their topics and suggested share texts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.content.fields import SanitizedHTMLField
from budbringer.content.language import CONTENT_LANGUAGES
from budbringer.lib.names import validate_one_line
from budbringer.sharing.networks import NETWORK_CHOICES
from budbringer.sources.models import Source


class Topic(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "One word or phrase per line, in any of our languages. Items whose title or text "
            "contains one of them, in any inflection, get this topic."
        ),
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            # Case-insensitive, as people read names (lib/names.py).
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="topic_name_unique_per_organisation",
                violation_error_message=_("There is a topic with this name already."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ItemQuerySet(models.QuerySet):
    def in_organisation(self, organisation: Organisation) -> "ItemQuerySet":
        return self.filter(organisation=organisation)

    def shareable(self, now=None) -> "ItemQuerySet":
        """Approved and not expired: what people may see and share."""
        now = now or timezone.now()
        return self.filter(approval_state=ApprovalState.APPROVED).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


def readable_languages(languages: list[str]) -> list[str]:
    """Who reads Norwegian Bokmål reads Nynorsk too."""
    return [*languages, "nn"] if "nb" in languages else list(languages)


class ItemKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    VIDEO = "video", _("Video")
    PODCAST = "podcast", _("Podcast episode")


class Promotion(models.TextChoices):
    """An editor's lift for an item in everyone's ranking (the ranker's ``boost``)."""

    NONE = "none", _("Not promoted")
    BOOSTED = "boosted", _("Boosted")
    PINNED = "pinned", _("Pinned")


# The ranker's boost feature for each promotion (0 = none, 1 = pinned).
PROMOTION_BOOST = {Promotion.NONE: 0.0, Promotion.BOOSTED: 0.5, Promotion.PINNED: 1.0}


class Item(models.Model):
    """An article, video or episode that can be shared."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="items")
    source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("source"),
    )
    title = models.CharField(_("title"), max_length=300, validators=[validate_one_line])
    url = models.URLField(_("URL"), max_length=2000)
    # The URL with tracking parameters and fragments removed; one item per canonical URL.
    canonical_url = models.URLField(_("canonical URL"), max_length=2000)
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    # Never raw HTML: the field sanitises every write (budbringer.content.fields).
    content_html = SanitizedHTMLField(
        _("content"),
        blank=True,
        base_url_field="url",
        help_text=_(
            "HTML. Anything that could run a script, load a frame or plugin, submit a form "
            "or change the page's style is removed when it is saved."
        ),
    )
    author = models.CharField(_("author"), max_length=300, blank=True)
    guid = models.CharField(max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind, default=ItemKind.ARTICLE)
    image_url = models.URLField(_("image"), max_length=2000, blank=True)
    media_url = models.URLField(_("audio or video file"), max_length=2000, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    # Blank when the text is too short to tell.
    language = models.CharField(_("language"), max_length=10, choices=CONTENT_LANGUAGES, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="items", verbose_name=_("topics")
    )
    approval_state = models.CharField(
        _("approval"), max_length=20, choices=ApprovalState, default=ApprovalState.PENDING
    )
    approved_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    promotion = models.CharField(
        _("promotion"), max_length=10, choices=Promotion, default=Promotion.NONE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # MinHash of the text (budbringer.content.neardup); null when too short to compare.
    fingerprint = models.BinaryField(null=True, blank=True, editable=False)
    # The earlier item this one repeats (the same press release on another site): shown once.
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "canonical_url"], name="item_url_unique_per_organisation"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "approval_state", "-published_at"]),
            models.Index(fields=["organisation", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class ShareText(models.Model):
    """Suggested words for a share; network blank means "any network"."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="share_texts")
    network = models.CharField(_("network"), max_length=20, choices=NETWORK_CHOICES, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(_("text"), max_length=3000)

    class Meta:
        verbose_name = _("suggested share text")
        verbose_name_plural = _("suggested share texts")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "network", "language"],
                name="share_text_unique_per_network_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.network or '*'}, {self.language})"
