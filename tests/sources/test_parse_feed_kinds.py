"""Every kind of feed we meet reads into the same plain entries: RSS 0.91 to 2.0, Atom 0.3
and 1.0, JSON Feed, a YouTube channel and a podcast."""

import datetime as dt
from pathlib import Path

from budbringer.sources.parsing import Enclosure, parse_duration, parse_feed

FEEDS = Path(__file__).parent / "feeds"


def read(name, url=None, content_type=""):
    body = (FEEDS / name).read_bytes()
    return parse_feed(
        body, url=url or f"https://feeds.example.net/{name}", content_type=content_type
    )


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_rss_2():
    feed = read("rss20.xml", content_type="application/rss+xml; charset=utf-8")
    assert (feed.title, feed.site_url, feed.language, feed.kind, feed.version) == (
        "Nordlys & Friends", "https://blog.example.com/", "en", "article", "rss20",
    )  # fmt: skip
    assert feed.description == "News from Nordlys Systems."
    assert feed.warning == ""
    first, second, third = feed.entries
    assert first.title == "Fjord data centres go green"
    assert first.url == (
        "https://blog.example.com/2026/11/fjord-data-centres?utm_source=rss&utm_medium=rss"
    )
    assert first.guid == "https://blog.example.com/?p=101"
    assert first.author == "Ingrid Berg"
    assert first.published == utc(2026, 11, 23, 8, 15)
    # content:encoded wins over the description; the description is the summary.
    assert "<strong>fjord</strong>" in first.html
    assert first.summary == "Our fjord data centres now run on hydro power."
    assert first.text.startswith("Our fjord data centres now run on hydro power, all year round.")
    # Relative URLs in RSS content are the article's: resolved against the entry's link.
    assert '<img src="https://blog.example.com/images/fjord.jpg"' in first.html
    assert 'href="https://blog.example.com/2026/about/"' in first.html
    assert first.image_url == "https://blog.example.com/images/fjord.jpg"
    for gone in ("<script", "onclick", "pixel.wp.com", "<iframe"):
        assert gone not in first.html
    assert 'href="https://www.youtube.com/watch?v=aBcDeFgHiJk"' in first.html
    assert first.kind == "article"

    # A relative item link resolves against the site, not the feed's own host.
    assert second.url == "https://blog.example.com/2026/11/norrut"
    assert second.html.startswith("<p>Nordlys öppnar ett nytt kontor i Luleå")
    assert second.image_url == "https://blog.example.com/images/lulea.jpg"
    assert second.published == utc(2026, 11, 20, 12)

    assert (third.url, third.published, third.html) == ("", None, "<p>Nothing to link to.</p>")


def test_rss_1():
    feed = read("rss10.rdf")
    assert (feed.title, feed.version, feed.language) == ("Nordlys nyheter", "rss10", "nb")
    (entry,) = feed.entries
    assert entry.url == "https://nyheter.example.no/artikkel/1"
    assert entry.author == "Kari Nordmann"
    assert entry.published == utc(2026, 11, 22, 7)
    assert entry.html.startswith("<p>Det nye datasenteret i Bergen")
    assert entry.summary == "Kort om det nye datasenteret."


def test_rss_091_with_netscapes_public_dtd():
    feed = read("rss091_netscape.xml")
    assert feed.version == "rss091n"
    assert [e.url for e in feed.entries] == ["http://old.example.com/still-here"]


def test_atom_1():
    feed = read("atom10.xml")
    # The feed's xml:lang is its declared language.
    assert (feed.title, feed.site_url, feed.language, feed.version) == (
        "Nordlys Nederland", "https://nieuws.example.nl/", "nl", "atom10",
    )  # fmt: skip
    assert feed.description == "Nieuws uit Amsterdam"
    first, second = feed.entries
    # type="html" titles lose their tags; xml:base resolves links and content.
    assert first.title == "Nieuw datacenter in Amsterdam"
    assert first.url == "https://nieuws.example.nl/artikelen/datacenter"
    assert first.author == "Jan de Vries"
    assert first.published == utc(2026, 11, 22, 10)
    assert '<img src="https://nieuws.example.nl/artikelen/fotos/dc.jpg"' in first.html
    assert "javascript" not in first.html
    assert first.summary == "Een korte samenvatting."
    # xhtml content; published is preferred to updated.
    assert second.html == (
        '<p>Een <a href="https://nieuws.example.nl/contact" target="_blank" '
        'rel="noopener noreferrer nofollow">contactpagina</a> in <strong>XHTML</strong>.</p>'
    )
    assert second.published == utc(2026, 11, 21, 8)


