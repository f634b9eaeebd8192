"""The whole loop in a real browser: bob shares on LinkedIn, a reader follows his tracked
link to the article, and alice sees both in the analytics."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from budbringer.links.models import Click, TrackedLink
from tests.browser.pages import screenshot, sign_in, sign_out


@pytest.mark.browser
def test_employee_shares_on_linkedin_and_a_reader_clicks_through(
    cast, live_server, settings, new_context, outside, traffic
):
    settings.BASE_URL = live_server.url  # tracked links point at the live server
    article = urlsplit(cast.article.url)

    # 1. Bob signs in, finds the article under "For you" and shares it on LinkedIn.
    page = new_context().new_page()
    sign_in(page, "bob")
    page.get_by_role("link", name="For you").click()
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    screenshot(page, "for-you")
    page.get_by_role("link", name=cast.article.title).click()
    expect(page.get_by_role("heading", name=cast.article.title, level=1)).to_be_visible()
    screenshot(page, "item")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Share on LinkedIn").click()
    expect(popup.value.get_by_role("heading", name="LinkedIn (stub)")).to_be_visible()

    # 2. LinkedIn's share dialog got bob's words and his tracked link on this server.
    [intent] = outside.urls("www.linkedin.com")
    assert urlsplit(intent).path == "/feed/"
    [text] = parse_qs(urlsplit(intent).query)["text"]
    assert text.startswith("Our fjord data centres now run on hydro. ")
    short = re.search(re.escape(live_server.url) + r"/l/(\w+)$", text)
    assert short, text
    link = TrackedLink.objects.get(person=cast.bob, item=cast.article, network="linkedin")
    assert short.group(1) == link.code

    # 3. A reader (another browser, not signed in) follows it and lands on the article.
    headless = page.evaluate("navigator.userAgent")
    # HeadlessChrome is rightly counted as a bot; the reader is a person with Chrome.
    reader = new_context(user_agent=headless.replace("HeadlessChrome", "Chrome")).new_page()
    reader.goto(short.group(0))
    expect(reader.get_by_role("heading", name="Nordlys blog (stub)")).to_be_visible()
    landed = urlsplit(reader.url)
    assert (landed.scheme, landed.hostname, landed.path) == (
        article.scheme,
        article.hostname,
        article.path,
    )
    assert parse_qs(landed.query) == {
        "utm_source": ["linkedin"],
        "utm_medium": ["social"],
        "utm_campaign": ["budbringer"],
    }
    assert Click.objects.get(link=link).kind == "pending"

    # 4. Alice, the admin, sees the share and the click, and bob has shared now.
    sign_out(page)
    sign_in(page, "alice")
    page.get_by_role("link", name="Analytics").click()
    # The click waits for the counting pass: shown as left out until then, never as counted.
    expect(page.locator('#networks tr[data-network="linkedin"] td')).to_have_text(
        ["LinkedIn", "1", "0", "0", "300", "0.0%"]
    )
    expect(page.locator('#left-out tr[data-kind="pending"] td')).to_have_text(
        ["not yet counted", "1"]
    )
    # Who never shared, named for the department chosen: erik, no longer bob.
    page.get_by_label("Department").select_option(label="Engineering")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#never-shared")).to_have_text("1 person in Engineering has never shared")
    names = page.locator("#never-shared + p.names")
    expect(names).to_have_text(cast.erik.name)
    screenshot(page, "analytics")
    page.emulate_media(color_scheme="dark")
    screenshot(page, "analytics-dark")

    assert traffic.unexpected() == []
