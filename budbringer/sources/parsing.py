"""Reading a feed: RSS, Atom or JSON Feed bytes in, plain data with sanitised HTML out.

feedparser reads every RSS and Atom version (and YouTube's and podcasts' extensions);
JSON Feed, which feedparser 6 does not know, is read here with `json`. What goes in:

1. Bytes only, in a stream: feedparser opens URLs and files when given a string, so it
   is never given one, and nothing here touches the network or the disk.
2. The encoding is settled first, with feedparser's own rules (HTTP charset, byte-order
   mark, XML declaration, then fallbacks), plus one of ours: a document declared as
   Latin-1 or Windows-1252 that is valid UTF-8 is UTF-8 (a server default mislabelling
   it, not a coincidence).
3. A DOCTYPE that declares entities is refused before any XML parser sees it. feedparser
   falls back to a lenient parser on XML errors, so refusing later would be too late;
   expansion bombs and external entities never get that far. A DOCTYPE that only names
   a public DTD (Netscape's RSS 0.91) is fine: no DTD is ever fetched.
4. feedparser runs without its own sanitiser and without resolving relative URLs in
   content: `sanitize.sanitize_html` does both, faster, against each content's xml:base.
"""

import codecs
import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXException, SAXParseException

import feedparser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import CharacterEncodingOverride, CharacterEncodingUnknown

from budbringer.lib.names import one_line
from budbringer.sources.discovery import document_head, is_html_document, is_json_document
from budbringer.sources.sanitize import html_to_text, is_tracker, sanitize_html

MAX_TITLE_CHARS = 300
MAX_TEXT_CHARS = 20_000
SUMMARY_CHARS = 500  # summaries are cut on a word before this
MAX_DESCRIPTION_CHARS = 1000
MAX_AUTHOR_CHARS = 300

# Declared charsets that a server or CMS puts on UTF-8 documents by mistake.
_SINGLE_BYTE_CHARSET = re.compile(
    r"^(?:iso[-_]?8859-?\d+|latin-?\d|l\d|(?:windows|cp)-?125\d|(?:us-)?ascii)$"
)
_XML_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_ENCODING_MARKS = (
    (codecs.BOM_UTF32_BE, "utf-32be"),
    (codecs.BOM_UTF32_LE, "utf-32le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (b"\x00\x00\x00<", "utf-32be"),
    (b"<\x00\x00\x00", "utf-32le"),
    (b"\x00<\x00?", "utf-16be"),
    (b"<\x00?\x00", "utf-16le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # "<?xm" in EBCDIC
)
# Candidates (zero, and numbers big enough to be surrogates or beyond Unicode); which
# ones are impossible, _replacement_character decides.
_IMPOSSIBLE_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{4,}|0)|0*(\d{5,}|0));")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG_SPACE = re.compile(rb"[ \t\r\n]*")
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_:]")
_WHITESPACE = re.compile(r"\s+")
_FIRST_IMAGE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')
_YOUTUBE_WATCH = re.compile(r"^https?://(?:www\.|m\.)?youtube\.com/(?:watch|shorts/)", re.I)
_FEEDPARSER_HEADERS = {"content-type": "application/xml; charset=utf-8"}


@dataclass
class Enclosure:
    url: str
    media_type: str
    length: int | None


@dataclass
class ParsedEntry:
    title: str
    url: str
    guid: str
    html: str
    text: str
    summary: str
    author: str
    published: dt.datetime | None
    image_url: str
    enclosures: list[Enclosure] = field(default_factory=list)
    duration_seconds: int | None = None
    kind: str = "article"


@dataclass
class ParsedFeed:
    title: str
    site_url: str
    description: str
    language: str
    kind: str
    version: str
    entries: list[ParsedEntry]
    warning: str = ""


