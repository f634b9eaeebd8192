"""Issuing, checking and revoking API tokens; the one home of every token mutation.
How tokens are made and kept is ``lib/bearer_tokens.py`` (shared with SCIM tokens)."""

from budbringer.accounts.models import Organisation, Person
from budbringer.api.models import ApiToken
from budbringer.lib import bearer_tokens

# Every API secret starts with this; SCIM's have their own.
SECRET_PREFIX = "bb_"  # noqa: S105 (a label, not a secret)


def issue_token(organisation: Organisation, name: str, created_by: Person) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    return bearer_tokens.issue(
        ApiToken, SECRET_PREFIX, organisation=organisation, name=name, created_by=created_by
    )


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, noting that it was used; None for anything else."""
    return bearer_tokens.find(ApiToken, SECRET_PREFIX, secret)


def revoke_token(token: ApiToken) -> None:
    bearer_tokens.revoke(token)
