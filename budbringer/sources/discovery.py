"""What a document is: a feed, or a site's page that advertises its feeds.

Both answers come from the document alone, without fetching anything: `looks_like_feed`
sniffs its first few kilobytes, `find_feed_links` reads a page's
`<link rel="alternate" type="application/rss+xml" href="...">` tags.
"""

import codecs
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Enough for an XML declaration, a stylesheet instruction and a licence comment.
SNIFF_BYTES = 4096
# A page's feed links are in its <head>; nobody advertises a feed a megabyte down.
MAX_PAGE_BYTES = 1_000_000

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
}
# Also what WordPress advertises on every page for its REST API (not a feed), so these
# links come after the ones of a feed type.
GENERIC_JSON_TYPE = "application/json"
FEED_CONTENT_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# Whatever may come before the first element of an XML document. Atomic and possessive,
# so that a long run of comments that leads nowhere fails at once instead of backtracking.
_PROLOG = r"(?>\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*+"
_FEED_ROOT = re.compile(_PROLOG + r"<(?:[\w.-]+:)?(?:rss|feed|rdf)\b", re.IGNORECASE | re.DOTALL)
_HTML_ROOT = re.compile(_PROLOG + r"<(?:html|head|body)[\s>/]", re.IGNORECASE | re.DOTALL)
_HTML_DOCTYPE = re.compile(
    r"(?>\s+|<\?.*?\?>|<!--.*?-->)*+<!DOCTYPE\s+html", re.IGNORECASE | re.DOTALL
)
_JSON_FEED = re.compile(r'^\s*\{.*"version"\s*:\s*"https?://jsonfeed\.org/version/', re.DOTALL)


def document_head(body: bytes, size: int = SNIFF_BYTES) -> str:
    """The first `size` bytes as text: decoded by their byte-order mark, else as Latin-1.

    Latin-1 never fails and keeps ASCII as it is, which is all that sniffing looks at.
    """
    head = body[:size]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "ignore")
    if head[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without a byte-order mark
        return head.decode("utf-16-be" if head[0] == 0 else "utf-16-le", "ignore")
    return head.decode("latin-1")


def is_json_document(head: str) -> bool:
    return head.lstrip().startswith("{")


def is_html_document(head: str) -> bool:
    """Whether the document is an HTML page: its root is <html>, <head> or <body>, or it
    has an HTML doctype and no feed's root follows."""
    if _HTML_ROOT.match(head):
        return True
    return _HTML_DOCTYPE.match(head) is not None and _FEED_ROOT.match(head) is None


def looks_like_feed(body: bytes, content_type: str) -> bool:
    """Whether `body` is (most likely) RSS, Atom, RDF or JSON Feed rather than a web page."""
    head = document_head(body)
    if _FEED_ROOT.match(head) or _JSON_FEED.match(head):
        return True
    media_type = content_type.split(";")[0].strip().lower()
    return media_type in FEED_CONTENT_TYPES and not is_html_document(head)


def find_feed_links(html: bytes, base_url: str) -> list[str]:
    """The absolute http(s) addresses of the feeds a page advertises, first ones first.

    Links of a feed type come in the page's order, then those typed application/json;
    each address once. A `<base href>` in the page is honoured.
    """
    parser = _FeedLinkParser()
    parser.feed(html[:MAX_PAGE_BYTES].decode("utf-8", "replace"))
    parser.close()
    base = urljoin(base_url, parser.base) if parser.base else base_url
    found: list[str] = []
    for href in parser.feeds + parser.json:
        url = _absolute_feed_url(href, base)
        if url and url not in found:
            found.append(url)
    return found


def _absolute_feed_url(href: str, base: str) -> str:
    href = href.strip()
    # feed://example.com/rss and feed:https://example.com/rss are old browser conventions.
    if href[:5].lower() == "feed:":
        href = href[5:] if href[5:7] != "//" else "http:" + href[5:]
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.hostname else ""


class _FeedLinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.feeds: list[str] = []
        self.json: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("link", "base"):
            return
        attributes = {name: value or "" for name, value in attrs}
        href = attributes.get("href", "").strip()
        if not href:
            return
        if tag == "base":
            self.base = self.base or href
            return
        if "alternate" not in attributes.get("rel", "").lower().split():
            return
        media_type = attributes.get("type", "").split(";")[0].strip().lower()
        if media_type in FEED_TYPES:
            self.feeds.append(href)
        elif media_type == GENERIC_JSON_TYPE:
            self.json.append(href)

    handle_startendtag = handle_starttag
