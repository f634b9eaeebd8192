"""/start/ in Chromium for the first admin of a new organisation, on a phone (390 px)
and a laptop (1366 px): nothing done, every step's link opens a page that exists, and
after the defaults and a domain are set, those steps are done and the next one is named."""

import pytest
from playwright.sync_api import expect

from budbringer.accounts.models import Organisation, Role
from tests.browser.pages import WIDTHS, look_at, sign_in
from tests.conftest import make_person


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_checklist_of_a_new_organisation(db, new_context, device):
    width = WIDTHS[device]
    fjell = Organisation.objects.create(name="Fjell Energi", slug="fjell-energi")
    make_person(fjell, "frida", Role.ADMIN)
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, "frida")
    # The first admin of an organisation nobody else is in yet lands here.
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    expect(page.locator("#progress")).to_have_text("0 of 6 done. Next: Languages and time zone.")
    assert page.locator(".badge", has_text="To do").count() == 6
    look_at(page, f"start-nothing-done-{device}")

    links = page.locator("ol.checklist .links a")
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href"))
               for i in range(links.count())]  # fmt: skip
    assert len(targets) >= 6
    for label, href in targets:
        path, _, fragment = href.partition("#")
        response = page.goto(path)
        assert response.status == 200, (label, href, response.status)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if fragment:  # the section the link points at is on that page
            expect(page.locator(f"#{fragment}")).to_be_visible()

    # Two steps done on the organisation page.
    page.goto("/start/")
    page.locator("#step-defaults").get_by_role("link", name="Organisation settings").click()
    page.get_by_label("English").check()
    page.get_by_label("Time zone").select_option("Europe/Oslo")
    page.get_by_label("Digests for new people").select_option("daily")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The organisation's settings are saved.")).to_be_visible()
    page.get_by_label("E-mail domain").fill("fjell-energi.example")
    page.get_by_role("button", name="Add the domain").click()
    expect(page.get_by_text("fjell-energi.example is added.")).to_be_visible()

    page.goto("/start/")
    expect(page.locator("#progress")).to_have_text("3 of 6 done. Next: Sign-in method.")
    for key in ("defaults", "domains", "digests"):
        expect(page.locator(f"#step-{key} .badge")).to_have_text("Done")
    expect(page.locator("#step-sign_in.next .badge")).to_have_text("To do")
    look_at(page, f"start-some-done-{device}")
