"""Signing in with the company account in Chromium: the work e-mail on our sign-in page,
the real OpenID provider's login page (oidc-provider on 127.0.0.1), and back signed in,
provisioned just in time with department and role from groups."""

import pytest
from playwright.sync_api import expect

from budbringer.accounts.models import Person
from budbringer.accounts.roles import Role
from tests.browser.pages import screenshot
from tests.sso.conftest import connect, start_provider


@pytest.mark.browser
def test_work_email_to_the_provider_and_back_signed_in(
    new_context, live_server, settings, cast, tmp_path, traffic
):
    settings.BASE_URL = live_server.url
    settings.FETCH_ALLOW = ["127.0.0.1"]
    provider = start_provider(tmp_path, [live_server.url + "/sso/oidc/callback/"])
    try:
        provider.add_account(
            "nina",
            email="nina@nordlys.example",
            email_verified=True,
            name="Nina Berg",
            groups=["bb-admins"],
            department="Marketing",
        )
        connect(cast.nordlys, provider.issuer)
        context = new_context(viewport={"width": 390, "height": 900})
        # oidc-provider's development login page imports a Google font: never fetched.
        context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
        page = context.new_page()
        page.goto("/accounts/login/")
        screenshot(page, "oidc-1-sign-in-390")
        page.get_by_label("Work e-mail or user name").fill("nina@nordlys.example")
        page.get_by_role("button", name="Continue").click()

        page.locator("input[name=login]").fill("nina")
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()

        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        nina = Person.objects.get(user__username="nina@nordlys.example")
        assert nina.role == Role.ADMIN
        assert nina.department.name == "Marketing"
        page.goto("/organisation/sign-in/")
        screenshot(page, "oidc-2-admin-390")
        traffic.urls = [u for u in traffic.urls if "fonts.googleapis.com" not in u]
    finally:
        provider.process.terminate()
