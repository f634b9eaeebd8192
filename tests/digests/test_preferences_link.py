"""The preferences link in a digest acts without a sign-in, so it may change what comes and
when, never where it goes, and only for LINK_DAYS after its digest; the unsubscribe link
(and the List-Unsubscribe header) keeps working for every digest ever sent."""

import base64
import datetime as dt
import hashlib
import hmac
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import dateformat, timezone, translation

from budbringer.accounts.models import Person
from budbringer.digests import tokens
from budbringer.digests.composition import compose_due
from budbringer.digests.delivery import deliver_due
from budbringer.digests.models import Digest, DigestStatus
from budbringer.digests.planning import plan_digests

BOBS_WEBHOOK = "https://hooks.slack.com/services/T0/B0/bobs-own-secret"
STRANGERS_WEBHOOK = "https://hooks.slack.com/services/T9/B9/a-strangers-hook"
HARMLESS = {"interface_language": "en", "digest_cadence": "daily", "send_days": ["1", "2"],
            "digest_max_items": "3", "quiet_from": "20:00", "quiet_until": "08:00"}  # fmt: skip


def first_format_token(purpose: str, person_id: int) -> str:
    """A preferences or unsubscribe token as the first releases made them, naming only the
    person, written out here so that it stays what is in people's mailboxes."""
    key = hashlib.sha256(f"budbringer.digests.{purpose}:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.digest(key, str(person_id).encode(), "sha256")[:16]
    return f"{person_id}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def sent_digest(person, composed_at: dt.datetime | None = None) -> Digest:
    composed_at = composed_at or timezone.now() - dt.timedelta(hours=1)
    return Digest.objects.create(
        organisation=person.organisation, person=person, slot_at=composed_at,
        status=DigestStatus.READY, composed_at=composed_at,
    )  # fmt: skip


def preferences_path(digest: Digest) -> str:
    return f"/d/preferences/{tokens.preferences_token(digest.pk)}"


def bob_now(cast) -> Person:
    return Person.objects.get(pk=cast.bob.pk)


@pytest.fixture
def bob_in_chat(cast):
    Person.objects.filter(pk=cast.bob.pk).update(
        digest_channel="chat", chat_webhook_url=BOBS_WEBHOOK
    )
    return bob_now(cast)


def test_the_page_from_a_digest_changes_what_and_when_but_not_where(cast, client, bob_in_chat):
    path = preferences_path(sent_digest(bob_in_chat))
    page = client.get(path).content.decode()
    assert "Chat (Slack or Teams)" in page  # where digests go now, to read only
    assert 'href="/settings/"' in page and "Sign in to change" in page
    assert BOBS_WEBHOOK not in page  # the webhook is a secret of its own
    assert 'name="digest_channel"' not in page and 'name="chat_webhook_url"' not in page
    # What a stranger holding a forwarded digest would send to get the next digests.
    response = client.post(
        path, {**HARMLESS, "digest_channel": "both", "chat_webhook_url": STRANGERS_WEBHOOK}
    )
    assert response.status_code == 302
    bob = bob_now(cast)
    assert (bob.digest_channel, bob.chat_webhook_url) == ("chat", BOBS_WEBHOOK)
    assert (bob.digest_cadence, bob.send_days, bob.digest_max_items) == ("daily", [1, 2], 3)


def test_signed_in_the_settings_page_changes_where_digests_go(cast, login, bob_in_chat):
    Person.objects.filter(pk=cast.bob.pk).update(chat_failed_at=timezone.now())
    response = login(cast.bob).post(
        "/settings/",
        {**HARMLESS, "languages": ["en"], "time_zone": "Europe/Stockholm",
         "digest_channel": "both", "chat_webhook_url": STRANGERS_WEBHOOK},
    )  # fmt: skip
    assert response.status_code == 302
    bob = bob_now(cast)
    assert (bob.digest_channel, bob.chat_webhook_url) == ("both", STRANGERS_WEBHOOK)
    assert bob.chat_failed_at is None  # a new address is tried


def test_a_preferences_link_works_for_link_days_after_its_digest(cast, client):
    digest = sent_digest(cast.bob)
    path = preferences_path(digest)
    end = digest.composed_at + dt.timedelta(days=tokens.LINK_DAYS)
    with time_machine.travel(end - dt.timedelta(minutes=1)):
        assert client.get(path).status_code == 200
    with time_machine.travel(end + dt.timedelta(minutes=1)):
        page = client.get(path)
        assert page.status_code == 404
        html = page.content.decode()
        assert "This settings link no longer works" in html and 'href="/settings/"' in html
        assert "Bob" not in html
        assert client.post(path, HARMLESS).status_code == 404
    assert bob_now(cast).digest_cadence == "weekly"


def test_preferences_links_of_the_first_format_are_refused(cast, client):
    sent_digest(cast.bob)  # a recent digest changes nothing: the link names no digest
    path = f"/d/preferences/{first_format_token('preferences', cast.bob.pk)}"
    page = client.get(path)
    assert page.status_code == 404
    assert "This settings link no longer works" in page.content.decode()
    assert client.post(path, HARMLESS).status_code == 404
    assert bob_now(cast).digest_cadence == "weekly"


def one_click(client, path: str):
    """What a mail program sends for RFC 8058: a POST with this body, no cookies."""
    return client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_unsubscribe_links_of_the_first_format_keep_working(cast, client):
    path = f"/d/unsubscribe/{first_format_token('unsubscribe', cast.bob.pk)}"
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe from digests?" in page.content.decode()
    # The "fewer digests" way out: no digest is named, so the settings page (signed in).
    assert 'href="/settings/"' in page.content.decode()
    assert one_click(client, path).status_code == 200
    assert bob_now(cast).digest_cadence == "never"


def test_unsubscribe_links_never_expire(cast, client):
    old = sent_digest(cast.bob, timezone.now() - dt.timedelta(days=3 * tokens.LINK_DAYS))
    recent = sent_digest(cast.bob)
    recent_page = client.get(f"/d/unsubscribe/{tokens.unsubscribe_token(cast.bob.pk, recent.pk)}")
    assert f'href="{preferences_path(recent)}"' in recent_page.content.decode()
    path = f"/d/unsubscribe/{tokens.unsubscribe_token(cast.bob.pk, old.pk)}"
    page = client.get(path).content.decode()
    # Never a way around the preferences link's end: the settings page instead.
    assert f'href="{preferences_path(old)}"' not in page and 'href="/settings/"' in page
    assert one_click(client, path).status_code == 200
    assert bob_now(cast).digest_cadence == "never"


def test_the_list_unsubscribe_header_of_a_sent_digest_unsubscribes(cast, news, client, smtp):
    plan_digests()
    Digest.objects.filter(person=cast.bob).update(slot_at=timezone.now() - dt.timedelta(1))
    compose_due()
    deliver_due()
    [received] = [m for m in smtp.received if m.message["To"] == "bob@example.com"]
    url = re.fullmatch(r"<(.+)>", str(received.message["List-Unsubscribe"]).strip())[1]
    with time_machine.travel(timezone.now() + dt.timedelta(days=10 * tokens.LINK_DAYS)):
        assert one_click(client, re.sub(r"^https?://[^/]+", "", url)).status_code == 200
    assert bob_now(cast).digest_cadence == "never"


def test_the_page_is_in_the_persons_language_and_time_zone(cast, client):
    Person.objects.filter(pk=cast.bob.pk).update(
        time_zone="Pacific/Kiritimati", interface_language="sv"
    )  # UTC+14: noon UTC is already the next day there
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    digest = sent_digest(cast.bob, noon - dt.timedelta(days=1))
    end = digest.composed_at + dt.timedelta(days=tokens.LINK_DAYS)
    page = client.get(preferences_path(digest)).content.decode()
    assert 'lang="sv"' in page and "Pacific/Kiritimati" in page
    with translation.override("sv"):
        there = dateformat.format(end.astimezone(ZoneInfo("Pacific/Kiritimati")), "j F Y")
        in_utc = dateformat.format(end.astimezone(dt.UTC), "j F Y")
    assert there != in_utc and there in page and in_utc not in page
