"""The sign-in in Chromium, on a phone (390 px) and a laptop (1366 px): the address first,
then the password. A wrong password, an organisation that requires single sign-on, and
``/login/<slug>`` of an organisation without it each get a page that says what to do."""

import re

import pytest
from playwright.sync_api import Page, expect

from budbringer.sso.models import OidcConnection, SignInPolicy
from tests.browser.pages import WIDTHS, look_at
from tests.conftest import PASSWORD


def give_address(page: Page, who: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail or user name").fill(who)
    page.get_by_role("button", name="Continue").click()


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_a_wrong_password_is_refused_and_the_right_one_signs_in(cast, new_context, device):
    page = new_context(viewport={"width": WIDTHS[device], "height": 800}).new_page()
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    look_at(page, f"sign-in-1-address-{device}")

    give_address(page, "bob")
    # The password is asked for next.
    expect(page.get_by_label("Password")).to_be_visible()
    look_at(page, f"sign-in-2-password-{device}")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile("this password do not match"))).to_be_visible()
    # The second step names the field as the first did.
    expect(page.get_by_label("Work e-mail or user name")).to_have_value("bob")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    look_at(page, f"sign-in-3-wrong-password-{device}")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_an_organisation_that_requires_single_sign_on_refuses_passwords(cast, new_context, device):
    SignInPolicy.objects.create(organisation=cast.nordlys, require_sso=True)
    OidcConnection.objects.create(
        organisation=cast.nordlys,
        issuer="https://login.nordlys.example",
        client_id="budbringer",
        enabled=True,
    )
    page = new_context(viewport={"width": WIDTHS[device], "height": 800}).new_page()
    give_address(page, "bob")
    page.get_by_label("Password").fill(PASSWORD)  # the right one, all the same
    page.get_by_role("button", name="Sign in").click()

    expect(
        page.get_by_text(
            "Your organisation signs you in with its single sign-on, not a password here."
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # The right password showed who it is: their company's sign-in is offered.
    company = page.get_by_role("link", name="Sign in with your company account")
    expect(company).to_have_attribute("href", "/sso/oidc/start/nordlys/")
    look_at(page, f"sign-in-sso-required-{device}")


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_sign_in_link_of_an_organisation_without_single_sign_on(cast, new_context, device):
    page = new_context(viewport={"width": WIDTHS[device], "height": 800}).new_page()
    response = page.goto("/login/havn")

    assert response.status == 404
    expect(
        page.get_by_text("There is no single sign-on at this address.", exact=False)
    ).to_be_visible()
    look_at(page, f"sign-in-no-sso-{device}")
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_label("Work e-mail or user name")).to_be_visible()