class FeedError(Exception):
    """Why a document cannot be read as a feed, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Read an RSS, Atom or JSON feed; relative addresses are resolved against `url`.

    Raises FeedError when there is nothing usable: an empty body, an HTML page, a
    document declaring XML entities, or malformed XML without a single entry.
    """
    if not body.strip():
        raise FeedError("The feed is empty.")
    head = document_head(body)
    if is_json_document(head):
        return _parse_json_feed(body, url)
    if is_html_document(head):
        raise FeedError("This is an HTML page, not a feed.")
    data, notes = _to_utf8(body, content_type)
    if declares_entities(data):
        raise FeedError("The feed declares XML entities, which are refused.")
    # NUL and references to characters that cannot exist: never valid XML, and they
    # either crash feedparser's lenient parser or end up where no database takes them.
    data = _IMPOSSIBLE_CHARACTER_REFERENCE.sub(_replacement_character, data.replace(b"\x00", b""))
    # No document URL for feedparser: relative links stay relative, so that they can be
    # resolved against the site rather than the feed's address (often another host).
    try:
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=_FEEDPARSER_HEADERS,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as error:  # its lenient parser is not made for hostile input
        raise FeedError(f"The feed is too broken to read ({type(error).__name__}).") from error
    # feedparser puts an XML declaration on its own line above a document without one.
    broken = _xml_error(result, lines_added=0 if head.startswith("<?xml") else 1)
    if broken:
        notes.append(f"The feed is not well-formed XML ({broken}); its items were read leniently.")
    info = result.feed
    site_url = _http_url(info.get("link", ""), url)
    entries = [_entry(raw, site_url or url, url) for raw in result.entries]
    if not entries:
        if not result.get("version"):
            raise FeedError("This is not an RSS, Atom or JSON feed.")
        if broken:
            raise FeedError(f"The feed is not well-formed XML: {broken}.")
    return ParsedFeed(
        title=_plain(info.get("title", ""), info.get("title_detail"), MAX_TITLE_CHARS),
        site_url=site_url,
        description=_plain(
            info.get("subtitle", ""), info.get("subtitle_detail"), MAX_DESCRIPTION_CHARS
        ),
        language=language_code(info.get("language", "")),
        kind=_feed_kind(entries, result.get("namespaces", {})),
        version=result.get("version", ""),
        entries=entries,
        warning=" ".join(notes),
    )


def declares_entities(data: bytes) -> bool:
    """Whether an XML document's DOCTYPE declares entities (or may: when in doubt, yes).

    Walks the prolog (declaration, comments, processing instructions, DOCTYPE) up to the
    root element, the only place an XML parser honours a DOCTYPE. Anything unexpected on
    the way makes the whole document count.
    """
    position = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        position = _PROLOG_SPACE.match(data, position).end()
        if data.startswith(b"<?", position):
            end, skip = data.find(b"?>", position + 2), 2
        elif data.startswith(b"<!--", position):
            end, skip = data.find(b"-->", position + 4), 3
        elif data[position : position + 9].upper() == b"<!DOCTYPE":
            close, bracket = data.find(b">", position), data.find(b"[", position)
            if bracket != -1 and (close == -1 or bracket < close):
                # An internal subset; its end is hard to find safely, so look to the end.
                return _ENTITY_DECLARATION.search(data, bracket) is not None
            end, skip = close, 1
        elif _ROOT_ELEMENT.match(data, position):
            return False
        else:
            return _ENTITY_DECLARATION.search(data, position) is not None
        if end == -1:
            return _ENTITY_DECLARATION.search(data, position) is not None
        position = end + skip


def language_code(declared: str) -> str:
    """A feed's declared language as a lower-case two-letter code ("en-GB" -> "en"), or "".

    Plain "no" (Norwegian) is taken as Bokmål, which nine in ten Norwegians write.
    """
    code = declared.strip().lower().replace("_", "-").split("-")[0]
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        return ""
    return "nb" if code == "no" else code


