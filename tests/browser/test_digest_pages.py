"""The digest pages people see, in Chromium on a phone and a desktop: the preferences page a
digest links to (where digests go needs a sign-in), its expired link, and the admins'
digests page with planned digests and with nothing at all. Nothing may be wider than the
screen."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from budbringer.accounts.models import Person
from budbringer.digests import tokens
from budbringer.digests.composition import compose_due
from budbringer.digests.delivery import deliver_due
from budbringer.digests.models import Digest, DigestStatus
from budbringer.digests.planning import plan_digests
from tests.browser.pages import screenshot, sign_in
from tests.digests.conftest import company_items
from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401

SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
WIDER_THAN_SCREEN = "document.documentElement.scrollWidth > window.innerWidth"


def sent_digest(person, composed_at=None) -> Digest:
    composed_at = composed_at or timezone.now() - dt.timedelta(hours=1)
    return Digest.objects.create(
        organisation=person.organisation, person=person, slot_at=composed_at,
        status=DigestStatus.READY, composed_at=composed_at,
    )  # fmt: skip


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_the_preferences_page_and_its_expired_link(cast, new_context, traffic, screen):
    Person.objects.filter(pk=cast.bob.pk).update(
        digest_channel="both", chat_webhook_url="https://hooks.slack.com/services/T/B/bob"
    )
    digest = sent_digest(cast.bob)
    page = new_context(viewport=SCREENS[screen]).new_page()
    page.goto(f"/d/preferences/{tokens.preferences_token(digest.pk)}")
    where = page.locator("#sign-in-to-change")
    expect(where).to_contain_text("Your digests come by: E-mail and chat.")
    expect(page.get_by_label("Digest cadence")).to_be_visible()
    assert page.locator("[name=chat_webhook_url]").count() == 0
    assert not page.evaluate(WIDER_THAN_SCREEN)
    screenshot(page, f"digest-preferences-{screen}")

    page.get_by_label("Digest cadence").select_option("daily")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your digest settings are saved.")

    with time_machine.travel(digest.composed_at + dt.timedelta(days=tokens.LINK_DAYS, hours=1)):
        page.goto(f"/d/preferences/{tokens.preferences_token(digest.pk)}")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "This settings link no longer works"
        )
        assert not page.evaluate(WIDER_THAN_SCREEN)
        screenshot(page, f"digest-preferences-expired-{screen}")

    # Where digests go: after signing in, on the settings page.
    page.goto(f"/d/preferences/{tokens.preferences_token(digest.pk)}")
    page.get_by_role("link", name="Sign in to change").click()
    expect(page.get_by_label("Work e-mail or user name")).to_be_visible()
    sign_in(page, "bob")
    page.goto("/settings/")
    expect(page.get_by_label("Chat webhook")).to_have_value(
        "https://hooks.slack.com/services/T/B/bob"
    )
    assert traffic.unexpected() == []


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS)
def test_the_digests_admin_page(cast, new_context, traffic, smtp, screen):
    Person.objects.filter(pk=cast.alice.pk).update(time_zone="America/New_York")
    page = new_context(viewport=SCREENS[screen]).new_page()
    sign_in(page, "alice")
    page.goto("/editor/digests/")
    expect(page.locator("#nothing-planned")).to_be_visible()
    expect(page.locator("#nothing-went-out")).to_have_text("No digest went out in the last 7 days.")
    expect(page.locator(".time-zone")).to_contain_text(
        "Times are in your time zone, America/New York."
    )
    assert not page.evaluate(WIDER_THAN_SCREEN)
    screenshot(page, f"digest-admin-empty-{screen}")

    company_items(cast.nordlys, 6)
    plan_digests()
    Digest.objects.filter(person__in=[cast.bob, cast.lena]).update(
        slot_at=timezone.now() - dt.timedelta(1)
    )
    compose_due()
    deliver_due()
    plan_digests()
    page.goto("/editor/digests/")
    planned = Digest.objects.filter(organisation=cast.nordlys, status=DigestStatus.PLANNED).count()
    expect(page.locator("[data-count=planned]")).to_have_text(str(planned))
    expect(page.locator("#upcoming tbody tr")).to_have_count(planned)
    expect(page.locator("#deliveries tbody tr")).to_have_count(2)
    assert not page.evaluate(WIDER_THAN_SCREEN)
    screenshot(page, f"digest-admin-{screen}")
    assert traffic.unexpected() == []
