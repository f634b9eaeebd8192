"""The errors an editor meets when a name or an address cannot be used, in Chromium at a
phone's and a laptop's width: the message next to the field, the input kept, nothing
wider than the screen. Screenshots in test-artifacts/ to look at."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import screenshot, sign_in
from tests.sources.feedserver import FeedServer, Reply

WIDTHS = {"phone": 390, "laptop": 1366}
CONTROL_CHARACTERS = (
    "Use one line of ordinary characters: no line breaks, tabs or control characters."
)
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def slow_site(settings):
    """A site advertising three feeds that each answer after longer than the deadline."""
    settings.FETCH_ALLOW = ["127.0.0.1"]
    settings.FETCH_TIMEOUT = 1
    with FeedServer() as server:
        links = "".join(
            f'<link rel="alternate" type="application/rss+xml" href="/news/feed-{n}.xml">'
            for n in range(3)
        )
        for n in range(3):
            server.route(f"/news/feed-{n}.xml", Reply(body=b"<rss/>", delay=3))
        server.route("/", body=f"<html><head>{links}</head></html>".encode(),
                     headers={"Content-Type": "text/html"})  # fmt: skip
        yield server.url("/")


@pytest.mark.browser
@pytest.mark.parametrize("device", WIDTHS)
def test_a_list_name_that_cannot_be_used(cast, new_context, device):
    page = new_context(viewport={"width": WIDTHS[device], "height": 800}).new_page()
    sign_in(page, "erik")
    page.goto("/editor/lists/")
    page.get_by_label("Name").fill("Customers\tNorway")
    page.get_by_role("button", name="Make the list").click()
    expect(page.get_by_text(CONTROL_CHARACTERS)).to_be_visible()
    assert not page.evaluate(OVERFLOWS)
    screenshot(page, f"name-control-characters-{device}")

    page.get_by_label("Name").fill("COMPANY BLOG")  # the same message as a lost race
    page.get_by_role("button", name="Make the list").click()
    expect(page.get_by_text("There is a list with this name already.")).to_be_visible()
    assert page.get_by_label("Name").input_value() == "COMPANY BLOG"
    assert not page.evaluate(OVERFLOWS)
    screenshot(page, f"name-taken-{device}")


@pytest.mark.browser
@pytest.mark.parametrize("device", WIDTHS)
def test_a_site_whose_feeds_answer_too_slowly(cast, new_context, slow_site, device):
    page = new_context(viewport={"width": WIDTHS[device], "height": 800}).new_page()
    sign_in(page, "erik")
    page.goto("/editor/sources/new/")
    page.get_by_label("Feed or website address").fill(slow_site)
    page.get_by_role("button", name="Find the feed").click()
    expect(page.get_by_text("answers too slowly")).to_be_visible()
    assert page.get_by_label("Feed or website address").input_value() == slow_site
    assert not page.evaluate(OVERFLOWS)
    screenshot(page, f"discovery-too-slow-{device}")