def parse_duration(value: Any) -> int | None:
    """Seconds from an itunes:duration: "95", "45:30", "01:02:03" (fractions dropped)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value >= 0 else None
    parts = str(value or "").strip().split(":")
    if not parts[0] or len(parts) > 3:
        return None
    seconds = 0.0
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            return None
        if number < 0 or number != number or number == float("inf"):
            return None
        seconds = seconds * 60 + number
    return int(seconds)


# --- XML feeds through feedparser ---


def _to_utf8(body: bytes, content_type: str) -> tuple[bytes, list[str]]:
    """The document as UTF-8 with a matching declaration, and notes on what was wrong."""
    # A byte-order mark (or the shape of "<?" in UTF-16/32) outranks any declaration;
    # feedparser would try a declared or default UTF-8 first, which NUL-laden UTF-16 passes.
    sniffed = next((name for start, name in _ENCODING_MARKS if body.startswith(start)), "")
    charset = sniffed or _charset(content_type)
    declared = charset or _xml_declared_encoding(body)
    if (
        not sniffed
        and declared
        and _SINGLE_BYTE_CHARSET.match(declared.lower())
        and not body.isascii()
        and _is_utf8(body)
    ):
        # Valid UTF-8 beyond ASCII is no accident in a single-byte encoding.
        charset = "utf-8"
    headers = {
        "content-type": f"application/xml; charset={charset}" if charset else "application/xml"
    }
    found: dict[str, Any] = {}
    data = convert_to_utf8(headers, body, found)
    notes = []
    if charset == "utf-8" and declared.lower() not in ("utf-8", "utf8"):
        notes.append(f"The feed declares the encoding {declared} but is written in UTF-8.")
    error = found.get("bozo_exception")
    if isinstance(error, CharacterEncodingOverride):
        notes.append(
            f"The feed's declared encoding is wrong; it was read as {found.get('encoding')}."
        )
    elif isinstance(error, CharacterEncodingUnknown):
        notes.append("The feed's encoding could not be told; some characters may be wrong.")
    return data, notes


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def _xml_declared_encoding(body: bytes) -> str:
    match = _XML_DECLARED_ENCODING.match(body[:200])
    return match.group(1).decode("ascii") if match else ""


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _replacement_character(match: re.Match) -> bytes:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    impossible = code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF
    return b"&#xFFFD;" if impossible else match.group(0)


def _xml_error(result, lines_added: int) -> str:
    """A short description of the XML error feedparser met, or ""."""
    error = result.get("bozo_exception") if result.get("bozo") else None
    if isinstance(error, SAXParseException):
        line = max(error.getLineNumber() - lines_added, 1)
        return f"{error.getMessage()} at line {line}"
    if isinstance(error, SAXException):
        return error.getMessage()
    if error is not None and not isinstance(error, CharacterEncodingOverride):
        return str(error) or type(error).__name__
    return ""


def _entry(raw, site_url: str, feed_url: str) -> ParsedEntry:
    """One entry; its relative links resolve against the site, its content's against
    the content's xml:base, else the entry's own address (where the content came from)."""
    link = raw.get("link", "") or (raw.get("id", "") if raw.get("guidislink") else "")
    url = _http_url(link, site_url)
    base = _declared_base(raw, feed_url) or url or site_url
    is_youtube = bool(raw.get("yt_videoid")) or bool(_YOUTUBE_WATCH.match(url))
    html, summary_html = _content(raw, base, plain=is_youtube)
    text = html_to_text(html)[:MAX_TEXT_CHARS]
    summary = shorten(html_to_text(summary_html) if summary_html else text, SUMMARY_CHARS)
    enclosures = _enclosures(raw.get("enclosures") or [], base)
    return ParsedEntry(
        title=_plain(raw.get("title", ""), raw.get("title_detail"), MAX_TITLE_CHARS),
        url=url,
        guid=str(raw.get("id", "") or "")[:2000],
        html=html,
        text=text,
        summary=summary,
        author=_author(raw),
        published=_struct_time(
            raw.get("published_parsed") or raw.get("updated_parsed") or raw.get("created_parsed")
        ),
        image_url=_image(raw, html, base),
        enclosures=enclosures,
        duration_seconds=_duration(raw),
        kind=_kind(is_youtube, enclosures),
    )


def _declared_base(raw, feed_url: str) -> str:
    """The xml:base in effect for an entry's content, made absolute, or ""."""
    for key in ("content", "summary_detail"):
        detail = raw.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if detail and detail.get("base"):
            return _http_url(detail["base"], feed_url)
    return ""


