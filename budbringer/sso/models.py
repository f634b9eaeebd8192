"""Single sign-on connections: one per organisation and protocol (``oidc/``, ``saml/``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.lib.encryption import EncryptedTextField


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


class OidcConnection(ConnectionBase):
    """An organisation's OpenID Connect provider (Entra ID, Google, Okta, Keycloak...).

    The issuer is unique: one provider tenant vouches for one organisation here, so a
    token from it can never sign someone into another organisation. The client secret
    is either stored encrypted or read from an environment variable named here (for
    deployments that keep secrets out of the database)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="oidc_connection"
    )
    issuer = models.URLField(_("issuer URL"), max_length=500, unique=True)
    client_id = models.CharField(_("client id"), max_length=500)
    client_secret = EncryptedTextField(_("client secret"), blank=True)
    client_secret_env = models.CharField(
        _("environment variable with the client secret"), max_length=200, blank=True
    )
    scopes = models.CharField(_("scopes"), max_length=500, default="openid email profile")

    class Meta:
        verbose_name = _("OpenID Connect connection")
        verbose_name_plural = _("OpenID Connect connections")

    def __str__(self) -> str:
        return self.issuer

    @property
    def kind(self) -> str:
        return "oidc"


class SignInPolicy(models.Model):
    """How an organisation's people sign in beyond what the connections say: with
    ``require_sso`` passwords are off for all of them except the break-glass admins
    (who can still get in when the identity provider is down or misconfigured)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="sign_in_policy"
    )
    require_sso = models.BooleanField(_("require single sign-on"), default=False)
    break_glass = models.ManyToManyField(
        "accounts.Person",
        blank=True,
        related_name="+",
        verbose_name=_("break-glass admins"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self) -> str:
        return f"sign-in policy of organisation {self.organisation_id}"


class SamlConnection(ConnectionBase):
    """An organisation's SAML 2.0 identity provider (ADFS, Okta, ...) and our side of it.

    The provider's entity id, sign-on URL and signing certificates come from its metadata
    (``sso.saml.metadata``); our key pair is made with the connection, the private key
    encrypted at rest."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="saml_connection"
    )
    # One provider vouches for one organisation: a second one claiming it is refused.
    idp_entity_id = models.CharField(_("identity provider entity id"), max_length=1024, unique=True)
    idp_sso_url = models.URLField(_("identity provider sign-on URL"), max_length=2000)
    # PEM certificates, one after another: the keys that may sign assertions.
    idp_certificates = models.TextField(_("identity provider signing certificates"))
    # Where the metadata was fetched from, when an admin gave a URL instead of the XML.
    idp_metadata_url = models.URLField(_("metadata URL"), max_length=2000, blank=True)
    # The attribute with the e-mail address; empty means the NameID (format emailAddress).
    email_attribute = models.CharField(_("e-mail attribute"), max_length=200, blank=True)
    name_attribute = models.CharField(_("name attribute"), max_length=200, blank=True)
    sp_certificate = models.TextField(_("our certificate"))
    sp_private_key = EncryptedTextField(_("our private key"))

    class Meta:
        verbose_name = _("SAML connection")
        verbose_name_plural = _("SAML connections")

    def __str__(self) -> str:
        return f"SAML: {self.idp_entity_id}"

    def certificates(self) -> list[str]:
        pems = self.idp_certificates.split("-----END CERTIFICATE-----")
        return [pem.strip() + "\n-----END CERTIFICATE-----\n" for pem in pems if pem.strip()]


class SeenAssertion(models.Model):
    """An assertion already used to sign in, kept until it expires, so a copy of it (a
    replay) is refused; the unique key makes two simultaneous uses one success."""

    connection = models.ForeignKey(SamlConnection, on_delete=models.CASCADE)
    assertion_id = models.CharField(max_length=256)
    keep_until = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "assertion_id"], name="sso_assertion_used_once"
            )
        ]

    def __str__(self) -> str:
        return self.assertion_id
