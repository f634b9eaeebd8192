"""A composed digest as plain data: what every channel renders (e-mail, Slack, Teams).

Built by ``composition.digest_content`` from the database; the renderers take only this,
so they are tested without a database and cannot reach anything the digest does not hold.
All texts are already in the person's language; every URL is absolute and tracked.
"""

from __future__ import annotations

from dataclasses import dataclass


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
