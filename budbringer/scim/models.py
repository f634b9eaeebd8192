"""SCIM provisioning: the tokens an identity provider (Entra ID, Okta) calls us with, and
what SCIM says about a person or a department that our own rows have no place for."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Person
from budbringer.lib.bearer_tokens import BearerToken


class ScimToken(BearerToken):
    """A bearer token that is the organisation at /scim/v2/."""

    class Meta(BearerToken.Meta):
        verbose_name = _("SCIM token")
        verbose_name_plural = _("SCIM tokens")


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
