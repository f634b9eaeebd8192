"""Passkeys in real Chromium with a CDP virtual authenticator (CTAP2, resident keys, user
verification): added on the security settings page, then used after the password to sign
in; a passkey of another person is refused; the policy holds an editor on the page until
they have one. WebAuthn needs a domain as its relying party, so these pages are opened on
http://localhost:<port> (a secure context), not 127.0.0.1. Screenshots go to
test-artifacts/ (and /tmp/shots-mfa when it exists) at a phone's and a laptop's width."""

import shutil
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from budbringer.mfa import policy, totp
from budbringer.mfa.models import Passkey
from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS, require_program
from tests.browser.pages import screenshot
from tests.conftest import PASSWORD, chromium_path

WIDTHS = [390, 1366]
SHOTS = Path("/tmp/shots-mfa")


@pytest.fixture(scope="module")
def chromium():
    executable = require_program(chromium_path(), "Chromium (apt-get install chromium)")
    # Only the live server: localhost to 127.0.0.1, every other name to nothing.
    rules = "MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"]
        )
        yield launched
        launched.close()


@pytest.fixture
def site(live_server, settings):
    """The live server as localhost, and BASE_URL (our relying party and origin) with it."""
    url = live_server.url.replace("127.0.0.1", "localhost")
    settings.BASE_URL = url
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    return url


@pytest.fixture
def open_page(chromium, site):
    contexts = []

    def _open(width: int) -> Page:
        context = chromium.new_context(base_url=site, viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: seen.append(request.url))
        return page

    seen: list[str] = []
    yield _open
    for context in contexts:
        context.close()
    assert all(url.startswith(site) for url in seen), [u for u in seen if not u.startswith(site)]


def virtual_authenticator(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def look(page: Page, name: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: {overflow} px wider than the screen"
    path = screenshot(page, f"mfa-{name}-{width}")
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)


def password_step(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    # Two steps: who you are, then the password (sso.discovery sends others to their IdP).
    page.get_by_label("Work e-mail or user name").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def add_passkey(page: Page, name: str) -> None:
    page.goto("/settings/security/")
    page.get_by_label("A name for this passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey is added.")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_add_a_passkey_then_sign_in_with_password_and_passkey(cast, open_page, width):
    page = open_page(width)
    virtual_authenticator(page)
    password_step(page, "bob")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/settings/security/")
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    look(page, "1-settings-none", width)

    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("#totp-secret").inner_text()
    expect(page.locator(".qr svg")).to_be_visible()
    look(page, "2-settings-totp-setup", width)
    page.get_by_label("The six-digit code your app shows").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Your authenticator app is set up.")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    look(page, "3-settings-totp-done", width)

    add_passkey(page, "Bob's laptop")
    expect(page.locator("#passkeys li")).to_have_count(1)
    look(page, "4-settings-passkey-added", width)

    page.get_by_role("button", name="Sign out").click()
    password_step(page, "bob")
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    look(page, "5-verify", width)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url.endswith("/for-you/")
    passkey = Passkey.objects.get(user=cast.bob.user)
    assert passkey.last_used_at is not None and passkey.sign_count > 0

    page.goto("/organisation/security/")
    assert page.locator("h1").inner_text() != "Sign-in policy"  # bob is no admin (403)


HOSTILE_SIGN_IN = """async () => {
  const form = document.querySelector("form");  // the code form: its CSRF token will do
  const answer = await post("/accounts/login/verify/passkey/options/", form);
  const publicKey = JSON.parse(answer.options);
  publicKey.challenge = toBytes(publicKey.challenge);
  publicKey.allowCredentials = [];  // any passkey on this device: bob's
  const credential = await navigator.credentials.get({ publicKey });
  const body = new FormData(form);
  body.set("credential", credentialJSON(credential));
  const response = await fetch("/accounts/login/verify/passkey/", { method: "POST", body });
  return [response.status, await response.json()];
}"""


@pytest.mark.browser
def test_a_passkey_of_someone_else_is_refused(cast, open_page):
    page = open_page(1366)
    virtual_authenticator(page)
    password_step(page, "bob")
    add_passkey(page, "Bob's laptop")
    page.get_by_role("button", name="Sign out").click()

    device = totp.start_setup(cast.alice.user)
    totp.confirm(device, pyotp.TOTP(device.secret).now())
    password_step(page, "alice")
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    status, answer = page.evaluate(HOSTILE_SIGN_IN)
    assert status == 400 and "not accepted" in answer["error"]
    page.goto("/for-you/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # still signed out


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
def test_the_policy_has_an_editor_add_a_passkey_first(cast, open_page, width):
    admin = open_page(width)
    password_step(admin, "alice")
    admin.goto("/organisation/security/")
    look(admin, "6-policy", width)
    admin.get_by_label("Require a second factor for admins and editors").check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The sign-in policy is saved.")).to_be_visible()
    assert policy.must_have_second_factor(cast.erik)

    page = open_page(width)
    virtual_authenticator(page)
    password_step(page, "erik")
    expect(page.locator("#must-enrol")).to_be_visible()
    look(page, "7-settings-required", width)
    page.goto("/editor/items/")
    expect(page.locator("#must-enrol")).to_be_visible()  # cannot skip it
    add_passkey(page, "Erik's phone")
    page.goto("/editor/items/")
    expect(page.locator("#must-enrol")).to_have_count(0)
    assert page.url.endswith("/editor/items/")
