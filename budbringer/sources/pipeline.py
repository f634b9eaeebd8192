"""From a feed's bytes to the items Budbringer would store. Pure: no database, no network.

`budbringer feed preview` shows what this returns, and a fetch pass stores it
(`budbringer.content.ingest`), so what an editor previews is what gets stored.

1. Parse and sanitise (`parsing.parse_feed`).
2. Keep entries with an http(s) address, once per canonical URL (tracking parameters and
   fragments removed); the others are counted as skipped.
3. Fingerprint each item's words (MinHash) for near-duplicate clustering.
4. Detect each item's language from its own words, all items in one parallel batch; when
   the words are too few, the feed's declared language stands in if we know it.
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from budbringer.content.language import CONTENT_LANGUAGE_CODES, detect_languages
from budbringer.content.neardup import signature
from budbringer.lib.urls import canonical_url
from budbringer.sources.parsing import Enclosure, ParsedEntry, ParsedFeed, parse_feed

# Enough words, with the title, to tell a language with lingua's small models (see
# content/language.py); detection time grows with the length.
LANGUAGE_SAMPLE_CHARS = 200


@dataclass
class PreparedItem:
    title: str
    url: str
    canonical_url: str
    guid: str
    html: str
    text: str
    summary: str
    author: str
    published: dt.datetime | None
    language: str
    image_url: str
    kind: str
    duration_seconds: int | None
    enclosures: list[Enclosure] = field(default_factory=list)
    # MinHash of title and text, for near-duplicate clustering; None when too short.
    fingerprint: bytes | None = None


@dataclass
class PreparedFeed:
    feed: ParsedFeed
    items: list[PreparedItem]
    skipped: int
    warning: str


def prepare_feed(
    body: bytes, *, url: str, content_type: str = "", detect_language: str = "all"
) -> PreparedFeed:
    """The items of a feed, ready to store. Raises parsing.FeedError when it is unreadable.

    With `detect_language="long"` only items with enough words for lingua's small models
    get their language here, the others are left blank for `assign_languages(...,
    blank_only=True)`: a fetch pass parses in child processes, which should not each load
    the large models.
    """
    feed = parse_feed(body, url=url, content_type=content_type)
    unique: dict[str, ParsedEntry] = {}
    for entry in feed.entries:
        try:
            canonical = canonical_url(entry.url)
        except ValueError:  # no address, or not an http(s) one
            continue
        unique.setdefault(canonical, entry)
    items = [
        PreparedItem(
            title=entry.title,
            url=entry.url,
            canonical_url=canonical,
            guid=entry.guid,
            html=entry.html,
            text=entry.text,
            summary=entry.summary,
            author=entry.author,
            published=entry.published,
            language="",
            image_url=entry.image_url,
            kind=entry.kind,
            duration_seconds=entry.duration_seconds,
            enclosures=entry.enclosures,
            fingerprint=signature(f"{entry.title}\n{entry.text}"),
        )
        for canonical, entry in unique.items()
    ]
    prepared = PreparedFeed(
        feed=feed, items=items, skipped=len(feed.entries) - len(items), warning=feed.warning
    )
    assign_languages(prepared, long_only=detect_language == "long")
    return prepared


def assign_languages(
    prepared: PreparedFeed, *, long_only: bool = False, blank_only: bool = False
) -> None:
    """Each item's language from its own words, all items in one parallel batch; the
    feed's declared language stands in when the words are too few."""
    declared = prepared.feed.language
    fallback = declared if declared in CONTENT_LANGUAGE_CODES else ""
    items = [i for i in prepared.items if i.language == ""] if blank_only else prepared.items
    samples = [f"{i.title}\n{i.text[:LANGUAGE_SAMPLE_CHARS]}" for i in items]
    if not samples:
        return
    languages = detect_languages(samples, fallback, long_only=long_only)
    for item, language in zip(items, languages, strict=True):
        item.language = language


def preview_json_lines(prepared: PreparedFeed) -> Iterator[str]:
    """One JSON object per item, as `budbringer feed preview --json` prints them."""
    for item in prepared.items:
        yield json.dumps(
            {
                "title": item.title,
                "url": item.url,
                "canonical_url": item.canonical_url,
                "language": item.language,
                "published": item.published.isoformat() if item.published else None,
                "author": item.author,
                "kind": item.kind,
                "summary": item.summary,
                "image_url": item.image_url,
                "duration_seconds": item.duration_seconds,
                "enclosures": [asdict(enclosure) for enclosure in item.enclosures],
                "guid": item.guid,
                "html": item.html,
            },
            ensure_ascii=False,
        )
