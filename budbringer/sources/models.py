"""Where content comes from: feeds, grouped in lists people can follow."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation


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
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ListKind, default=ListKind.CUSTOM)
    followers = models.ManyToManyField(
        "accounts.Person", blank=True, related_name="followed_lists", verbose_name=_("followers")
    )

    class Meta:
        verbose_name = _("source list")
        verbose_name_plural = _("source lists")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="source_list_name_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A feed (RSS, Atom, ...) that items are fetched from."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("title"), max_length=300)
    feed_url = models.URLField(_("feed URL"), max_length=2000)
    site_url = models.URLField(_("site URL"), max_length=2000, blank=True)
    lists = models.ManyToManyField(
        SourceList, blank=True, related_name="sources", verbose_name=_("lists")
    )
    created_at = models.DateTimeField(auto_now_add=True)

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
