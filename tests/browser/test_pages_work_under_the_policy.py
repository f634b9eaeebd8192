"""The pages with the most in them still work under the Content-Security-Policy, in
Chromium, at a phone's width and a laptop's: the item page with feed HTML (images, a
YouTube video), the Django admin's item form (its JavaScript widgets: the topic picker,
"add another" share text, date shortcuts), the API docs (Swagger UI) and the dashboard.
Chromium reports every refusal of the policy on the console; none may occur.

Outside images are answered by the test with a picture of its own (nothing leaves the
machine), so a refused image shows as a refusal, not as a failed download.
"""

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Request, Route, expect

from budbringer.content.models import Item, Topic
from tests.analytics.conftest import Activity
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.pages import screenshot, sign_in

WIDTHS = {"phone": (390, 844), "laptop": (1366, 768)}
FEED_HTML = (
    "<p>The new hall is cooled by fjord water all year.</p>"
    '<figure><img src="https://cdn.example.com/hall.png" alt="The new hall" width="1200" '
    'height="675"><figcaption>The new hall in Tromsø.</figcaption></figure>'
    '<p>Watch the tour:</p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ">'
    "</iframe><p>More on our blog.</p>"
)


def _picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (40, 110, 130)).save(buffer, "PNG")
    return buffer.getvalue()


PICTURE = _picture()


class Watched:
    """A page on the live server; the policy's refusals, script errors and requests that
    would leave the machine are collected."""

    def __init__(self, browser: Browser, live_server, width: str):
        width_px, height_px = WIDTHS[width]
        self.context = browser.new_context(
            base_url=live_server.url, viewport={"width": width_px, "height": height_px}
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.problems: list[str] = []
        self.images: list[str] = []
        self.context.route("**/*", self._answer)
        self.page: Page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error {error}"))

    def _answer(self, route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        elif request.resource_type == "image":
            self.images.append(request.url)
            route.fulfill(status=200, content_type="image/png", body=PICTURE)
        else:
            self.problems.append(f"request to {request.url}")
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(message.text)  # refusals of the policy are errors

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=list(WIDTHS))
def watched(request, browser, live_server):
    page = Watched(browser, live_server, request.param)
    yield page
    page.close()


def _fits(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
def test_item_page_with_feed_html(cast, watched):
    cast.article.content_html = FEED_HTML  # sanitised on save: the video becomes a link
    cast.article.save()
    page = watched.page
    sign_in(page, "bob")
    page.goto(f"/items/{cast.article.pk}/")
    expect(page.get_by_role("img", name="The new hall")).to_be_visible()
    video = page.get_by_role("link", name="YouTube video")
    expect(video).to_have_attribute("href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    video.scroll_into_view_if_needed()
    for image in page.locator(".item-content img").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert {urlsplit(url).hostname for url in watched.images} == {"cdn.example.com", "i.ytimg.com"}
    _fits(page)
    screenshot(page, f"policy-item-feed-html-{page.viewport_size['width']}")
    assert watched.problems == []


@pytest.mark.browser
def test_admin_item_form_widgets(cast, watched):
    Topic.objects.create(organisation=cast.nordlys, name="Hydro")
    page = watched.page
    sign_in(page, "alice")
    page.goto(f"/admin/content/item/{cast.article.pk}/change/")
    expect(page.get_by_role("heading", name="Change item")).to_be_visible()

    # The topic picker (filter_horizontal, SelectFilter2.js): choose "Hydro".
    page.locator("#id_topics_from").select_option(label="Hydro")
    page.locator("#id_topics_add").click()
    expect(page.locator("#id_topics_to option", has_text="Hydro")).to_have_count(1)
    # Date shortcuts (DateTimeShortcuts.js): "Now" fills the time.
    page.locator("#id_published_at_1").fill("")
    page.locator(".field-published_at .datetimeshortcuts a", has_text="Now").last.click()
    expect(page.locator("#id_published_at_1")).not_to_have_value("")
    # An inline share text added with "Add another" (inlines.js).
    rows = page.locator("#share_texts-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    page.get_by_role("button", name="Add another Suggested share text").click()
    expect(rows).to_have_count(before + 1)
    new_row = rows.nth(before)
    new_row.locator("select[name$='-language']").select_option("sv")
    new_row.locator("textarea[name$='-text']").fill("Vattenkraft i fjorden!")
    screenshot(page, f"policy-admin-item-{page.viewport_size['width']}")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    item = Item.objects.get(pk=cast.article.pk)
    assert set(item.topics.values_list("name", flat=True)) == {"Cloud", "Hydro"}
    assert item.share_texts.filter(language="sv", text="Vattenkraft i fjorden!").exists()
    assert watched.problems == []


@pytest.mark.browser
def test_api_docs(cast, watched):
    page = watched.page
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Budbringer")).to_be_visible()
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/clicks").first
    expect(operation).to_be_visible()
    operation.click()  # Swagger UI's own script opens it
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    screenshot(page, f"policy-api-docs-{page.viewport_size['width']}")
    assert watched.problems == []


@pytest.mark.browser
def test_dashboard(cast, watched):
    Activity(cast)
    page = watched.page
    sign_in(page, "alice")
    page.goto("/analytics/")
    for chart in ("participation-chart", "networks-chart", "items-chart"):
        expect(page.locator(f"#{chart}")).to_be_visible()
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{chart}'))")
    screenshot(page, f"policy-dashboard-{page.viewport_size['width']}")
    assert watched.problems == []
