"""A person's second factors for password sign-ins, and an organisation's rule about them.

Factors belong to the login (``User``), the thing that signs in. Single sign-on logins
are never asked for them: the identity provider does its own MFA.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Organisation
from budbringer.lib.encryption import EncryptedTextField


class TotpDevice(models.Model):
    """An authenticator app (RFC 6238). It counts only once ``confirmed_at`` is set, after
    its first right code: a secret that was shown but never typed back proves nothing."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    secret = EncryptedTextField(_("secret"))  # base32, as authenticator apps take it
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The 30-second step of the last code accepted: a code of that step or an earlier one
    # is refused, so a code seen over someone's shoulder cannot be used again.
    last_used_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"authenticator app of {self.user}"


class Passkey(models.Model):
    """A WebAuthn credential registered by the person (a phone, a laptop, a security key)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # base64url, as the browser names it in ``rawId``; unique across all logins.
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()  # COSE key
    # The authenticator's counter; one that does not go up means a cloned key (refused).
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class RecoveryCode(models.Model):
    """One of ten single-use codes for when the phone is lost. Only a hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="mfa_recovery_code_once")
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class MfaPolicy(models.Model):
    """What an organisation's admin requires (``mfa.policy``)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE)
    required_for_admins_and_editors = models.BooleanField(
        _("require a second factor for admins and editors"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "MFA policies"

    def __str__(self) -> str:
        return f"second-factor policy of {self.organisation}"
