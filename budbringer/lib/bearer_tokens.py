"""Bearer tokens kept as a hash (API tokens, SCIM tokens): one abstract model, made, found
and revoked the same way for every kind.
"""

import datetime as dt
import hashlib
import secrets

from django.db import models
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budbringer.lib.names import validate_one_line

# 32 random bytes: a hash of it cannot be walked back, so a plain SHA-256 is enough
# (slow password hashes exist for low-entropy secrets that people choose).
SECRET_BYTES = 32
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Longer than any secret we make: refused before hashing.
MAX_SECRET_LENGTH = 200


class BearerTokenQuerySet(models.QuerySet):
    def in_organisation(self, organisation) -> "BearerTokenQuerySet":
        return self.filter(organisation=organisation)

    def usable(self) -> "BearerTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class BearerToken(models.Model):
    """A bearer token of one organisation; only the SHA-256 of its secret is kept, the secret
    is shown once. Each kind (``api.ApiToken``, ``scim.ScimToken``) is a subclass."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="%(app_label)s_tokens"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_one_line])
    # The first characters of the secret, so an admin can tell tokens apart in logs and lists.
    prefix = models.CharField(_("starts with"), max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Null when made by a command, or once the person is erased: the token stays the
    # organisation's.
    created_by = models.ForeignKey(
        "accounts.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(app_label)s_tokens",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = BearerTokenQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(model: type[Model], prefix: str, **fields) -> tuple[Model, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again.
    Every secret starts with ``prefix``, so secret scanners (and people) recognise it."""
    secret = prefix + secrets.token_urlsafe(SECRET_BYTES)
    token = model.objects.create(
        prefix=secret[: len(prefix) + 6], secret_hash=hash_secret(secret), **fields
    )
    return token, secret


def find(model: type[Model], prefix: str, secret: str) -> Model | None:
    """The usable token with this secret, noting that it was used; None for anything else."""
    if not secret.startswith(prefix) or len(secret) > MAX_SECRET_LENGTH:
        return None
    token = (
        model.objects.usable()
        .select_related("organisation")
        .filter(secret_hash=hash_secret(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests write once; skipped entirely most of the time.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        model.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token


def revoke(token: Model) -> None:
    """Refused from the next request on; kept in the list so admins see what existed."""
    type(token).objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
