"""What Budbringer learns from an OpenID provider over HTTP: its discovery document and its
signing keys (JWKS), and the code-for-tokens exchange.

Everything goes through the address-guarded client of ``lib.guarded_http`` (public
addresses only unless ``BUDBRINGER_FETCH_ALLOW`` names the host, no proxies from the
environment, one deadline, bounded bodies), so an admin cannot point Budbringer at
an internal address by typing it as an issuer.

Discovery and keys are cached for ``CACHE_SECONDS``; a token signed with a key id we do
not know makes one fresh fetch of the keys (the provider rotated them), never more per
``REFETCH_SECONDS``, so forged key ids cannot make us hammer the provider.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.cache import cache

from budbringer.lib.guarded_http import FetchError, fetch, post_form

DISCOVERY_PATH = "/.well-known/openid-configuration"
# Discovery documents and key sets are a few kilobytes; a megabyte is a provider gone wrong.
MAX_DOCUMENT_BYTES = 512 * 1024
# A sign-in waits for these requests: seconds, not the feed fetcher's half-minute.
TIMEOUT_SECONDS = 10
CACHE_SECONDS = 60 * 60
REFETCH_SECONDS = 60
# Asymmetric signatures only: HS256 would make the client secret a signing key, and
# "none" is no signature. Each connection narrows this to what its provider lists.
SUPPORTED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


class ProviderError(Exception):
    """The provider could not be reached or said something unusable. ``message`` is for
    the admin (test connection); sign-in pages show a general sentence instead."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclasses.dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]  # what it signs ID tokens with, that we accept
    token_auth_methods: tuple[str, ...]
    scopes: tuple[str, ...]
    claims: tuple[str, ...]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def url_allowed(url: str) -> bool:
    """https, or http to a host that BUDBRINGER_FETCH_ALLOW names (a provider on the
    same machine or network: tests, a Keycloak beside Budbringer)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and (parts.hostname or "") in settings.FETCH_ALLOW


def _get_json(url: str, what: str) -> dict:
    if not url_allowed(url):
        raise ProviderError("bad_url", f"The {what} address {url} must start with https://.")
    try:
        result = fetch(url, timeout=TIMEOUT_SECONDS, max_bytes=MAX_DOCUMENT_BYTES)
    except FetchError as error:
        raise ProviderError(
            error.reason, f"The {what} could not be fetched: {error.message}"
        ) from None
    try:
        document = json.loads(result.body)
    except (ValueError, UnicodeError):
        raise ProviderError("not_json", f"The {what} at {url} is not JSON.") from None
    if not isinstance(document, dict):
        raise ProviderError("not_json", f"The {what} at {url} is not a JSON object.")
    return document


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def _strings(document: dict, name: str) -> tuple[str, ...]:
    value = document.get(name) or ()
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def discover(issuer: str, *, fresh: bool = False) -> Discovery:
    """The provider's discovery document, checked: its ``issuer`` must be exactly the
    configured one (OpenID Connect Discovery 1.0, section 4.3), the endpoints https."""
    key = f"sso:oidc:discovery:{issuer}"
    if not fresh and (cached := cache.get(key)) is not None:
        return Discovery(**cached)
    document = _get_json(discovery_url(issuer), "discovery document")
    if document.get("issuer") != issuer:
        raise ProviderError(
            "issuer_mismatch",
            f"The discovery document names the issuer {str(document.get('issuer'))[:200]!r}, "
            f"not {issuer!r}; use exactly the issuer it names.",
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not url_allowed(value):
            raise ProviderError("incomplete", f"The discovery document has no usable {name}.")
        endpoints[name] = value
    offered = _strings(document, "id_token_signing_alg_values_supported")
    algorithms = tuple(alg for alg in offered if alg in SUPPORTED_ALGORITHMS)
    if not algorithms:
        raise ProviderError(
            "algorithms",
            "The provider signs ID tokens with none of "
            f"{', '.join(SUPPORTED_ALGORITHMS)} (it lists {', '.join(offered) or 'nothing'}).",
        )
    found = Discovery(
        issuer=issuer,
        algorithms=algorithms,
        # "If omitted, the default is client_secret_basic" (OIDC Discovery 1.0).
        token_auth_methods=_strings(document, "token_endpoint_auth_methods_supported")
        or ("client_secret_basic",),
        scopes=_strings(document, "scopes_supported"),
        claims=_strings(document, "claims_supported"),
        **endpoints,
    )
    cache.set(key, found.as_dict(), CACHE_SECONDS)
    return found


def key_set(discovery: Discovery, *, unknown_kid: str | None = None) -> dict:
    """The provider's JWKS. With ``unknown_kid`` (a token named a key we do not have),
    fetched again once, unless that was done less than REFETCH_SECONDS ago."""
    key = f"sso:oidc:jwks:{discovery.jwks_uri}"
    cached = cache.get(key)
    if cached is not None:
        known = {k.get("kid") for k in cached["keys"]}
        recent = time.time() - cached["at"] < REFETCH_SECONDS
        if unknown_kid is None or unknown_kid in known or recent:
            return {"keys": cached["keys"]}
    document = _get_json(discovery.jwks_uri, "key set")
    keys = document.get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise ProviderError("bad_jwks", "The provider's key set has no list of keys.")
    cache.set(key, {"keys": keys, "at": time.time()}, CACHE_SECONDS)
    return {"keys": keys}


def exchange_code(
    discovery: Discovery,
    *,
    code: str,
    redirect_uri: str,
    verifier: str,
    client_id: str,
    client_secret: str,
) -> dict:
    """The token endpoint's answer to our authorization code (with the PKCE verifier)."""
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {}
    methods = discovery.token_auth_methods
    if "client_secret_basic" in methods or "client_secret_post" not in methods:
        # RFC 6749 2.3.1: both parts form-encoded before base64.
        pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        fields.update(client_id=client_id, client_secret=client_secret)
    if not url_allowed(discovery.token_endpoint):
        raise ProviderError("bad_url", "The token endpoint must be https.")
    try:
        answer = post_form(
            discovery.token_endpoint,
            fields,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            max_bytes=MAX_DOCUMENT_BYTES,
        )
    except FetchError as error:
        raise ProviderError(error.reason, f"The token endpoint failed: {error.message}") from None
    try:
        body = json.loads(answer.body) if not answer.truncated else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ProviderError("token_endpoint", f"The token endpoint answered {answer.status}.")
    if answer.status != 200 or "error" in body:
        error = str(body.get("error", answer.status))[:100]
        raise ProviderError("token_refused", f"The token endpoint refused the code ({error}).")
    if not isinstance(body.get("id_token"), str):
        raise ProviderError("no_id_token", "The token endpoint gave no ID token.")
    return body
