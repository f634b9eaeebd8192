"""Verifying an ID token (OpenID Connect Core 1.0, 3.1.3.7) with Authlib's JOSE code.

1. The header's ``alg`` must be one the provider lists and we accept (asymmetric only,
   never ``none``): the decoder is built with exactly those algorithms.
2. The key is the provider's key with the header's ``kid``; an unknown ``kid`` fetches
   the key set again once (rotation), then fails.
3. ``CodeIDToken`` checks ``iss`` (exactly the issuer), ``aud`` (contains our client id),
   ``azp`` (ours when present or when there are several audiences), ``exp``, ``iat``,
   ``nonce`` (the one this sign-in sent), and ``at_hash`` when given the access token.
"""

from __future__ import annotations

import base64
import json
import warnings

from budbringer.sso.oidc.provider import Discovery, key_set

with warnings.catch_warnings():
    # Authlib 1.x keeps authlib.jose working until 2.0 while pointing at joserfc (same
    # author); CodeIDToken's claim checks live on this side for now.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError
    from authlib.oidc.core import CodeIDToken
# Authlib 1.9's claim checks raise joserfc's errors (its successor library), not its own.
from joserfc.errors import JoseError as ClaimsError

# Clocks of provider and server may differ a little.
LEEWAY_SECONDS = 60


class TokenRefused(Exception):
    """The ID token is not one we may trust; ``reason`` is a short code for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _header(token: str) -> dict:
    try:
        encoded = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, IndexError, UnicodeError):
        raise TokenRefused("malformed") from None
    if not isinstance(header, dict):
        raise TokenRefused("malformed")
    return header


def verify_id_token(
    token: str,
    discovery: Discovery,
    *,
    client_id: str,
    nonce: str,
    access_token: str | None = None,
) -> dict:
    """The verified claims, or TokenRefused."""
    header = _header(token)
    algorithm = header.get("alg")
    if algorithm not in discovery.algorithms:
        raise TokenRefused("algorithm")
    kid = header.get("kid")
    keys = key_set(discovery)
    if kid is not None and kid not in {k.get("kid") for k in keys["keys"]}:
        keys = key_set(discovery, unknown_kid=str(kid))
    try:
        key = JsonWebKey.import_key_set(keys)
        # A key set finds the key by the header's kid (or the only key when there is one).
        claims = JsonWebToken(list(discovery.algorithms)).decode(
            token,
            key,
            claims_cls=CodeIDToken,
            claims_options={
                "iss": {"essential": True, "value": discovery.issuer},
                "aud": {"essential": True, "value": client_id},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True},
            },
            claims_params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )
        claims.validate(leeway=LEEWAY_SECONDS)
    except (JoseError, ClaimsError) as error:
        raise TokenRefused(getattr(error, "error", "invalid")) from None
    except (ValueError, KeyError, TypeError):
        raise TokenRefused("invalid") from None
    return dict(claims)
