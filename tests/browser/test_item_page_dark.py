"""The item page in a dark colour scheme: dark colours, every share button shown and legible."""

import re

import pytest
from playwright.sync_api import expect

from budbringer.sharing.networks import NETWORKS
from tests.browser.pages import screenshot, sign_in


def luminance(css_colour: str) -> float:
    """Relative luminance (WCAG 2) of an ``rgb(r, g, b)`` computed colour."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.browser
def test_item_page_in_dark_mode_shows_every_share_button(cast, new_context, traffic):
    page = new_context().new_page()
    page.emulate_media(color_scheme="dark")
    sign_in(page, "bob")
    page.goto(f"/items/{cast.article.pk}/")
    expect(page.get_by_role("heading", name=cast.article.title, level=1)).to_be_visible()

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert luminance(background) < 0.05, background

    buttons = page.locator("#share-form button.network")
    expect(buttons).to_have_count(len(NETWORKS))
    for network, button in zip(NETWORKS.values(), buttons.all(), strict=True):
        expect(button).to_have_text(f"Share on {network.label}")
        box = button.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, network.slug
        colours = button.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert contrast(*colours) >= 4.5, (network.slug, colours)  # WCAG AA for text
    screenshot(page, "item-dark")

    assert traffic.unexpected() == []
