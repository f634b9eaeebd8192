"""Single sign-on connections: one per organisation and protocol (``oidc/``, ``saml/``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionBase(models.Model):
    """What every identity-provider connection says about mapping people: which claim or
    attribute names the department, which groups give which role. The protocol's own
    settings are on the concrete models."""

    enabled = models.BooleanField(_("enabled"), default=False)
    # The claim (OIDC) or attribute (SAML) whose value is the department's name; empty
    # leaves departments as they are.
    department_attribute = models.CharField(_("department claim"), max_length=200, blank=True)
    # The claim or attribute listing the person's groups (names or ids, as the IdP sends).
    groups_attribute = models.CharField(_("groups claim"), max_length=200, default="groups")
    # {"group": "role"}: a person in several gets the strongest role (sso.mapping).
    role_groups = models.JSONField(_("roles by group"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
