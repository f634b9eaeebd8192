"""Telling a feed from a page, and finding the feeds a page advertises."""

import pytest

from budbringer.sources.discovery import find_feed_links, looks_like_feed

PAGE = b"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Nordlys blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/7">
<link rel="alternate" type="application/rss+xml" title="Posts" href="/feed/">
<LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" HREF="https://blog.example.com/atom.xml">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/rss+xml" title="Posts again" href="https://blog.example.com/feed/">
<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="alternate stylesheet" type="text/css" href="/dark.css">
<link rel="alternate" hreflang="sv" href="/sv/">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
</head><body><a href="/feed/" type="application/rss+xml">RSS</a></body></html>"""


def test_feed_links_in_page_order_absolute_and_once():
    assert find_feed_links(PAGE, "https://blog.example.com/2026/11/post") == [
        "https://blog.example.com/feed/",
        "https://blog.example.com/atom.xml",
        "https://blog.example.com/2026/11/feed.json",
        "https://blog.example.com/comments/feed/",
        # application/json is also the type of WordPress's API links, so those come last.
        "https://blog.example.com/wp-json/wp/v2/posts/7",
    ]


def test_a_base_element_and_feed_scheme_are_honoured():
    page = (
        b'<html><head><base href="https://cdn.example.com/site/">'
        b"<link rel=alternate type=application/rss+xml href=rss.xml>"
        b'<link rel=alternate type=application/atom+xml href="feed://example.com/atom">'
        b'<link rel=alternate type=application/atom+xml href="feed:https://example.com/a2">'
    )
    assert find_feed_links(page, "https://example.com/") == [
        "https://cdn.example.com/site/rss.xml",
        "http://example.com/atom",
        "https://example.com/a2",
    ]


def test_a_page_without_feeds_or_with_broken_markup():
    assert (
        find_feed_links(b"<html><head><title>None</title></head></html>", "https://a.example/")
        == []
    )
    assert find_feed_links(b"\xff\xfe<<<link rel=alternate", "https://a.example/") == []
    assert find_feed_links(b"", "https://a.example/") == []


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>',
        b'<?xml version="1.0"?>\n<?xml-stylesheet href="/feed.xsl" type="text/xsl"?>\n'
        b"<!-- " + b"licence " * 100 + b'-->\n<feed xmlns="http://www.w3.org/2005/Atom">',
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss>',
        b'\xef\xbb\xbf  <rss version="0.92">',
        '<?xml version="1.0" encoding="utf-16"?><feed>'.encode("utf-16"),
        b'  {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
        b'{"title": "x", "version": "https://jsonfeed.org/version/1", "items": []}',
    ],
)
def test_feeds_are_recognised_by_their_first_bytes(body):
    assert looks_like_feed(body, "text/html")  # whatever the server says


@pytest.mark.parametrize(
    "body",
    [
        PAGE,
        b"<html><body>rss feed</body></html>",
        b'{"version": "1.0", "items": []}',
        b'<?xml version="1.0"?><note><to>rss</to></note>',
        b"",
    ],
)
def test_pages_and_other_documents_are_not_feeds(body):
    assert not looks_like_feed(body, "text/html; charset=utf-8")


def test_a_feed_content_type_counts_unless_the_body_is_a_page():
    assert looks_like_feed(b"<channel>odd but labelled</channel>", "application/rss+xml")
    assert looks_like_feed(b"", "application/atom+xml; charset=utf-8")
    assert not looks_like_feed(b"<!doctype html><html>", "application/rss+xml")
    assert not looks_like_feed(b"<channel>", "application/json")
