"""Feed HTML made safe to show: a strict allow-list, absolute URLs, no trackers.

Everything a feed sends is untrusted. `sanitize_html` keeps text, structure, links and
images and nothing that can run, load a plugin, submit a form or restyle the page:

1. YouTube players (iframes and old `<embed>`s) become a plain link around the video's
   thumbnail before anything else happens; every other iframe is removed with its content.
2. nh3 (the Rust ammonia sanitiser) keeps only the tags and attributes listed below,
   only http(s) and mailto links and only http(s) images, resolves relative URLs
   against the entry's base, and marks every link `rel="noopener noreferrer nofollow"`.
3. Images that only track readers (1x1 pixels, known counters) are dropped, and so are
   images left without a usable source.

Why a link and not a `youtube-nocookie.com` iframe: an embedded player runs YouTube's
scripts and sets its storage the moment the item page opens, for every reader, whether
they watch or not; a thumbnail costs one image. A link also works in e-mail digests,
where no iframe does. And with no iframe in the allow-list at all, no other iframe can
slip through a mistake in a URL check: there is no URL check to get wrong.
"""

import html
import re
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang", "title"},
    "a": {"href"},
    "abbr": {"title"},
    "img": {"alt", "height", "src", "width"},
    "ol": {"reversed", "start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
# Removed together with everything inside them (other unknown tags lose only the tag;
# an <object> keeps its fallback, where old YouTube embed code has its <embed>).
DROPPED_WITH_CONTENT = {
    "applet", "iframe", "math", "noembed", "noframes", "script", "select", "style", "svg",
    "template", "textarea", "title",
}  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"
# Links open in a new tab: a reader keeps their place in Budbringer.
ADDED_ATTRIBUTES = {"a": {"target": "_blank"}}
# Images load when scrolled to and tell their host nothing about the page they are on.
# Added after nh3, which would add them in no fixed order.
IMAGE_ATTRIBUTES = ' loading="lazy" referrerpolicy="no-referrer"'

LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEMES = {"http", "https"}

# Hosts that serve nothing but counters, and path fragments of counters on other hosts.
TRACKER_HOSTS = (
    "pixel.wp.com", "stats.wordpress.com", "doubleclick.net", "google-analytics.com",
    "googletagmanager.com", "pixel.quantserve.com", "scorecardresearch.com",
    "feedsportal.com", "pixel.facebook.com", "bat.bing.com", "analytics.twitter.com",
    "mc.yandex.ru", "pixel.mathtag.com", "amazon-adsystem.com", "assoc-amazon.com",
    "pixel.adsafeprotected.com", "ct.pinterest.com", "px.ads.linkedin.com",
)  # fmt: skip
TRACKER_PATHS = (
    r"/~r/", r"/~ff/", r"/open\.php", r"/track/open", r"/wf/open", r"/beacon(?:\.gif|\.png|/|$)",
    r"/1x1\.(?:gif|png)", r"/spacer\.gif", r"/blank\.gif", r"/pixel(?:\.gif|\.png)?$",
    r"medium\.com/_/stat", r"list-manage\.com/track/", r"facebook\.com/tr/?$",
)  # fmt: skip
# One pattern for all of them, matched against the URL without its query: fast enough to
# run on every image of every entry.
_TRACKER = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*:)?//(?:[^/?#@]*@)?(?:[^/?#:]*\.)?(?:"
    + "|".join(re.escape(host) for host in TRACKER_HOSTS)
    + r")(?:[:/]|$)|"
    + "|".join(TRACKER_PATHS),
    re.IGNORECASE,
)
_URL_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)

_YOUTUBE_ID = r"([A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])"
_YOUTUBE_PLAYER = re.compile(
    r"^(?:https?:)?//(?:www\.|m\.)?(?:youtube\.com|youtube-nocookie\.com)/(?:embed|v)/"
    + _YOUTUBE_ID
    + r"|^(?:https?:)?//youtu\.be/"
    + _YOUTUBE_ID,
    re.IGNORECASE,
)
# An iframe with whatever it wraps, or an `<embed>` (which has no end tag).
_PLAYER_TAG = re.compile(
    r"<iframe\b(?P<iframe>[^>]*)>.*?(?:</iframe\s*>|$)|<embed\b(?P<embed>[^>]*)>",
    re.IGNORECASE | re.DOTALL,
)
_SRC_ATTRIBUTE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# nh3's output is well-formed: attribute values always double-quoted, `"` escaped.
_IMG_TAG = re.compile(r'<img((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE = re.compile(r'([^\s=>]+)(?:="([^"]*)")?')
_PIXEL_SIZES = {"0", "1"}
_URL_NOISE = re.compile(r"[\t\n\r]")
_URL_LEADING_NOISE = "".join(map(chr, range(33)))

