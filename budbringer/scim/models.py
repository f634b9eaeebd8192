"""SCIM provisioning: the tokens an identity provider (Entra ID, Okta) calls us with, and
what SCIM says about a person or a department that our own rows have no place for."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation, Person
from budbringer.lib.names import validate_one_line


class ScimTokenQuerySet(models.QuerySet):
    def in_organisation(self, organisation: Organisation) -> "ScimTokenQuerySet":
        return self.filter(organisation=organisation)

    def usable(self) -> "ScimTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ScimToken(models.Model):
    """A bearer token that is the organisation at /scim/v2/; only its SHA-256 is kept."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    # The first characters of the secret, so an admin can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Null when made by `budbringer scim-token`, or once the person is erased.
    created_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scim_tokens",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ScimIdentity(models.Model):
    """What the identity provider calls a person, echoed back as it sent it: its own id
    (``externalId``), its ``userName`` (an e-mail in Entra ID and Okta, but SCIM allows any
    string), its ``displayName``, the name in parts and the e-mail entries. The person's
    e-mail address and name live on the person, as for everyone else."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="scim_identity")
    external_id = models.CharField(max_length=255, blank=True)
    user_name = models.CharField(max_length=255)
    # As sent; blank when it sent none (the person's name is then made from the parts).
    display_name = models.CharField(max_length=200, blank=True)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    # [{"value": ..., "type": ..., "primary": ...}] as last sent; the person's e-mail among them.
    emails = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by a SCIM DELETE: the person is deactivated and no longer a SCIM resource (a GET
    # answers 404, as RFC 7644 §3.6 asks), but keeps their row for the aggregate counts.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["external_id"], name="scim_identity_external_id")]

    def __str__(self) -> str:
        return self.user_name


class ScimDepartment(models.Model):
    """The identity provider's id of a department that it provisions as a group."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="scim_department"
    )
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.external_id
