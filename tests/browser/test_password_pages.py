"""The password pages in Chromium, on a phone and on a desktop: forgotten password (the
link from the sign-in page, the mail through a real SMTP server and the worker, the new
password), changing it from Settings, and the page a locked sign-in gets. Nothing is
wider than the screen; screenshots go to test-artifacts/ for people to look at."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.pages import screenshot
from tests.conftest import PASSWORD
from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401

NEW = "a new fjord in the morning"
NEW_PASSWORD = re.compile(r"^New password:?$")  # Django's label; not its confirmation
WIDTHS = [390, 1366]


def assert_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than the screen"


def look(page: Page, name: str) -> None:
    assert_fits_the_screen(page)
    screenshot(page, name)


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail or user name").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_a_forgotten_password_from_the_sign_in_page_to_a_new_one(
    cast, new_context, smtp, settings, live_server, width
):
    settings.BASE_URL = live_server.url  # the link in the mail leads to this server
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto("/accounts/login/")
    look(page, f"password-1-sign-in-{width}")
    page.get_by_role("link", name="Forgotten your password?").click()

    expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()
    page.get_by_role("button", name="Send the link").click()  # empty: the browser asks
    page.get_by_label("Your e-mail address").fill("bob@example.com")
    look(page, f"password-2-reset-form-{width}")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.get_by_text("It works once, for 60 minutes.")).to_be_visible()
    look(page, f"password-3-reset-done-{width}")

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    (mail,) = smtp.received
    mail_page = new_context(viewport={"width": width, "height": 900}).new_page()
    mail_page.set_content(mail.part("text/html"))
    look(mail_page, f"password-4-mail-{width}")
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.part("text/plain"))[0]

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    expect(page.get_by_text("For the account bob.")).to_be_visible()
    page.get_by_label(NEW_PASSWORD).fill(NEW)
    page.get_by_label("New password confirmation").fill("something else")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".errorlist")).to_be_visible()
    look(page, f"password-5-new-password-error-{width}")
    page.get_by_label(NEW_PASSWORD).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()
    look(page, f"password-6-reset-complete-{width}")

    page.goto(link)  # the same link again
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    look(page, f"password-7-link-used-{width}")

    sign_in(page, "bob", NEW)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_changing_the_password_from_settings(cast, new_context, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, "lena", PASSWORD)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    look(page, f"password-8-change-{width}")
    page.get_by_label("Old password").fill("not it")
    page.get_by_label(NEW_PASSWORD).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".errorlist")).to_be_visible()
    look(page, f"password-9-change-error-{width}")
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label(NEW_PASSWORD).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    look(page, f"password-10-changed-{width}")


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_lockout_page(cast, new_context, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    for n in range(5):
        sign_in(page, "bob", f"guess {n}")
    expect(page.get_by_role("heading", name="Too many wrong passwords")).to_be_visible()
    expect(page.get_by_text("Try again in 15 minutes.")).to_be_visible()
    look(page, f"password-11-locked-out-{width}")
    page.get_by_role("link", name="Set a new password").click()
    expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_too_many_reset_links_and_the_admins_sign_in(cast, new_context, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    for _ in range(4):
        page.goto("/accounts/password_reset/")
        page.get_by_label("Your e-mail address").fill("bob@example.com")
        page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("Too many links have been asked for")).to_be_visible()
    look(page, f"password-12-reset-throttled-{width}")

    page.goto("/admin/login/")
    page.get_by_role("link", name="Forgotten your login credentials?").click()
    expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()
