"""Issuing, checking and revoking SCIM tokens; the one home of every SCIM token mutation.

Made and kept as API tokens are (``lib/bearer_tokens.py``): 32 random bytes, SHA-256
stored. A different prefix tells the two apart in logs and secret scanners.
"""

from budbringer.accounts.models import Organisation, Person
from budbringer.lib import bearer_tokens
from budbringer.scim.models import ScimToken

SECRET_PREFIX = "bbscim_"  # noqa: S105 (a label, not a secret)


def issue_token(
    organisation: Organisation, name: str, created_by: Person | None = None
) -> tuple[ScimToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    return bearer_tokens.issue(
        ScimToken, SECRET_PREFIX, organisation=organisation, name=name, created_by=created_by
    )


def token_for_secret(secret: str) -> ScimToken | None:
    """The usable token with this secret, noting that it was used; None for anything else."""
    return bearer_tokens.find(ScimToken, SECRET_PREFIX, secret)


def revoke_token(token: ScimToken) -> None:
    bearer_tokens.revoke(token)
