"""/organisation/ in Chromium as its admin uses it, on a phone (390 px) and a laptop
(1366 px): choose the defaults for new people and see them saved; leave out a required
answer and see why, with the rest of what was typed still there; add an e-mail domain,
be refused a malformed one and one another organisation owns, remove one."""

import pytest
from playwright.sync_api import expect

from budbringer.accounts.models import EmailDomain
from tests.browser.pages import WIDTHS, look_at, sign_in


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_organisation_settings_and_domains(cast, new_context, device):
    width = WIDTHS[device]
    EmailDomain.objects.create(organisation=cast.havn, domain="havn.example")
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, "alice")
    page.goto("/organisation/")
    expect(page.get_by_role("heading", name="Nordlys Systems")).to_be_visible()
    expect(page.get_by_text("No e-mail domains yet.")).to_be_visible()
    look_at(page, f"organisation-fresh-{device}")

    # The defaults for new people, saved.
    page.get_by_label("English").check()
    page.get_by_label("Time zone").select_option("Europe/Oslo")
    page.get_by_label("Digests for new people").select_option("weekly")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The organisation's settings are saved.")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Oslo")
    cast.nordlys.refresh_from_db()
    assert (cast.nordlys.languages, cast.nordlys.time_zone) == (["en"], "Europe/Oslo")
    assert cast.nordlys.digest_cadence == "weekly"
    look_at(page, f"organisation-saved-{device}")

    # No language at all: refused, saying so, and the new name and zone are still typed in.
    page.get_by_label("Organisation name").fill("Nordlys Systems AS")
    page.get_by_label("English").uncheck()
    page.get_by_label("Time zone").select_option("Europe/Stockholm")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#defaults .errorlist")).to_have_text("Choose at least one language.")
    expect(page.get_by_label("Organisation name")).to_have_value("Nordlys Systems AS")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Stockholm")
    cast.nordlys.refresh_from_db()
    assert cast.nordlys.name == "Nordlys Systems" and cast.nordlys.time_zone == "Europe/Oslo"
    look_at(page, f"organisation-settings-error-{device}")

    # E-mail domains: a malformed one is refused with the reason and stays in the field.
    page.goto("/organisation/")
    page.get_by_label("E-mail domain").fill("nordlys example")
    page.get_by_role("button", name="Add the domain").click()
    # On a phone the section is far down the page: the answer scrolls to it.
    expect(page.locator("#domains .errorlist")).to_contain_text("is not an e-mail domain")
    expect(page.locator("#domains .errorlist")).to_be_in_viewport()
    expect(page.get_by_label("E-mail domain")).to_have_value("nordlys example")
    look_at(page, f"organisation-domain-error-{device}")
    page.get_by_label("E-mail domain").fill("havn.example")
    page.get_by_role("button", name="Add the domain").click()
    expect(page.locator("#domains .errorlist")).to_contain_text("another organisation")
    assert not EmailDomain.objects.filter(organisation=cast.nordlys).exists()

    for domain in ("nordlys.example", "subsidiary.nordlys-systems-international.example"):
        page.get_by_label("E-mail domain").fill(domain)
        page.get_by_role("button", name="Add the domain").click()
        expect(page.locator("#domains").get_by_text(f"{domain} is added.")).to_be_in_viewport()
    look_at(page, f"organisation-domains-{device}")
    page.get_by_role("button", name="Remove nordlys.example").click()
    expect(page.locator("#domains").get_by_text("nordlys.example is removed.")).to_be_in_viewport()
    assert list(
        EmailDomain.objects.filter(organisation=cast.nordlys).values_list("domain", flat=True)
    ) == ["subsidiary.nordlys-systems-international.example"]
    look_at(page, f"organisation-domain-removed-{device}")

    # Where sign-in is set up, from the section about it.
    for name in ("Single sign-on (OpenID Connect)", "Single sign-on (SAML)"):
        page.goto("/organisation/")
        page.locator("#sign-in").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.url.split("/", 3)[3].startswith("organisation/sign-in/")
