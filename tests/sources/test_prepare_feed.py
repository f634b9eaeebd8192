"""The pure pipeline behind `budbringer feed preview` and every fetch: parse, keep entries
with an address once each, detect their languages."""

import datetime as dt
import json
from pathlib import Path

from budbringer.sources.pipeline import prepare_feed, preview_json_lines

FEEDS = Path(__file__).parent / "feeds"


def prepare(name):
    return prepare_feed((FEEDS / name).read_bytes(), url=f"https://feeds.example.net/{name}")


def rss(items: str, language: str = "en") -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://blog.example.com/</link><language>{language}</language>{items}"
        "</channel></rss>"
    ).encode()


def item(title, link, description=""):
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>{description}</description></item>"
    )


def test_items_get_canonical_urls_and_languages_and_entries_without_links_are_skipped():
    prepared = prepare("rss20.xml")
    assert prepared.skipped == 1
    assert prepared.warning == ""
    assert prepared.feed.title == "Nordlys & Friends"
    first, second = prepared.items
    assert first.url.endswith("fjord-data-centres?utm_source=rss&utm_medium=rss")
    assert first.canonical_url == "https://blog.example.com/2026/11/fjord-data-centres"
    assert (first.language, second.language) == ("en", "sv")
    assert first.html.startswith("<p>Our <strong>fjord</strong>")
    assert first.published == dt.datetime(2026, 11, 23, 8, 15, tzinfo=dt.UTC)


def test_the_same_article_twice_in_one_feed_is_kept_once():
    body = rss(
        item("Original", "https://blog.example.com/a?utm_campaign=x")
        + item("Again", "https://BLOG.example.com:443/a#comments")
        + item("Other", "https://blog.example.com/b")
        + item("Not the web", "ftp://blog.example.com/c")
        + item("Relative", "/d")
    )
    prepared = prepare_feed(body, url="https://feeds.example.net/rss")
    assert [(i.title, i.canonical_url) for i in prepared.items] == [
        ("Original", "https://blog.example.com/a"),
        ("Other", "https://blog.example.com/b"),
        ("Relative", "https://blog.example.com/d"),
    ]
    assert prepared.skipped == 2


def test_too_few_words_fall_back_to_the_feeds_language_if_it_is_one_of_ours():
    short = item("Hej", "https://blog.example.com/a")
    swedish = "Vi öppnar ett nytt kontor i Luleå nära de stora datacentren i norr."
    long = item("Nyhet", "https://blog.example.com/b", swedish)
    assert [i.language for i in prepare_feed(rss(short + long, "sv-SE"), url="x").items] == [
        "sv", "sv",
    ]  # fmt: skip
    assert [i.language for i in prepare_feed(rss(short + long, "ja"), url="x").items] == [
        "", "sv",
    ]  # fmt: skip


def test_every_kind_of_fixture_prepares():
    kinds = {name: [i.kind for i in prepare(name).items] for name in
             ("podcast.xml", "youtube_channel.xml", "jsonfeed.json", "atom10.xml")}  # fmt: skip
    assert kinds == {
        "podcast.xml": ["podcast"] * 3,
        "youtube_channel.xml": ["video", "video"],
        "jsonfeed.json": ["article", "podcast"],
        "atom10.xml": ["article", "article"],
    }
    assert [i.language for i in prepare("atom03.xml").items] == ["de"]


def test_preview_is_one_json_object_per_item():
    lines = list(preview_json_lines(prepare("podcast.xml")))
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["title"] == "Episode 12: Heat reuse in Stockholm"
    assert first["url"] == "https://podcast.example.com/episodes/12"
    assert first["language"] == "en"
    assert first["published"] == "2026-11-23T05:00:00+00:00"
    assert first["author"] == "Ingrid Berg"
    assert first["kind"] == "podcast"
    assert first["duration_seconds"] == 3723
    assert first["enclosures"] == [
        {"url": "https://cdn.example.com/audio/ep12.mp3", "media_type": "audio/mpeg",
         "length": 24986239}
    ]  # fmt: skip
    assert first["html"].startswith("<p>We talk with")
    assert json.loads(lines[2])["published"] == "2026-11-09T05:00:00+00:00"