YOUTUBE_LINK = (
    '<a href="https://www.youtube.com/watch?v={id}">'
    '<img src="https://i.ytimg.com/vi/{id}/hqdefault.jpg" alt="YouTube video"></a>'
)

# Content above this size is cut before sanitising (a normal article is under 100 kB).
MAX_HTML_CHARS = 500_000


class SanitizedHTML(str):
    """What ``sanitize_html`` returned, as it returned it: the field that stores item HTML
    (content/fields.py) stores this as it is instead of cleaning it again. Any change to
    the text (slicing, joining, a form's cleaning) gives a plain ``str``, which is cleaned."""

    __slots__ = ()


def sanitize_html(html_text: str, base_url: str = "") -> SanitizedHTML:
    """Feed HTML with nothing left that can run, with relative URLs made absolute."""
    if not html_text:
        return SanitizedHTML("")
    html_text = _PLAYER_TAG.sub(_youtube_link_or_nothing, html_text[:MAX_HTML_CHARS])
    base = base_url if _is_http(base_url) else ""
    cleaned = nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        link_rel=LINK_REL,
        set_tag_attribute_values=ADDED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        url_relative=("rewrite_with_base", base) if base else "deny",
    )
    if "<img" in cleaned:
        cleaned = _IMG_TAG.sub(_image_or_nothing, cleaned)
    return SanitizedHTML(cleaned.strip())


def youtube_video_id(url: str) -> str:
    """The video ID of a YouTube player URL (embed, nocookie, youtu.be, /v/), or ""."""
    match = _YOUTUBE_PLAYER.match(url.strip())
    return (match.group(1) or match.group(2)) if match else ""


def _youtube_link_or_nothing(match: re.Match) -> str:
    attributes = match.group("iframe") if match.group("iframe") is not None else match["embed"]
    src = _SRC_ATTRIBUTE.search(attributes)
    if src:
        video_id = youtube_video_id(html.unescape(next(filter(None, src.groups()), "")))
        if video_id:
            return YOUTUBE_LINK.format(id=video_id)
    return ""


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Called by nh3 for each allowed attribute, before it checks and resolves URLs."""
    if attribute == "src":
        return None if is_tracker(value) or not _is_image_url(value) else value
    if attribute in ("width", "height"):
        size = value.strip().lower().removesuffix("px").strip()
        return size if size.isdigit() else None
    return value


def _is_image_url(url: str) -> bool:
    """Whether an image source may be used: relative (nh3 resolves it) or http(s)."""
    # Browsers ignore tabs and newlines anywhere, and controls and spaces around a URL.
    scheme = _URL_SCHEME.match(_URL_NOISE.sub("", url).lstrip(_URL_LEADING_NOISE))
    return scheme is None or scheme.group(1).lower() in IMAGE_SCHEMES


def is_tracker(url: str) -> bool:
    """Whether an image URL is a known reader-tracking counter."""
    cleaned = _URL_NOISE.sub("", url).strip(_URL_LEADING_NOISE)
    return _TRACKER.search(cleaned.split("?", 1)[0].split("#", 1)[0]) is not None


def _image_or_nothing(match: re.Match) -> str:
    attributes = dict(_ATTRIBUTE.findall(match.group(1)))
    if not attributes.get("src"):
        return ""
    if attributes.get("width") in _PIXEL_SIZES or attributes.get("height") in _PIXEL_SIZES:
        return ""
    return f"<img{match.group(1)}{IMAGE_ATTRIBUTES}>"


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# Tags whose boundaries separate words: a space goes there before the tags are dropped.
_BLOCK_BOUNDARY = re.compile(
    r"<(?=/?(?:address|article|aside|blockquote|br|caption|dd|div|dl|dt|figcaption|figure"
    r"|footer|h[1-6]|header|hr|img|li|main|nav|ol|p|pre|section|table|td|th|tr|ul)\b)",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")


def html_to_text(html_text: str) -> str:
    """The words of an HTML fragment as one line of plain text (entities decoded)."""
    if not html_text:
        return ""
    if "<" not in html_text and "&" not in html_text:
        return _WHITESPACE.sub(" ", html_text).strip()
    spaced = _BLOCK_BOUNDARY.sub(" <", html_text[:MAX_HTML_CHARS])
    stripped = nh3.clean(spaced, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT)
    return _WHITESPACE.sub(" ", html.unescape(stripped)).strip()
