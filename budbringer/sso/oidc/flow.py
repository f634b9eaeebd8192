"""One OpenID Connect sign-in: the authorization code flow with PKCE, ``state`` and
``nonce`` (OpenID Connect Core 1.0, 3.1; RFC 7636).

1. ``begin`` makes a fresh state, nonce and PKCE verifier, keeps them in the person's
   session (so a state is bound to the browser that started it) and returns the
   provider's authorization URL.
2. ``finish`` takes the state out of the session (single use: a replayed callback
   finds nothing), refuses it after ``STATE_MINUTES``, exchanges the code with the
   verifier (the provider refuses a code used before, or without the right verifier)
   and verifies the ID token. It returns the connection and the claims; who that is
   here is ``sso.mapping``'s business.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.urls import reverse

from budbringer.sso.models import OidcConnection
from budbringer.sso.oidc.provider import ProviderError, discover, exchange_code
from budbringer.sso.oidc.tokens import TokenRefused, verify_id_token

log = logging.getLogger(__name__)

SESSION_KEY = "sso_oidc_flows"
STATE_MINUTES = 10
# Sign-ins started and not finished (several tabs): the oldest are dropped beyond this.
MAX_OPEN_FLOWS = 5


class FlowRefused(Exception):
    """This callback does not finish a sign-in; ``reason`` is a short code for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Finished:
    connection: OidcConnection
    claims: dict
    next_url: str


def callback_url() -> str:
    """The redirect URI to register at the provider."""
    return settings.BASE_URL + reverse("oidc_callback")


def client_secret(connection: OidcConnection) -> str:
    if connection.client_secret_env:
        return os.environ.get(connection.client_secret_env, "")
    return connection.client_secret or ""


def begin(session, connection: OidcConnection, next_url: str = "") -> str:
    """The provider's authorization URL for a new sign-in; raises ProviderError."""
    discovery = discover(connection.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    now = time.time()
    flows = {
        key: flow
        for key, flow in session.get(SESSION_KEY, {}).items()
        if now - flow["at"] < STATE_MINUTES * 60
    }
    flows[state] = {
        "connection": connection.pk,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "at": now,
    }
    session[SESSION_KEY] = dict(sorted(flows.items(), key=lambda f: f[1]["at"])[-MAX_OPEN_FLOWS:])
    query = urlencode(
        {
            "response_type": "code",
            "client_id": connection.client_id,
            "redirect_uri": callback_url(),
            "scope": connection.scopes or "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in discovery.authorization_endpoint else "?"
    return f"{discovery.authorization_endpoint}{separator}{query}"


def finish(session, params) -> Finished:
    """The verified sign-in for this callback's query ``params``, or FlowRefused."""
    state = params.get("state", "")
    flows = dict(session.get(SESSION_KEY, {}))
    flow = flows.pop(state, None) if state else None
    session[SESSION_KEY] = flows  # the state is used up whatever happens next
    if flow is None:
        raise FlowRefused("unknown_state")
    if time.time() - flow["at"] > STATE_MINUTES * 60:
        raise FlowRefused("expired_state")
    connection = (
        OidcConnection.objects.select_related("organisation")
        .filter(pk=flow["connection"], enabled=True)
        .first()
    )
    if connection is None:
        raise FlowRefused("connection_gone")
    if params.get("error"):
        # The provider's own refusal (the person cancelled, is not assigned to the app...).
        raise FlowRefused("provider_error")
    if params.get("iss", connection.issuer) != connection.issuer:
        # RFC 9207: the answer names the provider that sent it (mix-up attacks).
        raise FlowRefused("wrong_iss_parameter")
    code = params.get("code", "")
    if not code:
        raise FlowRefused("no_code")
    try:
        discovery = discover(connection.issuer)
        tokens = exchange_code(
            discovery,
            code=code,
            redirect_uri=callback_url(),
            verifier=flow["verifier"],
            client_id=connection.client_id,
            client_secret=client_secret(connection),
        )
        claims = verify_id_token(
            tokens["id_token"],
            discovery,
            client_id=connection.client_id,
            nonce=flow["nonce"],
            access_token=tokens.get("access_token"),
        )
    except ProviderError as error:
        raise FlowRefused(f"provider:{error.reason}") from None
    except TokenRefused as error:
        raise FlowRefused(f"id_token:{error.reason}") from None
    return Finished(connection=connection, claims=claims, next_url=flow["next"])
