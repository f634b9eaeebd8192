"""Storing fetched items: only new ones, with their topics and near-duplicate clusters.

The one home for turning a feed's prepared items into `Item` rows. A fetch pass makes one
`Ingest` and hands it every source's items; it keeps, per organisation, the compiled topic
rules and a near-duplicate index of the last two weeks, so neither is rebuilt per source.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from budbringer.content.models import ApprovalState, Item, Topic
from budbringer.content.neardup import NearDuplicateIndex
from budbringer.content.topics import TopicMatcher
from budbringer.sources.models import Source
from budbringer.sources.pipeline import PreparedItem

log = logging.getLogger(__name__)

# How far back a new item is compared with earlier ones: the same press release on five
# sites arrives within days, not months.
NEAR_DUPLICATE_WINDOW = dt.timedelta(days=14)
_LOOKUP_CHUNK = 500  # canonical URLs per query, well under every database's parameter limit

_TITLE = Item._meta.get_field("title").max_length
_URL = Item._meta.get_field("url").max_length
_AUTHOR = Item._meta.get_field("author").max_length
_GUID = Item._meta.get_field("guid").max_length
_SUMMARY = Item._meta.get_field("summary").max_length


@dataclass
class StoreReport:
    new: int = 0
    known: int = 0
    near_duplicates: int = 0


class _Organisation:
    """What storing items of one organisation needs, loaded once per pass."""

    def __init__(self, organisation_id: int, now: dt.datetime):
        self.organisation_id = organisation_id
        self.now = now
        rules = Topic.objects.filter(organisation_id=organisation_id).exclude(keywords="")
        self.topics = TopicMatcher.compile(rules.values_list("id", "keywords"))
        self._near_duplicates: NearDuplicateIndex | None = None

    @property
    def near_duplicates(self) -> NearDuplicateIndex:
        if self._near_duplicates is None:
            index = NearDuplicateIndex()
            recent = Item.objects.filter(
                organisation_id=self.organisation_id,
                created_at__gte=self.now - NEAR_DUPLICATE_WINDOW,
                duplicate_of__isnull=True,
                fingerprint__isnull=False,
            ).order_by("id")
            for item_id, fingerprint in recent.values_list("id", "fingerprint").iterator():
                index.add(item_id, bytes(fingerprint))
            self._near_duplicates = index
        return self._near_duplicates


class Ingest:
    def __init__(self, now: dt.datetime | None = None):
        self.now = now or timezone.now()
        self._organisations: dict[int, _Organisation] = {}

    def _organisation(self, organisation_id: int) -> _Organisation:
        if organisation_id not in self._organisations:
            self._organisations[organisation_id] = _Organisation(organisation_id, self.now)
        return self._organisations[organisation_id]

    def store(self, source: Source, prepared: list[PreparedItem]) -> StoreReport:
        """Store the items of `source` not seen before (by canonical URL) in its organisation."""
        organisation = self._organisation(source.organisation_id)
        known = _known_urls(source.organisation_id, [p.canonical_url for p in prepared])
        fresh = [p for p in prepared if p.canonical_url not in known and len(p.url) <= _URL]
        if not fresh:
            return StoreReport(known=len(prepared))
        items = [self._item(source, p) for p in fresh]
        index = organisation.near_duplicates  # loaded before the new items are in the table
        try:
            with transaction.atomic():
                created = Item.objects.bulk_create(items)
        except IntegrityError:
            # Another process stored some of the same URLs a moment ago: keep the rest.
            created = _create_one_by_one(items)
        topic_rows = []
        for item, p in zip(items, fresh, strict=True):
            if item.pk is None:
                continue
            for topic_id in organisation.topics.topics_for(f"{p.title}\n{p.text}", p.language):
                topic_rows.append(Item.topics.through(item_id=item.pk, topic_id=topic_id))
        Item.topics.through.objects.bulk_create(topic_rows, ignore_conflicts=True)
        near_duplicates = self._cluster(index, created)
        return StoreReport(
            new=len(created), known=len(prepared) - len(created), near_duplicates=near_duplicates
        )

    def _item(self, source: Source, p: PreparedItem) -> Item:
        published = min(p.published, self.now) if p.published else self.now
        approved = source.auto_approve
        media = next(
            (e.url for e in p.enclosures if e.media_type.startswith(("audio/", "video/"))), ""
        )
        return Item(
            organisation_id=source.organisation_id,
            source=source,
            title=p.title[:_TITLE] or p.url[:_TITLE],
            url=p.url,
            canonical_url=p.canonical_url,
            summary=p.summary[:_SUMMARY],
            content_html=p.html,
            author=p.author[:_AUTHOR],
            guid=p.guid[:_GUID],
            kind=p.kind,
            image_url=p.image_url if len(p.image_url) <= _URL else "",
            media_url=media if len(media) <= _URL else "",
            duration_seconds=p.duration_seconds,
            language=p.language or source.language,
            published_at=published,
            approval_state=ApprovalState.APPROVED if approved else ApprovalState.PENDING,
            approved_at=self.now if approved else None,
            fingerprint=p.fingerprint,
        )

    def _cluster(self, index: NearDuplicateIndex, created: list[Item]) -> int:
        """Mark each new item that repeats an earlier one; the earliest represents them all."""
        repeats = []
        for item in sorted(created, key=lambda i: i.pk):
            if item.fingerprint is None:
                continue
            earlier = index.find(item.fingerprint)
            if earlier is None:
                index.add(item.pk, item.fingerprint)
            else:
                item.duplicate_of_id = earlier
                repeats.append(item)
        Item.objects.bulk_update(repeats, ["duplicate_of"])
        return len(repeats)


def _known_urls(organisation_id: int, urls: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(urls), _LOOKUP_CHUNK):
        chunk = urls[start : start + _LOOKUP_CHUNK]
        known.update(
            Item.objects.filter(
                organisation_id=organisation_id, canonical_url__in=chunk
            ).values_list("canonical_url", flat=True)
        )
    return known


def _create_one_by_one(items: list[Item]) -> list[Item]:
    created = []
    for item in items:
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError:
            item.pk = None
            continue
        created.append(item)
    return created
