"""The demo's rollout pages in Chromium as its admin first sees them, on a phone (390 px)
and a laptop (1366 px): the checklist with single sign-on left as the next thing, the
people page with every status, and the sign-in settings with the connection saved but off."""

import pytest
from playwright.sync_api import Page, expect

from budbringer.demo.loader import DEMO_PASSWORD, load_demo
from tests.browser.pages import WIDTHS, look_at


@pytest.fixture
def demo(db):
    return load_demo()


def sign_in_as_admin(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail or user name").fill("admin")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.browser
def test_the_demo_admin_sees_checklist_people_and_sign_in_settings(demo, new_context):
    for device, width in WIDTHS.items():
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in_as_admin(page)

        page.goto("/start/")
        expect(
            page.get_by_text("An OpenID Connect connection is saved but off", exact=False)
        ).to_be_visible()
        look_at(page, f"demo-start-{device}")

        page.goto("/people/")
        expect(page.locator(".badge.status-active").first).to_be_visible()
        look_at(page, f"demo-people-{device}")
        page.get_by_label("Status").select_option("invited")
        page.get_by_role("button", name="Show").click()
        expect(page.locator(".badge.status-invited")).to_have_count(3)
        look_at(page, f"demo-people-invited-{device}")

        page.goto("/organisation/sign-in/")
        expect(page.get_by_text("Saved, but off: nobody signs in with it yet.")).to_be_visible()
        expect(page.get_by_label("Issuer URL")).to_have_value(
            "https://login.microsoftonline.com/your-tenant-id/v2.0"
        )
        look_at(page, f"demo-sign-in-settings-{device}")
        page.context.close()
