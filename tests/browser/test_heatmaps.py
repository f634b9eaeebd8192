"""Reachability heatmaps drawn by Chromium: the busiest hour in the accent colour, the rest
in lighter steps, in a light and a dark colour scheme (checked on the screenshot's pixels)."""

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from budbringer.timing.heatmap import CELL, LEFT
from budbringer.timing.models import GroupReachability, PersonReachability, Profile
from tests.browser.pages import screenshot, sign_in

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
WIDTH = LEFT + 24 * CELL  # the SVG's own width in px
ACCENT = {"light": (0x0B, 0x5F, 0x73), "dark": (0x5C, 0xC3, 0xD9)}  # app.css --accent


def profile(busiest: int) -> bytes:
    hours = np.arange(168)
    shares = 1 + 30 * np.exp(-(((hours % 24) - 10) ** 2) / 8) * (hours // 24 < 5)
    shares[busiest] = shares.max() * 2
    return Profile.pack(shares)


def chart_pixels(chart) -> Image.Image:
    """The chart as the screen shows it, from an element screenshot."""
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100, box
    return Image.open(io.BytesIO(chart.screenshot())).convert("RGB")


def assert_drawn(image: Image.Image, accent: tuple[int, int, int]) -> None:
    scale = image.width / WIDTH  # the chart shrinks to fit narrow columns
    colours = image.getcolors(maxcolors=100_000)
    assert colours, "no pixels"
    counts = {colour: count for count, colour in colours}
    # The busiest hour (one 14 x 14 cell) is filled with the accent colour.
    near_accent = sum(
        c for rgb, c in counts.items() if max(map(abs, np.subtract(rgb, accent))) <= 3
    )
    assert near_accent >= (14 * scale) ** 2 * 0.8, near_accent
    # Working hours stand out from the night: several distinct fill steps are drawn.
    big = [rgb for rgb, c in counts.items() if c >= 100]
    assert len(big) >= 5, big


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_own_heatmap_on_the_settings_page(cast, new_context, traffic, scheme):
    PersonReachability.objects.create(
        person=cast.bob, profile=profile(1 * 24 + 9), concentration=90, active_hours=80,
        fitted_at=NOW,
    )  # fmt: skip
    page = new_context().new_page()
    page.emulate_media(color_scheme=scheme)
    sign_in(page, "bob")
    page.goto("/settings/")
    chart = page.get_by_role("img", name="Your reachability over the week")
    assert_drawn(chart_pixels(chart), ACCENT[scheme])
    expect(page.locator("#reachability figcaption")).to_contain_text("Most reachable: Tuesday")
    screenshot(page, f"settings-heatmap-{scheme}")
    assert traffic.unexpected() == []


@pytest.mark.browser
def test_group_heatmaps_on_the_analytics_page(cast, new_context, traffic):
    for department, busiest, people in [(None, 10, 40), (cast.sales, 3 * 24 + 15, 8)]:
        GroupReachability.objects.create(
            organisation=cast.nordlys, department=department, profile=profile(busiest),
            concentration=100, people=people, fitted_at=NOW,
        )  # fmt: skip
    page = new_context().new_page()
    sign_in(page, "lena")
    page.goto("/analytics/")
    for name in ("Reachability of Nordlys Systems", "Reachability of Sales"):
        assert_drawn(chart_pixels(page.get_by_role("img", name=name)), ACCENT["light"])
    screenshot(page, "analytics-heatmaps")
    assert traffic.unexpected() == []