def _content(raw, base: str, *, plain: bool) -> tuple[str, str]:
    """(sanitised HTML of the fullest content, the summary's HTML when it is a different text)."""
    contents = [c for c in raw.get("content") or [] if c.get("value")]
    summary = raw.get("summary_detail") or {}
    if not contents:
        return _html_of(summary, base, plain=plain), ""
    richest = max(contents, key=lambda c: ("html" in (c.get("type") or ""), len(c["value"])))
    html = _html_of(richest, base, plain=plain)
    if summary.get("value") and summary.get("value") != richest["value"]:
        return html, _html_of(summary, base, plain=plain)
    return html, ""


def _html_of(detail, base: str, *, plain: bool) -> str:
    value = detail.get("value") or ""
    if not value:
        return ""
    if plain or "html" not in (detail.get("type") or "text/html"):
        return plain_to_html(value)
    if "<" not in value:  # HTML without a tag is text, perhaps with entities and newlines
        return plain_to_html(unescape(value))
    return sanitize_html(value, _declared_base_of(detail, base))


def _declared_base_of(detail, base: str) -> str:
    return _http_url(detail["base"], base) if detail.get("base") else base


def plain_to_html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines) with line breaks, everything escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()[:MAX_TEXT_CHARS])]
    return "".join(
        "<p>" + "<br>".join(escape(line.strip()) for line in p.splitlines()) + "</p>"
        for p in paragraphs
        if p
    )


def _plain(value: str, detail, limit: int) -> str:
    """A title-like field as one line of plain text, whatever markup it came with."""
    value = str(value or "")
    if detail and "html" in (detail.get("type") or ""):
        value = html_to_text(value)
    return shorten(one_line(_WHITESPACE.sub(" ", value)), limit)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, on a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def _author(raw) -> str:
    detail = raw.get("author_detail") or {}
    name = detail.get("name") or raw.get("author") or ""
    if "<" in name or "&" in name:
        name = html_to_text(name)
    return shorten(_WHITESPACE.sub(" ", name).strip(), MAX_AUTHOR_CHARS)


