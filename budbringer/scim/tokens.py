"""Issuing, checking and revoking SCIM tokens; the one home of every SCIM token mutation.

Made and hashed as API tokens are (``api/tokens.py``): 32 random bytes, SHA-256 stored.
A different prefix tells the two apart in logs and secret scanners.
"""

import secrets

from django.db.models import Q
from django.utils import timezone

from budbringer.accounts.models import Organisation, Person
from budbringer.api.tokens import LAST_USED_RESOLUTION, SECRET_BYTES, hash_secret
from budbringer.scim.models import ScimToken

SECRET_PREFIX = "bbscim_"  # noqa: S105 (a label, not a secret)


def issue_token(
    organisation: Organisation, name: str, created_by: Person | None = None
) -> tuple[ScimToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ScimToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        token_hash=hash_secret(secret),
        created_by=created_by,
    )
    return token, secret


def token_for_secret(secret: str) -> ScimToken | None:
    """The usable token with this secret, noting that it was used; None for anything else."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ScimToken.objects.usable()
        .select_related("organisation")
        .filter(token_hash=hash_secret(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ScimToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    return token


def revoke_token(token: ScimToken) -> None:
    """Refused from the next request on; kept in the list so admins see what existed."""
    ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
