"""API tokens: how a CRM system of one organisation reads that organisation's data."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation, Person
from budbringer.lib.names import validate_one_line


class ApiTokenQuerySet(models.QuerySet):
    def in_organisation(self, organisation: Organisation) -> "ApiTokenQuerySet":
        return self.filter(organisation=organisation)

    def usable(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token; only the SHA-256 of its secret is kept, the secret is shown once."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    # The first characters of the secret, so an admin can tell tokens apart in logs and lists.
    prefix = models.CharField(_("starts with"), max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    # Null once the person is erased: the token stays the organisation's.
    created_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
