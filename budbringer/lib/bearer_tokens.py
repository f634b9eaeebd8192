"""Bearer tokens kept as a hash (API tokens, SCIM tokens): made, found and revoked the same
way for every model that has ``organisation``, ``name``, ``prefix``, ``secret_hash``,
``created_by``, ``last_used_at`` and ``revoked_at`` and a ``usable()`` queryset.
"""

import datetime as dt
import hashlib
import secrets

from django.db.models import Model, Q
from django.utils import timezone

# 32 random bytes: a hash of it cannot be walked back, so a plain SHA-256 is enough
# (slow password hashes exist for low-entropy secrets that people choose).
SECRET_BYTES = 32
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Longer than any secret we make: refused before hashing.
MAX_SECRET_LENGTH = 200


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
