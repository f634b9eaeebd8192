"""Where content comes from: feeds, grouped in lists people can follow."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation
from budbringer.lib.names import validate_one_line


class ListKind(models.TextChoices):
    COMPANY = "company", _("Company content")
    CUSTOMERS = "customers", _("Customers")
    INDUSTRY = "industry", _("Industry news")
    CUSTOM = "custom", _("Other")


class SourceList(models.Model):
    """A named group of sources, like a list on X: "Company blog", "Customers"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="source_lists"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    kind = models.CharField(_("kind"), max_length=20, choices=ListKind, default=ListKind.CUSTOM)
    followers = models.ManyToManyField(
        "accounts.Person", blank=True, related_name="followed_lists", verbose_name=_("followers")
    )

    class Meta:
        verbose_name = _("source list")
        verbose_name_plural = _("source lists")
        ordering = ["name"]
        constraints = [
            # Case-insensitive, as people read names (lib/names.py).
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="source_list_name_unique_per_organisation",
                violation_error_message=_("There is a list with this name already."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SourceKind(models.TextChoices):
    ARTICLES = "article", _("Articles")
    VIDEOS = "video", _("Videos")
    PODCAST = "podcast", _("Podcast")


class FetchOutcome(models.TextChoices):
    NEVER = "", _("Not fetched yet")
    OK = "ok", _("New content checked")
    NOT_MODIFIED = "not_modified", _("Unchanged since the last fetch")
    FAILED = "failed", _("Failed")


class SourceQuerySet(models.QuerySet):
    def in_organisation(self, organisation: Organisation) -> "SourceQuerySet":
        return self.filter(organisation=organisation)

    def due(self, now=None) -> "SourceQuerySet":
        """Active sources whose next fetch time has come, longest waiting first."""
        now = now or timezone.now()
        return self.filter(is_active=True, next_fetch_at__lte=now).order_by("next_fetch_at")


class Source(models.Model):
    """A feed (RSS, Atom, JSON Feed, YouTube, podcast) that items are fetched from."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("title"), max_length=300, validators=[validate_one_line])
    feed_url = models.URLField(_("feed URL"), max_length=2000, validators=[validate_one_line])
    site_url = models.URLField(
        _("site URL"), max_length=2000, blank=True, validators=[validate_one_line]
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=SourceKind, default=SourceKind.ARTICLES
    )
    # Used for items too short to tell their language from.
    language = models.CharField(_("usual language"), max_length=10, blank=True)
    lists = models.ManyToManyField(
        SourceList, blank=True, related_name="sources", verbose_name=_("lists")
    )
    # Items from a trusted source are shareable at once; others wait for an editor.
    auto_approve = models.BooleanField(_("approve new items automatically"), default=True)
    is_active = models.BooleanField(_("fetch this source"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Fetch state, written by budbringer.sources.refresh only.
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_outcome = models.CharField(
        _("last fetch"),
        max_length=20,
        choices=FetchOutcome,
        default=FetchOutcome.NEVER,
        blank=True,
    )
    last_error = models.TextField(_("last error"), blank=True)
    failure_count = models.PositiveIntegerField(_("failures in a row"), default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    items_found = models.PositiveIntegerField(_("items found"), default=0)
    last_new_items = models.PositiveIntegerField(_("new items in the last fetch"), default=0)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "feed_url"], name="source_feed_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.title
