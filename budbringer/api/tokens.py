"""Issuing, checking and revoking API tokens; the one home of every token mutation."""

import datetime as dt
import hashlib
import secrets

from django.db.models import Q
from django.utils import timezone

from budbringer.accounts.models import Organisation, Person
from budbringer.api.models import ApiToken

# Every secret starts with this, so secret scanners (and people) recognise a leaked one.
SECRET_PREFIX = "bb_"  # noqa: S105 (a label, not a secret)
# 32 random bytes: a hash of it cannot be walked back, so a plain SHA-256 is enough
# (slow password hashes exist for low-entropy secrets that people choose).
SECRET_BYTES = 32
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(organisation: Organisation, name: str, created_by: Person) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        created_by=created_by,
    )
    return token, secret


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, noting that it was used; None for anything else."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.usable()
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
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token


def revoke_token(token: ApiToken) -> None:
    """Refused from the next request on; kept in the list so admins see what existed."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
