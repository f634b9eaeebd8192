"""A composed digest as plain data: what every channel renders (e-mail, Slack, Teams).

Built by ``composition.digest_content`` (or, split into a shape shared by colleagues and
the person's own values, ``composition.personal_digest``) from the database; the renderers
take only this, so they are tested without a database and cannot reach anything the digest
does not hold.
All texts are already in the person's language; every URL is absolute and tracked.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace

# Where a person's own value goes in a shape (see PersonalDigest). The random part, new in
# every process, keeps a feed's text from posing as a marker and pulling in someone's link.
_NONCE = secrets.token_hex(4)
MARKER_PATTERN = re.compile(rf"bb{_NONCE}m(\d{{4}})z")


def marker(number: int) -> str:
    return f"bb{_NONCE}m{number:04d}z"


@dataclass(frozen=True)
class ShareButton:
    network: str  # a key of budbringer.sharing.networks.NETWORKS
    label: str  # "Share on LinkedIn", translated
    url: str  # our signed share link; it records the share and opens the network's dialog


@dataclass(frozen=True)
class Entry:
    title: str
    url: str  # our tracked read link for this person and item
    source: str  # "Nordlys blog"
    summary: str  # plain text, already shortened
    reason: str  # "Because you follow Industry news", translated
    suggested_text: str  # what the share buttons propose, in the person's language
    image_url: str = ""  # optional: the mail reads fine without images
    shares: tuple[ShareButton, ...] = ()
    # Signed feedback links ("more like this", "not for me"); empty: not offered.
    more_url: str = ""
    fewer_url: str = ""


@dataclass(frozen=True)
class DigestContent:
    digest_id: int
    language: str  # the person's interface language: en, sv, nb, da or nl
    person_name: str
    organisation_name: str
    subject: str
    preheader: str  # the line mail programs show after the subject
    entries: tuple[Entry, ...]
    preferences_url: str  # signed: change cadence, items, channel... without signing in
    unsubscribe_url: str  # signed: the one-click unsubscribe page (GET shows, POST acts)
    message_id: str  # "<digest-123.abcd@host>": the same for every resend of this digest
    recipient_email: str = ""
    # Renderers translate their fixed words with ``translation.override(language)``.


@dataclass(frozen=True)
class PersonalDigest:
    """A digest as its shape and the person's own values.

    ``shape`` is the content with numbered markers (``marker(n)``) where the person's own
    values go: their name and every signed link, ``values[n]``. Colleagues who get the same
    items in the same language share one shape, so it is built and rendered once and each
    person's digest costs little more than signing its links.
    """

    shape: DigestContent  # digest_id 0, no message id, no recipient
    values: tuple[str, ...]
    digest_id: int
    message_id: str
    recipient_email: str

    @property
    def unsubscribe_url(self) -> str:
        return self.value(self.shape.unsubscribe_url)

    def value(self, text: str) -> str:
        """The person's value where ``text`` is a marker, else ``text`` itself."""
        found = MARKER_PATTERN.fullmatch(text)
        return self.values[int(found[1])] if found else text

    def content(self) -> DigestContent:
        """The whole content, every marker replaced (for chat messages and previews)."""
        return replace(
            with_personal_values(self.shape, self.value),
            digest_id=self.digest_id,
            message_id=self.message_id,
            recipient_email=self.recipient_email,
        )


def with_personal_values(content: DigestContent, change) -> DigestContent:
    """``content`` with ``change`` applied to each of the person's own values (every link
    and their name), always in this order: per entry its read, "more", "fewer" and share
    links, then the name, preferences and unsubscribe (``rendering.personal_parts``
    numbers its markers by it)."""
    entries = tuple(
        replace(
            entry,
            url=change(entry.url),
            more_url=change(entry.more_url),
            fewer_url=change(entry.fewer_url),
            shares=tuple(replace(share, url=change(share.url)) for share in entry.shares),
        )
        for entry in content.entries
    )
    return replace(
        content,
        person_name=change(content.person_name),
        preferences_url=change(content.preferences_url),
        unsubscribe_url=change(content.unsubscribe_url),
        entries=entries,
    )
