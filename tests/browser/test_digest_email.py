"""The digest e-mail drawn by Chromium: every title and share button visible and legible, in
light and dark colour schemes, on a desktop and on a phone, with and without its <style>
block and its images. The HTML is loaded with ``set_content``: no server, and every request
it makes is answered or refused inside the test (nothing leaves the machine)."""

import io
import re
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect

from budbringer.digests.rendering import render_html
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.pages import screenshot
from tests.browser.test_item_page_dark import contrast, luminance
from tests.digests.test_rendering import make_content, make_entry

DESKTOP, PHONE = 1024, 375
BUTTON = {"light": (0x0B, 0x5F, 0x73), "dark": (0x5C, 0xC3, 0xD9)}  # the templates' button colours

# The first non-transparent background behind an element: what its text is read against.
BACKGROUND_BEHIND = """element => {
  for (let node = element; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
  }
  return "rgb(255, 255, 255)";
}"""
# Where an element is on the full page (a full-page screenshot's coordinates).
PAGE_BOX = """element => {
  const r = element.getBoundingClientRect();
  return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};
}"""

OpenMail = Callable[..., Page]


@pytest.fixture
def open_mail(browser: Browser):
    """Show HTML in a fresh context; ``images`` maps URLs to PNG bytes, all else is refused."""
    contexts = []
    requested: list[str] = []

    def _open(html: str, *, width: int, scheme: str = "light", images=None) -> Page:
        images = images or {}
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)

        def answer(route: Route) -> None:
            requested.append(route.request.url)
            if route.request.url in images:
                route.fulfill(status=200, content_type="image/png", body=images[route.request.url])
            else:
                route.abort("blockedbyclient")

        context.route("**/*", answer)
        page = context.new_page()
        page.emulate_media(color_scheme=scheme)
        page.set_content(html, wait_until="load")
        return page

    yield _open
    for context in contexts:
        context.close()
    # Only the images a test serves itself may even be asked for.
    assert all(url.startswith("https://images.example.com/") for url in requested), requested


def assert_fits(page: Page, element, width: int, what: str) -> None:
    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, (what, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (what, box, width)


def assert_legible(element, what: str) -> None:
    colour = element.evaluate("e => getComputedStyle(e).color")
    background = element.evaluate(BACKGROUND_BEHIND)
    assert contrast(colour, background) >= 4.5, (what, colour, background)  # WCAG AA


def share_of_pixels(image: Image.Image, box: dict, colour: tuple[int, int, int]) -> float:
    """How much of ``box`` (inset past the rounded corners) is drawn in ``colour``."""
    left, top = round(box["x"]) + 3, round(box["y"]) + 3
    right, bottom = round(box["x"] + box["width"]) - 3, round(box["y"] + box["height"]) - 3
    pixels = np.asarray(image.crop((left, top, right, bottom)), dtype=int)
    close = (np.abs(pixels - np.array(colour)) <= 8).all(axis=-1)
    return float(close.mean())


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_entry_and_share_button_is_shown_and_legible(open_mail, scheme, width):
    content = make_content()
    page = open_mail(render_html(content), width=width, scheme=scheme)

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if scheme == "dark":
        assert luminance(background) < 0.05, background
    else:
        assert luminance(background) > 0.8, background
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.locator(".preheader")).to_be_hidden()

    titles = page.locator("a.title-link")
    expect(titles).to_have_text([entry.title for entry in content.entries])
    cards = page.locator(".card")
    for entry, title, card in zip(content.entries, titles.all(), cards.all(), strict=True):
        assert title.get_attribute("href") == entry.url
        assert_fits(page, title, width, entry.title)
        assert_legible(title, entry.title)
        expect(card).to_contain_text(f"Why: {entry.reason}")
        assert_legible(card.locator("p.muted").first, "source")

    shares = [share for entry in content.entries for share in entry.shares]
    buttons = page.locator("a.button")
    expect(buttons).to_have_text([share.label for share in shares])
    for share, button in zip(shares, buttons.all(), strict=True):
        assert button.get_attribute("href") == share.url
        assert_fits(page, button, width, share.url)
        assert_legible(button, share.url)
    for link in (page.get_by_role("link", name="Change what you get"),
                 page.get_by_role("link", name="Unsubscribe")):  # fmt: skip
        assert_fits(page, link, width, "footer")
        assert_legible(link, "footer")

    # The buttons are really drawn: their areas are the button colour on the screenshot.
    path = screenshot(page, f"digest-email-{scheme}-{'desktop' if width == DESKTOP else 'phone'}")
    image = Image.open(path).convert("RGB")
    for share, button in zip(shares, buttons.all(), strict=True):
        drawn = share_of_pixels(image, button.evaluate(PAGE_BOX), BUTTON[scheme])
        assert drawn > 0.5, (share.url, drawn)


@pytest.mark.browser
def test_phone_buttons_are_full_width_taps(open_mail):
    page = open_mail(render_html(make_content()), width=PHONE)
    card_width = page.locator(".card-body").first.bounding_box()["width"]
    for button in page.locator("a.button").all():
        assert button.bounding_box()["width"] > card_width * 0.8


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_without_its_style_block_the_mail_still_fits_a_phone(open_mail, scheme):
    """Clients that drop <style> (and its media queries) get the inline light colours."""
    content = make_content()
    html = re.sub(r"<style>.*?</style>", "", render_html(content), flags=re.DOTALL)
    assert "@media" not in html
    page = open_mail(html, width=PHONE, scheme=scheme)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    for title in page.locator("a.title-link").all():
        assert_fits(page, title, PHONE, "title")
        assert_legible(title, "title")
    buttons = page.locator("a.button")
    expect(buttons).to_have_count(sum(len(entry.shares) for entry in content.entries))
    for button in buttons.all():
        assert_fits(page, button, PHONE, "button")
        assert_legible(button, "button")
    path = screenshot(page, f"digest-email-no-style-{scheme}-phone")
    image = Image.open(path).convert("RGB")
    for button in buttons.all():
        assert share_of_pixels(image, button.evaluate(PAGE_BOX), BUTTON["light"]) > 0.5


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (598, 314), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.parametrize("shown", [True, False], ids=["images-shown", "images-blocked"])
def test_the_mail_reads_with_and_without_images(open_mail, shown):
    image_url = "https://images.example.com/fjord.png"
    entries = (make_entry(1, image_url=image_url), make_entry(2))
    content = make_content(entries=entries)
    red = (200, 30, 40)
    images = {image_url: png(red)} if shown else {}
    page = open_mail(render_html(content), width=PHONE, images=images)

    picture = page.locator("img.image")
    expect(picture).to_have_attribute("alt", entries[0].title)
    box = picture.bounding_box()
    # The width and height attributes keep the picture's place (and its alt text) either way.
    assert box and 0 < box["width"] <= PHONE and box["height"] > 100, box
    loaded = picture.evaluate("img => img.complete && img.naturalWidth > 0")
    assert loaded is shown
    for title in page.locator("a.title-link").all():
        assert_fits(page, title, PHONE, "title")
    expect(page.locator("a.button")).to_have_count(6)

    path = screenshot(page, f"digest-email-{'images-shown' if shown else 'images-blocked'}")
    drawn = share_of_pixels(Image.open(path).convert("RGB"), picture.evaluate(PAGE_BOX), red)
    assert (drawn > 0.9) if shown else (drawn == 0), drawn
