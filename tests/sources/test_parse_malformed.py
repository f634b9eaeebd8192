"""Broken feeds: what still has entries is read (with a warning), the rest is refused in
plain words."""

import pytest

from budbringer.sources.parsing import FeedError, parse_feed

URL = "https://blog.example.com/feed"


def rss(items: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{declaration}\n<rss version="2.0"><channel><title>Blog</title>{items}</channel></rss>'


def item(title: str, slug: str = "a") -> str:
    return f"<item><title>{title}</title><link>https://blog.example.com/{slug}</link></item>"


def refusal(body: bytes, content_type: str = "") -> str:
    with pytest.raises(FeedError) as refused:
        parse_feed(body, url=URL, content_type=content_type)
    return refused.value.message


@pytest.mark.parametrize(
    "broken",
    [
        item("Fish & chips"),  # a bare ampersand
        item("Caf&eacute; &nbsp;news"),  # HTML entities XML does not know
        item("<b>Unclosed bold"),
        item("Fine") + "<item><title>Cut off here",  # truncated download
    ],
)
def test_malformed_xml_with_entries_is_read_with_a_warning(broken):
    feed = parse_feed(rss(broken).encode(), url=URL)
    assert feed.entries
    assert feed.entries[0].url == "https://blog.example.com/a"
    assert feed.warning.startswith("The feed is not well-formed XML (")
    assert feed.warning.endswith("its items were read leniently.")


def test_html_entities_are_still_decoded():
    feed = parse_feed(rss(item("Caf&eacute; &amp; bar")).encode(), url=URL)
    assert feed.entries[0].title == "Café & bar"


def test_declared_utf8_written_in_windows_1252():
    body = rss(item("Blåbær \u2013 færsk")).encode("windows-1252")  # 0x96: no UTF-8
    feed = parse_feed(body, url=URL)
    assert feed.entries[0].title == "Blåbær \u2013 færsk"
    assert "encoding" in feed.warning


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', ""),
        ('<?xml version="1.0" encoding="windows-1252"?>', "application/rss+xml"),
        ('<?xml version="1.0"?>', "text/xml; charset=iso-8859-1"),
        ('<?xml version="1.0"?>', "text/xml; charset=us-ascii"),
    ],
)
def test_utf8_declared_as_a_single_byte_encoding(declaration, content_type):
    body = rss(item("Blåbær i Tromsø"), declaration).encode("utf-8")
    feed = parse_feed(body, url=URL, content_type=content_type)
    assert feed.entries[0].title == "Blåbær i Tromsø"  # not "BlÃ¥bÃ¦r"
    assert "is written in UTF-8" in feed.warning


def test_a_correct_latin1_declaration_is_believed():
    body = rss(item("Blåbær"), '<?xml version="1.0" encoding="ISO-8859-1"?>').encode("latin-1")
    feed = parse_feed(body, url=URL)
    assert (feed.entries[0].title, feed.warning) == ("Blåbær", "")


def test_the_http_charset_outranks_the_declaration():
    body = rss(item("Blåbær"), '<?xml version="1.0" encoding="utf-8"?>').encode("latin-1")
    feed = parse_feed(body, url=URL, content_type="application/rss+xml; charset=ISO-8859-1")
    assert (feed.entries[0].title, feed.warning) == ("Blåbær", "")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_encodings_with_or_without_a_byte_order_mark(encoding):
    body = rss(item("Blåbær"), '<?xml version="1.0"?>').encode(encoding)
    assert parse_feed(body, url=URL).entries[0].title == "Blåbær"


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><head><title>Blog</title></head><body>Hi</body></html>",
        b"\n\n  <!doctype HTML>\n<html lang=en>",
        b"<html><body><p>No doctype</p></body></html>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b"<!-- generated --><HEAD><TITLE>Old</TITLE></HEAD>",
    ],
)
def test_an_html_page_is_refused(page):
    assert refusal(page) == "This is an HTML page, not a feed."
    assert refusal(page, "application/rss+xml") == "This is an HTML page, not a feed."


def test_an_xhtml_doctype_on_a_real_feed_is_fine():
    body = b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x">\n' + rss(item("Ok")).encode()
    assert parse_feed(body, url=URL).entries[0].title == "Ok"


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\r\n"])
def test_an_empty_body_is_refused(body):
    assert refusal(body) == "The feed is empty."


def test_malformed_xml_without_entries_is_refused():
    message = refusal(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut')
    assert message.startswith("The feed is not well-formed XML: ")
    assert "line 1" in message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'<?xml version="1.0"?><note><to>Tove</to></note>',
            "This is not an RSS, Atom or JSON feed.",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not an RSS, Atom or JSON feed."),
        (b"just some words", "This is not an RSS, Atom or JSON feed."),
        (b'{"name": "package.json"}', "This is JSON, but not a JSON Feed."),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', None),
    ],
)
def test_documents_that_are_not_feeds_are_refused(body, message):
    refused = refusal(body)
    if message:
        assert refused == message
    else:
        assert refused.startswith("The feed is not valid JSON: ")


def test_a_feed_without_items_is_empty_not_an_error():
    feed = parse_feed(rss("").encode(), url=URL)
    assert (feed.title, feed.entries, feed.warning) == ("Blog", [], "")


def test_characters_no_database_stores_are_replaced_or_dropped():
    # NUL bytes and references to NUL, to surrogates and beyond Unicode: feedparser's
    # lenient parser crashed on the last two, and PostgreSQL refuses NUL in text.
    body = rss(
        item("a&#0;b &#xD800; &#55296; &#1114112; &#x110000; &#8217; &#x1F600;").replace(
            "<link>", "<description>x\x00y</description><link>"
        )
    ).encode()
    (entry,) = parse_feed(body, url=URL).entries
    assert entry.title == "a\ufffdb \ufffd \ufffd \ufffd \ufffd \u2019 \U0001f600"
    assert entry.html == "<p>xy</p>"

    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T\\u0000",'
        b' "items": [{"id": "1\\u0000", "url": "https://blog.example.com/\\u0000a",'
        b' "title": "lone \\ud800 surrogate", "content_text": "x\\u0000y"}]}'
    )
    feed = parse_feed(json_feed, url=URL)
    (entry,) = feed.entries
    assert (feed.title, entry.guid, entry.url, entry.html) == (
        "T", "1", "https://blog.example.com/a", "<p>xy</p>",
    )  # fmt: skip
    entry.title.encode("utf-8")  # no lone surrogate left
