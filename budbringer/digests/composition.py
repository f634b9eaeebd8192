"""Composing digests when their slot comes, and turning one into what the channels render.

Composition is the ranked, budgeted selection for the person at that moment
(``relevance.service.picks_for_people``, batched per organisation): at most the person's
own number of items, less what they already got in the last day (PER_DAY), above the
relevance threshold. When nothing clears it the digest is skipped: no mail is better than
a mail of noise. The chosen items are logged as "delivered" so they are never suggested
again, and one Delivery per channel is created in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import itertools
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budbringer.accounts.models import DigestCadence, Person
from budbringer.content.models import Item
from budbringer.core.rows import insert_rows, row_maker
from budbringer.digests import tokens
from budbringer.digests.content import DigestContent, Entry, PersonalDigest, ShareButton, marker
from budbringer.digests.models import Delivery, Digest, DigestEntry, DigestKind, DigestStatus
from budbringer.digests.workers import claim_rows, worker_name
from budbringer.lib.names import one_line
from budbringer.relevance.models import Interaction, InteractionKind
from budbringer.relevance.reasons import reason_names, reason_texts
from budbringer.relevance.service import load, picks_for_people
from budbringer.sharing.networks import NETWORKS
from budbringer.sharing.suggestions import suggested_text

# However many digests a person gets, at most this many items reach them in a day.
PER_DAY = 10
# Composing ranks a whole batch at once.
BATCH = 1000
SUMMARY_CHARS = 280


def compose_due(
    now: dt.datetime | None = None,
    limit: int = BATCH,
    loads: dict | None = None,
    worker: str | None = None,
) -> int:
    """Compose up to ``limit`` planned digests whose slot has come; returns how many.

    The batch is first claimed for ``worker`` for a short lease, so that several workers
    rank different people instead of all ranking the same ones (one would win anyway).
    ``loads`` keeps what all batches of an organisation share between calls of one pass
    (its items and feedback, see ``relevance.service.load``): a large organisation's
    digests are composed in several batches in a row; each batch loads only its own
    people and what they were delivered, so a worker's memory does not grow with the
    organisation. Staleness within a pass is harmless: each person is composed once, and
    what they were already sent is read fresh each batch.
    """
    now = now or timezone.now()
    worker = worker or worker_name()
    lease_until = now + dt.timedelta(seconds=settings.DIGEST_LEASE_SECONDS)
    free = Q(composing_until__isnull=True) | Q(composing_until__lt=now)
    ids = claim_rows(
        Digest.objects.filter(free, status=DigestStatus.PLANNED, slot_at__lte=now),
        order_by=("slot_at", "pk"),
        limit=limit,
        take={"composer": worker, "composing_until": lease_until},
        mine={"composer": worker, "composing_until": lease_until, "status": DigestStatus.PLANNED},
    )
    due = list(
        Digest.objects.filter(pk__in=ids)
        .select_related("person__user", "organisation")
        .order_by("slot_at", "pk")
    )
    by_organisation: dict[int, list[Digest]] = defaultdict(list)
    for digest in due:
        by_organisation[digest.organisation_id].append(digest)
    for digests in by_organisation.values():
        compose(digests, now, loads)
    return len(due)


def compose(digests: list[Digest], now: dt.datetime, loads: dict | None = None) -> None:
    """Compose digests of one organisation, each at most once whoever else tries.

    The ranking runs first, outside any transaction; then one transaction settles the
    whole batch: it takes the digests still planned (on PostgreSQL locking them, skipping
    any another worker holds; SQLite's IMMEDIATE transactions hold the write lock), and
    writes their statuses, entries, "delivered" interactions and deliveries.
    """
    organisation = digests[0].organisation
    people = {digest.person_id: digest.person for digest in digests}
    received = _received_today(list(people), now)
    limits = {
        person.pk: max(0, min(person.digest_max_items, PER_DAY - received.get(person.pk, 0)))
        for person in people.values()
    }
    loads = {} if loads is None else loads
    # Only what ranking this batch needs (see ``load``); what all batches share is kept.
    data = load(
        organisation, now, for_people=list(people), shared=loads.setdefault(organisation.pk, {})
    )
    picks = picks_for_people(organisation, limits, now=now, data=data)
    reasons: dict[int, list[str]] = {}
    names = reason_names(
        [pick.reason for chosen in picks.values() for _i, pick in chosen], organisation
    )
    for digest in digests:
        person = digest.person
        if chosen := picks.get(person.pk):
            with translation.override(person.interface_language):
                reasons[digest.pk] = reason_texts(
                    [pick.reason for _i, pick in chosen], organisation, names
                )

    # What each digest becomes, with the rows to insert, made before the transaction: on
    # SQLite it holds the only write lock, which other workers wait for to record a send.
    plans: dict[int, tuple[str, str, list, list, list]] = {}
    entry_row = row_maker(DigestEntry)
    interaction_row = row_maker(
        Interaction, organisation_id=organisation.pk, kind=InteractionKind.DELIVERED, at=now
    )
    delivery_row = row_maker(Delivery, due_at=now)
    for digest in digests:
        person = digest.person
        channels = person.digest_channels()
        wanted = digest.kind == DigestKind.PREVIEW or (
            person.user.is_active and person.digest_cadence != DigestCadence.NEVER
        )
        chosen = picks.get(person.pk, [])
        entries, interactions, deliveries = [], [], []
        language = digest.language
        if not wanted or not channels:
            status = DigestStatus.CANCELLED
        elif not chosen:
            status = DigestStatus.SKIPPED
        else:
            status = DigestStatus.READY
            language = person.interface_language
            entries = [
                entry_row(digest_id=digest.pk, item_id=item.pk, position=position,
                          reason=reason[:300])
                for position, ((item, _pick), reason) in enumerate(
                    zip(chosen, reasons[digest.pk], strict=True), start=1
                )
            ]  # fmt: skip
            if digest.kind == DigestKind.SCHEDULED:  # a preview must not use up items
                interactions = [
                    interaction_row(person_id=person.pk, item_id=item.pk) for item, _pick in chosen
                ]
            deliveries = [
                delivery_row(digest_id=digest.pk, channel=channel) for channel in channels
            ]
        plans[digest.pk] = (status, language, entries, interactions, deliveries)

    with transaction.atomic():
        still_planned = Digest.objects.filter(
            pk__in=[digest.pk for digest in digests], status=DigestStatus.PLANNED
        )
        if connection.features.has_select_for_update_skip_locked:
            still_planned = still_planned.select_for_update(skip_locked=True)
        mine = set(still_planned.values_list("pk", flat=True))
        outcome: dict[tuple[str, str], list[int]] = defaultdict(list)
        rows: dict[type, list] = {DigestEntry: [], Interaction: [], Delivery: []}
        for digest in digests:
            if digest.pk not in mine:
                continue  # another worker composed it first
            status, language, entries, interactions, deliveries = plans[digest.pk]
            digest.status, digest.language, digest.composed_at = status, language, now
            rows[DigestEntry] += entries
            rows[Interaction] += interactions
            rows[Delivery] += deliveries
            outcome[(digest.status, digest.language)].append(digest.pk)
        for (status, language), ids in outcome.items():
            Digest.objects.filter(pk__in=ids).update(
                status=status, composed_at=now, language=language
            )
        for model, values in rows.items():
            insert_rows(model, values)


def _received_today(person_ids: list[int], now: dt.datetime) -> dict[int, int]:
    return dict(
        DigestEntry.objects.filter(
            digest__person_id__in=person_ids,
            digest__composed_at__gt=now - dt.timedelta(days=1),
            digest__status=DigestStatus.READY,
        )
        .values("digest__person_id")
        .annotate(count=Count("pk"))
        .values_list("digest__person_id", "count")
    )


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis (Django's Truncator is
    made for templates and costs more than the rest of a digest's text)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def message_id(digest: Digest) -> str:
    """The same for every resend of the digest, unguessable, on our own domain."""
    key = f"{digest.pk}:{digest.person_id}:{digest.slot_at.isoformat()}"
    signature = hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256)
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    return f"<digest-{digest.pk}.{signature.hexdigest()[:16]}@{host}>"


@functools.lru_cache(maxsize=32)
def _url_prefix(name: str, base_url: str) -> str:
    """Everything of the link but its token (reverse() is slow for 30 links a digest)."""
    marker = "TOKEN"
    return base_url + reverse(name, args=[marker]).removesuffix(marker)


def entries_of(digest_ids: list[int]) -> dict[int, list[tuple[Item, str]]]:
    """Each digest's items and reasons, in order, for a batch of digests in three queries.

    Entries come as plain rows and each item is built once, however many digests hold it
    (colleagues get many of the same items); large fields a digest does not show are left
    in the database.
    """
    rows = list(
        DigestEntry.objects.filter(digest_id__in=digest_ids)
        .order_by("digest_id", "position")
        .values_list("digest_id", "item_id", "reason")
    )
    items = (
        Item.objects.filter(pk__in={item_id for _d, item_id, _r in rows})
        .select_related("source")
        .defer("content_html", "fingerprint")
        .prefetch_related("share_texts")
        .in_bulk()
    )
    entries: dict[int, list[tuple[Item, str]]] = {digest_id: [] for digest_id in digest_ids}
    for digest_id, item_id, reason in rows:
        entries[digest_id].append((items[item_id], reason))
    return entries


def digest_content(digest: Digest, entries: list[tuple[Item, str]] | None = None) -> DigestContent:
    """What the channels render for a composed digest, in the person's language.

    ``entries`` as ``entries_of`` gives them for a batch; loaded here when not given.
    """
    return personal_digest(digest, entries).content()


def personal_digest(
    digest: Digest, entries: list[tuple[Item, str]] | None = None, shapes: dict | None = None
) -> PersonalDigest:
    """The digest as the shape it shares with colleagues and the person's own values.

    ``shapes`` keeps the shapes made for one batch of deliveries: colleagues with the same
    items, reasons, suggested texts and language share one, so the texts are built (and
    rendered, see ``rendering``) once, and a digest costs little more than its signed
    links. Kept per batch only, so an item edited since is never sent in its old words.
    """
    person: Person = digest.person
    if entries is None:
        entries = entries_of([digest.pk])[digest.pk]
    language = digest.language or person.interface_language
    # One line: it goes into the Subject header, which refuses a line break.
    organisation = one_line(digest.organisation.name)
    texts = tuple(suggested_text(item, "", person) for item, _reason in entries)
    key = (
        organisation,
        language,
        bool(person.name),
        tuple((item.pk, reason) for item, reason in entries),
        texts,
    )
    shapes = {} if shapes is None else shapes
    if (shape := shapes.get(key)) is None:
        shape = shapes[key] = _shape(organisation, language, bool(person.name), entries, texts)
    return PersonalDigest(
        shape=shape,
        values=_personal_values(digest.pk, person, [item.pk for item, _reason in entries]),
        digest_id=digest.pk,
        message_id=message_id(digest),
        recipient_email=person.user.email,
    )


def _shape(
    organisation: str,
    language: str,
    named: bool,
    entries: list[tuple[Item, str]],
    texts: tuple[str, ...],
) -> DigestContent:
    """The content with markers for the person's values, in the order ``_personal_values``
    gives them: per entry its read link, one share link per network, "more like this",
    "not for me"; then preferences, unsubscribe and, when they have one, the name."""
    numbers = itertools.count()
    with translation.override(language):
        labels = _share_labels(language)
        built = []
        for (item, reason), text in zip(entries, texts, strict=True):
            url = marker(next(numbers))
            shares = tuple(
                ShareButton(network=slug, label=labels[slug], url=marker(next(numbers)))
                for slug in NETWORKS
            )
            more_url, fewer_url = marker(next(numbers)), marker(next(numbers))
            built.append(
                Entry(
                    title=item.title,
                    url=url,
                    source=item.source.title if item.source_id else "",
                    summary=shorten(item.summary or "", SUMMARY_CHARS),
                    reason=reason,
                    suggested_text=text,
                    image_url=item.image_url or "",
                    shares=shares,
                    more_url=more_url,
                    fewer_url=fewer_url,
                )
            )
        count = len(built)
        subject = ngettext(
            "%(count)d item for you from %(organisation)s",
            "%(count)d items for you from %(organisation)s",
            count,
        ) % {"count": count, "organisation": organisation}
        preheader = " · ".join(entry.title for entry in built[:3])
    preferences_url, unsubscribe_url = marker(next(numbers)), marker(next(numbers))
    return DigestContent(
        digest_id=0,
        language=language,
        person_name=marker(next(numbers)) if named else "",
        organisation_name=organisation,
        subject=subject,
        preheader=shorten(preheader, 140),
        entries=tuple(built),
        preferences_url=preferences_url,
        unsubscribe_url=unsubscribe_url,
        message_id="",
        recipient_email="",
    )


def _personal_values(digest_id: int, person: Person, item_ids: list[int]) -> tuple[str, ...]:
    """The person's own values for a shape, in its marker order (see ``_shape``)."""
    read, share, feedback, preferences, unsubscribe = (
        _url_prefix(name, settings.BASE_URL)
        for name in (
            "digest_read",
            "digest_share",
            "digest_feedback",
            "digest_preferences",
            "digest_unsubscribe",
        )
    )
    values = []
    for item_id in item_ids:
        values.append(read + tokens.read_token(digest_id, item_id))
        values += [share + tokens.share_token(digest_id, item_id, slug) for slug in NETWORKS]
        values.append(feedback + tokens.feedback_token(digest_id, item_id, "more_like_this"))
        values.append(feedback + tokens.feedback_token(digest_id, item_id, "dismissed"))
    values.append(preferences + tokens.preferences_token(digest_id))
    values.append(unsubscribe + tokens.unsubscribe_token(person.pk, digest_id))
    if person.name:
        values.append(person.name)
    return tuple(values)


@functools.lru_cache(maxsize=16)
def _share_labels(language: str) -> dict[str, str]:
    """ "Share on LinkedIn", ... in the active language (the same for every digest)."""
    return {
        slug: _("Share on %(network)s") % {"network": network.label}
        for slug, network in NETWORKS.items()
    }
