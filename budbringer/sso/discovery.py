"""Which sign-in an address gets: the organisation that owns its e-mail domain, and the
first of that organisation's enabled connections in ``KINDS``. Passwords otherwise.

Each kind is a function from an organisation to the URL that starts its sign-in (or
None when the organisation has no enabled connection of that kind); a new protocol is
one more entry, in the order organisations should prefer them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from budbringer.accounts.models import EmailDomain, Organisation
from budbringer.sso.models import OidcConnection
from budbringer.sso.saml.signin import saml_start_url


def _oidc_start(organisation: Organisation) -> str | None:
    if OidcConnection.objects.filter(organisation=organisation, enabled=True).exists():
        return reverse("oidc_start", args=[organisation.slug])
    return None


KINDS: list[tuple[str, Callable[[Organisation], str | None]]] = [
    ("oidc", _oidc_start),
    ("saml", saml_start_url),
]


def organisation_of_address(identifier: str) -> Organisation | None:
    """The organisation owning the address's domain; None for user names and strangers."""
    local, at, domain = identifier.strip().rpartition("@")
    if not (at and local and domain):
        return None
    owner = EmailDomain.objects.filter(domain=domain.lower()).select_related("organisation")
    found = owner.first()
    return found.organisation if found else None


def start_url_for(organisation: Organisation, next_url: str = "") -> str | None:
    """Where this organisation's single sign-on starts, or None without one."""
    for _kind, start in KINDS:
        url = start(organisation)
        if url:
            return f"{url}?{urlencode({'next': next_url})}" if next_url else url
    return None


def sign_in_start_url(identifier: str, next_url: str = "") -> str | None:
    """The single sign-on start URL for what a person typed on the sign-in page, or None
    for the password step."""
    organisation = organisation_of_address(identifier)
    return start_url_for(organisation, next_url) if organisation else None


def safe_next(request, url: str) -> str:
    """``url`` when it is a page of this site to come back to after signing in, else ""
    (never a redirect to another site, whichever protocol signs the person in)."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""