def test_atom_03():
    feed = read("atom03.xml")
    assert (feed.version, feed.language, feed.description) == (
        "atom03", "de", "Neuigkeiten aus Hamburg",
    )  # fmt: skip
    (entry,) = feed.entries
    assert entry.url == "https://de.example.com/2026/rechenzentrum"
    assert entry.published == utc(2026, 11, 20, 8)
    assert entry.html == (
        "<p>Das neue Rechenzentrum nutzt die Abwärme für das Fernwärmenetz der Stadt.</p>"
    )


def test_json_feed():
    feed = read("jsonfeed.json", content_type="application/feed+json")
    assert (feed.title, feed.site_url, feed.language, feed.version) == (
        "Nordlys JSON", "https://json.example.com/", "en", "json11",
    )  # fmt: skip
    assert len(feed.entries) == 3  # the item that is not an object is ignored
    post, episode, no_url = feed.entries
    assert post.html == (
        "<p>How <em>heat pumps</em> reuse the warmth of our servers.</p>"
        '<img src="https://json.example.com/img/pump.png" loading="lazy" '
        'referrerpolicy="no-referrer">'
    )
    assert post.summary == "Heat pumps reuse server warmth."
    assert post.author == "Ingrid Berg, Erik Lund"
    assert post.published == utc(2026, 11, 22, 7)
    assert post.image_url == "https://json.example.com/img/pump.png"
    assert episode.guid == "2"
    assert episode.html == (
        "<p>A conversation about cooling.</p><p>Second paragraph &lt;not markup&gt;.</p>"
    )
    assert episode.enclosures == [
        Enclosure("https://cdn.example.com/ep2.mp3", "audio/mpeg", 1234567)
    ]
    assert (episode.kind, episode.duration_seconds) == ("podcast", 1800)
    assert episode.image_url == "https://json.example.com/episodes/2.jpg"
    assert episode.published == utc(2026, 11, 15, 8)
    assert no_url.url == ""


def test_json_feed_version_1_from_the_corpus_shape():
    body = b"""{"version": "https://jsonfeed.org/version/1", "title": "One", "items": [
        {"id": "1", "url": "/first", "content_text": "Hello", "author": {"name": "me"}}]}"""
    feed = parse_feed(body, url="https://example.org/feed.json")
    assert feed.version == "json1"
    assert [(e.url, e.author) for e in feed.entries] == [("https://example.org/first", "me")]


def test_youtube_channel():
    feed = read("youtube_channel.xml")
    assert feed.kind == "video"
    assert feed.site_url == "https://www.youtube.com/channel/UCnordlys0000000000000"
    video, short = feed.entries
    assert video.kind == short.kind == "video"
    assert video.url == "https://www.youtube.com/watch?v=aBcDeFgHiJk"
    assert video.guid == "yt:video:aBcDeFgHiJk"
    assert video.image_url == "https://i3.ytimg.com/vi/aBcDeFgHiJk/hqdefault.jpg"
    assert video.published == utc(2026, 11, 20, 8, 30)
    # media:description is plain text: escaped, its line breaks kept.
    assert video.html == (
        "<p>Cold water from the fjord runs through our heat exchangers all year round.<br>"
        "Our engineers show how the pumps, the filters and the heat exchangers work together "
        "&amp; why it saves energy.</p>"
    )
    assert video.enclosures == []
    assert short.url == "https://www.youtube.com/shorts/ZyXwVuTsRqP"


def test_podcast():
    feed = read("podcast.xml")
    assert (feed.kind, feed.language) == ("podcast", "en")
    twelve, eleven, ten = feed.entries
    assert twelve.enclosures == [
        Enclosure("https://cdn.example.com/audio/ep12.mp3", "audio/mpeg", 24986239)
    ]
    assert twelve.kind == "podcast"
    assert twelve.author == "Ingrid Berg"
    assert twelve.image_url == "https://podcast.example.com/ep12.jpg"
    assert twelve.published == utc(2026, 11, 23, 5)
    assert [e.duration_seconds for e in feed.entries] == [3723, 2730, 95]
    assert eleven.enclosures[0].length is None  # "not a number"
    assert ten.html == "<p>A short trailer for the season about green data centres.</p>"


def test_durations_in_all_their_forms():
    assert [parse_duration(v) for v in ("95", "45:30", "01:02:03", "1:02:03.5", 1800, "")] == [
        95, 2730, 3723, 3723, 1800, None,
    ]  # fmt: skip
    assert [parse_duration(v) for v in ("abc", "1:2:3:4", "-5", "nan", None)] == [None] * 5
