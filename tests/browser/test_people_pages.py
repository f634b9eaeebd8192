"""The people pages in Chromium on a phone (390 px) and a laptop (1366 px): nothing wider
than the screen, the list with long names and addresses, its empty search, a person,
the invitation form, the departments and the invitation's own pages. The screenshots in
test-artifacts/ are for people to look at."""

import pytest
from playwright.sync_api import expect

from budbringer.accounts import invitations
from budbringer.accounts.provisioning import PersonDetails, deactivate_person, provision_person
from tests.browser.pages import screenshot, sign_in

WIDTHS = {"phone": 390, "laptop": 1366}


def look_at(page, name: str, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    screenshot(page, f"people-{name}")


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_people_pages(cast, new_context, traffic, device, live_server):
    width = WIDTHS[device]
    nina = provision_person(
        cast.nordlys,
        PersonDetails(
            "nina.kristiansen-halvorsen@subsidiary.nordlys.example.com",
            "Nina Kristiansen-Halvorsen",
            department="Customer success and onboarding",
            manager_email="lena@example.com",
        ),
    ).person
    deactivate_person(cast.sara)
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, "alice")
    page.goto("/people/")
    expect(page.get_by_role("link", name="Import from CSV")).to_be_visible()
    look_at(page, f"list-{device}", width)
    page.goto("/people/?q=nobody-here")
    expect(page.get_by_text("Nobody matches")).to_be_visible()
    look_at(page, f"list-empty-{device}", width)
    page.goto(f"/people/{nina.pk}/")
    look_at(page, f"person-{device}", width)
    page.goto(f"/people/{cast.sara.pk}/")
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    look_at(page, f"person-deactivated-{device}", width)
    page.goto("/people/invite/")
    look_at(page, f"invite-{device}", width)
    page.goto("/people/departments/")
    look_at(page, f"departments-{device}", width)
    page.goto(f"/people/departments/{cast.sales.pk}/")
    look_at(page, f"department-{device}", width)

    # The invitation's pages, for Nina, signed out.
    guest = new_context(viewport={"width": width, "height": 800}).new_page()
    link = invitations.invitation_link(nina).split("/accounts/", 1)[1]
    guest.goto(f"/accounts/{link}")
    expect(guest.get_by_role("heading", name="Choose your password")).to_be_visible()
    look_at(guest, f"invitation-password-{device}", width)
    guest.goto("/accounts/invitation/MQ/broken-link/")
    look_at(guest, f"invitation-broken-{device}", width)
