"""Canonical URLs (one spelling per article, whatever tracking was glued to it) and the
ASCII form of an address for a ``Location`` header."""

import contextlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import idna
from django.utils.encoding import iri_to_uri

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_eid", "mc_cid", "igshid",
    "yclid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "ref_src",
}  # fmt: skip


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in _TRACKING_PARAMS


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.

    Raises ValueError for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.rstrip(".")  # .hostname is already lower-case
    if ":" in host:
        host = f"[{host}]"
    port = parts.port  # raises ValueError for a port out of range
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def ascii_uri(iri: str) -> str:
    """The address as a ``Location`` header may carry it: ASCII only, as Django's redirects
    send it (``iri_to_uri``: UTF-8 percent-encoded), and with an international host name in
    its IDNA form (``bücher.example`` -> ``xn--bcher-kva.example``), which is the name
    browsers look up (UTS #46, non-transitional, as the WHATWG URL standard does). A host
    that is not a valid IDNA name is percent-encoded like the rest, as Django would."""
    parts = urlsplit(iri)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if hostport.isascii():
        return iri_to_uri(iri)
    host, colon, port = hostport.rpartition(":")
    if not colon or not (port.isdigit() or port == ""):  # a colon in the host is no port
        host, colon, port = hostport, "", ""
    with contextlib.suppress(idna.IDNAError):  # else percent-encoded by iri_to_uri below
        host = idna.encode(host, uts46=True).decode("ascii")
    return iri_to_uri(urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}{colon}{port}")))
