"""Sanitised feed HTML in a real browser: nothing runs, nothing loads but its images.

Every entry of feedparser's sanitizer corpus (wellformed/sanitize/, 745 feeds of script,
event handlers, styles, frames, plugins and forms) and our own list of XSS vectors go
through `parse_feed`/`sanitize_html`, then into one page that Chromium renders with no
Content-Security-Policy to help: the sanitiser alone must hold. Any dialog, console
message, page error, pop-up, navigation, or request other than an image the output
names fails the test; then Chromium's own DOM (which may differ from what Python's
parser saw) is checked for anything that could run.
"""

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import feedparser
import pytest
from playwright.sync_api import Browser, Request, Route

from budbringer.sources.parsing import FeedError, parse_feed
from budbringer.sources.sanitize import sanitize_html
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import feedparser_corpus
from tests.sources.unsafe_html import XSS_VECTORS

SANITIZE_CASES = feedparser_corpus() / "wellformed" / "sanitize"
# Plain http: feeds name http:// images, which on an https page Chromium would upgrade
# with a console warning about mixed content, and any console message fails the test.
PAGE_URL = "http://budbringer.test/items/feed-html"
BASE = "https://blog.example.com/2026/11/post"
# The smallest valid GIF: images load without a console error about a failed request.
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
)

WRAPPER = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
    '<title>Feed HTML</title></head><body><main id="feed-html">{sections}</main></body></html>'
)

# Run in the page after loading: Chromium's DOM of the feed HTML, checked element by element.
DOM_PROBLEMS = """() => {
  const forbidden = new Set(['script', 'style', 'iframe', 'frame', 'frameset', 'object',
    'embed', 'applet', 'form', 'input', 'button', 'textarea', 'select', 'meta', 'base',
    'link', 'svg', 'math', 'template', 'noscript', 'portal', 'video', 'audio', 'source']);
  const problems = [];
  const root = document.getElementById('feed-html');
  for (const element of root.querySelectorAll('*')) {
    const where = element.closest('section')?.dataset.case;
    const tag = element.localName;
    if (element.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
      problems.push(`${where}: foreign <${tag}>`);
    }
    if (forbidden.has(tag)) problems.push(`${where}: <${tag}>`);
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on') || ['style', 'srcdoc', 'formaction', 'action', 'srcset',
          'background', 'ping', 'xlink:href', 'id', 'name', 'class'].includes(name)) {
        problems.push(`${where}: ${name}= on <${tag}>`);
      }
      if (name === 'href' || name === 'src') {
        const allowed = name === 'href' ? ['http:', 'https:', 'mailto:'] : ['http:', 'https:'];
        const protocol = new URL(element[name], document.baseURI).protocol;
        if (!allowed.includes(protocol)) problems.push(`${where}: ${name}=${attribute.value}`);
      }
    }
    if (tag === 'a' && element.hasAttribute('href') && !/noopener/.test(element.rel)) {
      problems.push(`${where}: link without noopener`);
    }
  }
  if (document.querySelectorAll('script').length) problems.push('a <script> in the document');
  if (window.frames.length) problems.push(`${window.frames.length} frames`);
  return problems;
}"""

# Nudge every element the way a reader would: hover, focus, scroll into view.
NUDGE = """() => {
  for (const element of document.getElementById('feed-html').querySelectorAll('*')) {
    for (const type of ['mouseover', 'mouseenter', 'mousemove', 'focus', 'focusin', 'toggle']) {
      element.dispatchEvent(new Event(type, {bubbles: true}));
    }
    if (typeof element.focus === 'function') element.focus();
  }
  window.scrollTo(0, document.body.scrollHeight);
}"""


class _ImageHosts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hosts: set[str] = set()

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src")
        if tag == "img" and src:
            self.hosts.add(urlsplit(src).hostname or "")


def sanitised_cases() -> list[tuple[str, str]]:
    """(name, sanitised HTML): every entry as the pipeline keeps it, every other HTML value
    of the corpus files (feed titles, subtitles, rights...) through the sanitiser too,
    and our own vectors."""
    if not SANITIZE_CASES.is_dir():
        pytest.skip(f"the feedparser corpus is not at {SANITIZE_CASES.parent.parent}")
    cases = []
    for path in sorted(SANITIZE_CASES.iterdir()):
        body = path.read_bytes()
        try:
            feed = parse_feed(body, url=BASE)
        except FeedError:
            feed = None
        for n, entry in enumerate(feed.entries if feed else []):
            cases.append((f"{path.stem}#entry-{n}", entry.html))
        raw = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
        for where, value in _html_values(raw):
            cases.append((f"{path.stem}#{where}", sanitize_html(value, BASE)))
    cases += [(f"vector-{n}", sanitize_html(v, BASE)) for n, v in enumerate(XSS_VECTORS)]
    return [(name, html) for name, html in cases if html]


def _html_values(raw):
    """Every HTML-typed value feedparser found in a document, with where it was."""
    parts = [("feed", raw.feed)] + [(f"entry-{n}", e) for n, e in enumerate(raw.entries)]
    for where, part in parts:
        for key, detail in part.items():
            details = detail if key == "content" else [detail] if key.endswith("_detail") else []
            for item in details:
                if isinstance(item, dict) and "html" in (item.get("type") or ""):
                    yield f"{where}.{key}", item.get("value") or ""


@pytest.mark.browser
def test_sanitised_feed_html_cannot_run_anything(browser: Browser):
    cases = sanitised_cases()
    assert len(cases) > 900
    sections = "".join(f'<section data-case="{name}">{html}</section>' for name, html in cases)
    page_html = WRAPPER.format(sections=sections)
    images = _ImageHosts()
    images.feed(sections)

    events: list[str] = []
    unexpected_requests: list[str] = []
    image_requests: list[str] = []

    def answer(route: Route, request: Request) -> None:
        if request.url == PAGE_URL:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page_html)
        elif request.resource_type == "image" and urlsplit(request.url).hostname in images.hosts:
            image_requests.append(request.url)
            route.fulfill(status=200, content_type="image/gif", body=GIF)
        else:
            unexpected_requests.append(f"{request.resource_type} {request.url}")
            route.abort()

    context = browser.new_context()
    try:
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", answer)
        page = context.new_page()
        context.on("page", lambda popup: events.append(f"pop-up {popup.url}"))
        page.on(
            "dialog", lambda dialog: (events.append(f"dialog {dialog.message}"), dialog.dismiss())
        )
        page.on("console", lambda message: events.append(f"console {message.type}: {message.text}"))
        page.on("pageerror", lambda error: events.append(f"page error {error}"))
        page.goto(PAGE_URL, wait_until="load")
        page.on(
            "framenavigated",
            lambda frame: events.append(f"navigation to {frame.url}"),
        )
        page.evaluate(NUDGE)
        page.wait_for_timeout(500)  # long enough for a meta refresh or a timer to fire

        assert page.url == PAGE_URL
        assert page.evaluate(DOM_PROBLEMS) == []
        assert events == [], events[:20]
        assert unexpected_requests == []
        # The page really rendered the cases, images included.
        assert page.locator("#feed-html section").count() == len(cases)
        assert image_requests
    finally:
        context.close()