def _struct_time(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime(*value[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _image(raw, html: str, base: str) -> str:
    candidates = [t.get("url", "") for t in raw.get("media_thumbnail") or []]
    image = raw.get("image")  # itunes:image
    candidates.append(image.get("href", "") if isinstance(image, dict) else "")
    candidates += [
        m.get("url", "")
        for m in raw.get("media_content") or []
        if m.get("medium") == "image" or (m.get("type") or "").startswith("image/")
    ]
    candidates += [
        e.get("href", "")
        for e in raw.get("enclosures") or []
        if (e.get("type") or "").startswith("image/")
    ]
    return _first_image([*candidates, _first_image_in(html)], base)


def _first_image_in(html: str) -> str:
    first = _FIRST_IMAGE.search(html)
    return unescape(first.group(1)) if first else ""


def _first_image(candidates: list[str], base: str) -> str:
    for candidate in candidates:
        url = _http_url(candidate, base) if isinstance(candidate, str) else ""
        if url and not is_tracker(url):
            return url
    return ""


def _enclosures(raw_enclosures, base: str) -> list[Enclosure]:
    enclosures = []
    for raw in raw_enclosures:
        url = _http_url(raw.get("href", "") or raw.get("url", ""), base)
        if url:
            media_type = str(raw.get("type") or "").split(";")[0].strip().lower()
            enclosures.append(Enclosure(url, media_type, _length(raw.get("length"))))
    return enclosures


def _length(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    value = str(value or "").strip()
    return int(value) if value.isdigit() and value.isascii() and int(value) > 0 else None


def _duration(raw) -> int | None:
    duration = parse_duration(raw.get("itunes_duration"))
    if duration is None:
        for media in raw.get("media_content") or []:
            duration = parse_duration(media.get("duration"))
            if duration is not None:
                break
    return duration


def _kind(is_youtube: bool, enclosures: list[Enclosure]) -> str:
    if is_youtube:
        return "video"
    if any(e.media_type.startswith(("audio/", "video/")) for e in enclosures):
        return "podcast"
    return "article"


def _feed_kind(entries: list[ParsedEntry], namespaces: dict) -> str:
    """What most entries are; for a feed without entries, what its namespaces suggest."""
    if entries:
        counts = Counter(e.kind for e in entries).most_common()
        return counts[0][0]
    uris = " ".join(namespaces.values()) if isinstance(namespaces, dict) else ""
    if "youtube.com" in uris:
        return "video"
    if "itunes.com" in uris:
        return "podcast"
    return "article"


def _http_url(url: str, base: str) -> str:
    """`url` made absolute against `base`, if it is then an http(s) URL with a host; else ""."""
    if not isinstance(url, str) or not url.strip():
        return ""
    try:
        absolute = urljoin(base, url.strip())
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return absolute


# --- JSON Feed (https://jsonfeed.org/version/1.1) ---


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise FeedError(f"The feed is not valid JSON: {error}.") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(
        ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
    ):
        raise FeedError("This is JSON, but not a JSON Feed.")
    site_url = _http_url(_string(document.get("home_page_url")), url)
    items = document.get("items")
    entries = [
        _json_entry(item, site_url or url)
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]
    return ParsedFeed(
        title=shorten(
            one_line(_WHITESPACE.sub(" ", _string(document.get("title")))), MAX_TITLE_CHARS
        ),
        site_url=site_url,
        description=shorten(
            _WHITESPACE.sub(" ", _string(document.get("description"))).strip(),
            MAX_DESCRIPTION_CHARS,
        ),
        language=language_code(_string(document.get("language"))),
        kind=_feed_kind(entries, {}),
        version="json" + version.rstrip("/").rsplit("/", 1)[-1].replace(".", ""),
        entries=entries,
    )


def _json_entry(item: dict, base: str) -> ParsedEntry:
    url = _http_url(_string(item.get("url")) or _string(item.get("external_url")), base)
    content_html, content_text = (
        _string(item.get("content_html")),
        _string(item.get("content_text")),
    )
    html = sanitize_html(content_html, url or base) if content_html else plain_to_html(content_text)
    text = html_to_text(html)[:MAX_TEXT_CHARS]
    summary = _WHITESPACE.sub(" ", _string(item.get("summary"))).strip()
    enclosures, durations = [], []
    for attachment in item.get("attachments") or []:
        if not isinstance(attachment, dict):
            continue
        attachment_url = _http_url(_string(attachment.get("url")), base)
        if attachment_url:
            media_type = _string(attachment.get("mime_type")).split(";")[0].strip().lower()
            length = _length(attachment.get("size_in_bytes"))
            enclosures.append(Enclosure(attachment_url, media_type, length))
            durations.append(parse_duration(attachment.get("duration_in_seconds")))
    authors = item.get("authors") if isinstance(item.get("authors"), list) else [item.get("author")]
    names = [_string(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
    is_youtube = bool(_YOUTUBE_WATCH.match(url))
    return ParsedEntry(
        title=shorten(one_line(_WHITESPACE.sub(" ", _string(item.get("title")))), MAX_TITLE_CHARS),
        url=url,
        guid=_string(item.get("id"))[:2000],
        html=html,
        text=text,
        summary=shorten(summary or text, SUMMARY_CHARS),
        author=shorten(", ".join(names), MAX_AUTHOR_CHARS),
        published=_iso_datetime(item.get("date_published") or item.get("date_modified")),
        image_url=_first_image(
            [_string(item.get("image")), _string(item.get("banner_image"))]
            + [e.url for e in enclosures if e.media_type.startswith("image/")]
            + [_first_image_in(html)],
            base,
        ),
        enclosures=enclosures,
        duration_seconds=next((d for d in durations if d is not None), None),
        kind=_kind(is_youtube, enclosures),
    )


def _string(value) -> str:
    """A JSON value as a string: numbers as written, anything else as "".

    JSON may spell NUL and lone surrogates (`\\u0000`, `\\ud800`), which no database takes.
    """
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        if not value.isascii():
            value = value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _iso_datetime(value) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return None
