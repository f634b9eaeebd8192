"""Where an organisation's people start single sign-on: one place for every page that
offers "Sign in with your company account" (the invitation page, later the sign-in page).
"""

from __future__ import annotations

from budbringer.accounts.models import Organisation


def sso_start_url(organisation: Organisation) -> str | None:
    """The address that starts single sign-on for this organisation, or None when it signs
    in with passwords. None until an OIDC or SAML connection can be enabled: the
    connections' helpers return the enabled one's start address here."""
    return None
