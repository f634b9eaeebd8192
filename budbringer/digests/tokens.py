"""Signed links in digests: they act for the person without a sign-in, and only as meant.

A token is ``<ids>.<signature>``: the ids it names (a digest; with an item and a network or
feedback kind for entry links; after a person for unsubscribing) and an HMAC-SHA256 of them
(128 bits) under a key derived from SECRET_KEY for its purpose, so a token made for reading
an item is refused by every other link (sharing, unsubscribing). Nothing personal is in
the URL. Read, share and preferences links stop working LINK_DAYS after their digest was
composed (the view checks the digest's date). Preferences links name their digest; the
first ones named the person and never expired, and are refused now (they had another
purpose key, so a person's id is never read as a digest's). Unsubscribe links never expire
(RFC 8058: an old mail's one-click must still work): they name the person and their digest
(the unsubscribe page links to that digest's preferences); the first ones, naming only the
person, are still accepted. A digest holds about 30 of these, so making one is a single
HMAC.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

LINK_DAYS = 120

# "preferences" was the purpose of the person-naming preferences links, now refused.
_PREFERENCES = "preferences-of-digest"
_UNSUBSCRIBE = "unsubscribe"
_READ = "read"
_SHARE = "share"
_FEEDBACK = "feedback"
FEEDBACK_KINDS = ("more_like_this", "dismissed")


class BadToken(Exception):
    """The link was altered or made for something else."""


@dataclass(frozen=True)
class EntryLink:
    digest_id: int
    item_id: int
    network: str = ""  # share links only


@dataclass(frozen=True)
class UnsubscribeLink:
    person_id: int
    digest_id: int | None  # None in links made before they named their digest


@functools.lru_cache(maxsize=16)
def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"budbringer.digests.{purpose}:{secret}".encode()).digest()


# base64url without padding, as urlsafe_b64encode(...).rstrip("="), in two C calls.
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def _signature(payload: str, purpose: str) -> str:
    mac = hmac.digest(_key(settings.SECRET_KEY, purpose), payload.encode(), "sha256")
    # 16 bytes are 22 characters and "==".
    return binascii.b2a_base64(mac[:16], newline=False)[:22].translate(_URL_SAFE).decode()


def _make(purpose: str, *parts: object) -> str:
    payload = "-".join(map(str, parts))
    return f"{payload}.{_signature(payload, purpose)}"


def _parts(token: str, purpose: str, *counts: int) -> list[str]:
    """The token's parts, when it is signed for ``purpose`` and has one of ``counts``."""
    payload, _dot, signature = token.rpartition(".")
    if not payload or not hmac.compare_digest(signature, _signature(payload, purpose)):
        raise BadToken("bad signature")
    parts = payload.split("-")
    if len(parts) not in counts:
        raise BadToken("malformed token")
    return parts


def _ids(parts: list[str]) -> list[int]:
    try:
        return [int(part) for part in parts]
    except ValueError as exc:
        raise BadToken("malformed token") from exc


def preferences_token(digest_id: int) -> str:
    """The preferences link of a digest: it acts for the digest's person until LINK_DAYS
    after the digest was composed."""
    return _make(_PREFERENCES, digest_id)


def digest_for_preferences(token: str) -> int:
    return _ids(_parts(token, _PREFERENCES, 1))[0]


def unsubscribe_token(person_id: int, digest_id: int) -> str:
    return _make(_UNSUBSCRIBE, person_id, digest_id)


def unsubscribe_link(token: str) -> UnsubscribeLink:
    """The person and the digest of an unsubscribe link; the first links, without the
    digest, are in mailboxes and must keep working."""
    ids = _ids(_parts(token, _UNSUBSCRIBE, 1, 2))
    return UnsubscribeLink(ids[0], ids[1] if len(ids) == 2 else None)


def read_token(digest_id: int, item_id: int) -> str:
    return _make(_READ, digest_id, item_id)


def read_link(token: str) -> EntryLink:
    digest_id, item_id = _ids(_parts(token, _READ, 2))
    return EntryLink(digest_id, item_id)


def share_token(digest_id: int, item_id: int, network: str) -> str:
    return _make(_SHARE, digest_id, item_id, network)


def share_link(token: str) -> EntryLink:
    digest_id, item_id, network = _parts(token, _SHARE, 3)
    digest_id, item_id = _ids([digest_id, item_id])
    return EntryLink(digest_id, item_id, network)


def feedback_token(digest_id: int, item_id: int, kind: str) -> str:
    if kind not in FEEDBACK_KINDS:
        raise ValueError(f"not a feedback kind: {kind!r}")
    return _make(_FEEDBACK, digest_id, item_id, kind)


def feedback_link(token: str) -> EntryLink:
    """The entry and the feedback kind (in ``network``'s place)."""
    digest_id, item_id, kind = _parts(token, _FEEDBACK, 3)
    if kind not in FEEDBACK_KINDS:
        raise BadToken("unknown feedback")
    digest_id, item_id = _ids([digest_id, item_id])
    return EntryLink(digest_id, item_id, kind)
