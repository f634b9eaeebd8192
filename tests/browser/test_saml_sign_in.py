"""Signing in with SAML 2.0 in Chromium: an admin connects pysaml2's IdP (tests/sso/saml/
idp.py, served on 127.0.0.1) on the SAML page, the IdP trusts our metadata URL, and a
person goes from the work e-mail on our sign-in page to the IdP's sign-on page and back,
signed in and provisioned just in time with department and role from the attributes.

Both servers are on 127.0.0.1 (other ports), so the IdP's POST back is same-site here and
the request cookie (SameSite=Lax over http) travels with it; on https it is SameSite=None.
"""

from urllib.request import urlopen

import pytest
from playwright.sync_api import Page, expect

from budbringer.accounts.models import EmailDomain, Person
from budbringer.accounts.roles import Role
from budbringer.sso.models import SamlConnection
from tests.browser.pages import look_at, sign_in
from tests.sso.saml.idp import TestIdP, serve

PHONE = {"width": 390, "height": 900}
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def idp(tmp_path, settings, live_server):
    settings.BASE_URL = live_server.url  # our entity id and ACS URL are the live server's
    idp = TestIdP(folder=tmp_path)
    server = serve(idp)
    yield idp
    server.shutdown()
    server.server_close()


def both_widths(page: Page, name: str) -> None:
    for label, size in [("390", PHONE), ("1366", LAPTOP)]:
        page.set_viewport_size(size)
        # Long URLs and the file field wrap instead of widening the page.
        look_at(page, f"{name}-{label}")
    page.set_viewport_size(PHONE)


def connect_on_the_admin_page(new_context, cast, idp: TestIdP) -> None:
    """What an admin does: paste the IdP's metadata and the mapping, enable, save; then
    the IdP's admin gives the IdP our metadata URL."""
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, "alice")
    page.goto("/organisation/sign-in/")
    page.get_by_role("link", name="SAML settings").click()
    expect(page.get_by_text("Not connected yet.")).to_be_visible()
    expect(page.locator("#no-domains")).to_be_visible()
    both_widths(page, "saml-1-admin-empty")
    EmailDomain.objects.create(organisation=cast.nordlys, domain="nordlys.example")
    page.reload()
    expect(page.locator("#no-domains")).to_have_count(0)

    page.get_by_label("Identity provider metadata (XML)").fill(idp.metadata())
    page.get_by_label("People may sign in with SAML").check()
    page.get_by_label("Name attribute").fill("fullName")
    page.get_by_label("Department attribute").fill("department")
    page.get_by_label("Groups attribute").fill("groups")
    page.get_by_label("Roles by group").fill("comms = editor\nsellers = sales")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("The SAML settings are saved.")).to_be_visible()
    expect(page.get_by_text("People may sign in with it.")).to_be_visible()
    expect(page.locator("#provider")).to_contain_text(idp.entity_id)
    both_widths(page, "saml-2-admin-configured")
    metadata_url = page.locator("#saml-metadata-url").text_content()
    page.close()

    with urlopen(metadata_url) as response:  # noqa: S310 (the live server)
        idp.trust(response.read().decode())


def sign_in_at_the_idp(page: Page, idp: TestIdP, work_email: str, idp_account: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail or user name").fill(work_email)
    page.get_by_role("button", name="Continue").click()
    # The IdP's page: our AuthnRequest arrived by the HTTP-Redirect binding.
    expect(page).to_have_title("Test IdP")
    assert page.url.startswith(idp.sso_url + "?SAMLRequest=")
    page.get_by_label("E-mail").fill(idp_account)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_work_email_to_the_idp_and_back_signed_in(new_context, cast, idp, traffic):
    connect_on_the_admin_page(new_context, cast, idp)
    idp.people["nora@nordlys.example"] = {
        "fullName": ["Nora Berg"],
        "department": ["Communications"],
        "groups": ["comms", "everyone"],
    }

    page = new_context(viewport=PHONE).new_page()
    sign_in_at_the_idp(page, idp, "nora@nordlys.example", "nora@nordlys.example")

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    nora = Person.objects.select_related("department", "user").get(
        user__username="nora@nordlys.example"
    )
    assert nora.organisation == cast.nordlys
    assert nora.name == "Nora Berg"
    assert nora.department.name == "Communications"
    assert nora.role == Role.EDITOR
    both_widths(page, "saml-3-signed-in")

    # The way there and back: the sign-in page, our start, the IdP, and its POST to the ACS.
    acs = "/sso/saml/nordlys/acs/"
    assert any(url.startswith(idp.sso_url + "?SAMLRequest=") for url in traffic.urls)
    assert any(url.endswith(acs) for url in traffic.urls)
    assert SamlConnection.objects.get(organisation=cast.nordlys).enabled


@pytest.mark.browser
def test_an_idp_account_outside_the_domains_gets_a_clear_refusal(new_context, cast, idp):
    connect_on_the_admin_page(new_context, cast, idp)
    page = new_context(viewport=PHONE).new_page()
    # The IdP vouches for an address of a domain this organisation does not have.
    sign_in_at_the_idp(page, idp, "nora@nordlys.example", "nora@nordlys-old.example")

    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    expect(page.locator(".refusal")).to_have_text(
        "nora@nordlys-old.example is not an address of this organisation's domains."
    )
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert not Person.objects.filter(user__username="nora@nordlys-old.example").exists()
    both_widths(page, "saml-4-refused")

    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_label("Work e-mail or user name")).to_be_visible()
