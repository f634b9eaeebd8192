"""The links inside a digest and the pages behind them, with no sign-in; the admins' view."""

import datetime as dt
import re
from zoneinfo import ZoneInfo as timing_zone

import pytest
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.digests import tokens
from budbringer.digests.clicks import count_pending_digest_clicks
from budbringer.digests.composition import compose_due, digest_content
from budbringer.digests.delivery import deliver_due
from budbringer.digests.models import Delivery, Digest, DigestKind, DigestStatus
from budbringer.digests.planning import plan_digests
from budbringer.relevance.models import Interaction
from budbringer.sharing.models import Share
from budbringer.timing.models import ActiveHour
from tests import webhooks

webhook_receiver = webhooks.webhook_receiver

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture
def digest(cast, news):
    plan_digests()
    Digest.objects.filter(person=cast.bob).update(slot_at=timezone.now() - dt.timedelta(1))
    compose_due()
    return Digest.objects.get(person=cast.bob, status=DigestStatus.READY)


def path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_read_link_records_a_click_and_activity_then_goes_to_the_item(client, digest):
    entry = digest_content(digest).entries[0]
    item = digest.entries.get(position=1).item
    response = client.get(path(entry.url), HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302 and response["Location"] == item.url
    # Counted once settled, so that a mail scanner's pre-clicks are never feedback.
    assert not Interaction.objects.filter(kind="clicked").exists()
    count_pending_digest_clicks(timezone.now() + dt.timedelta(minutes=1))
    assert Interaction.objects.filter(person=digest.person, item=item, kind="clicked").exists()
    assert ActiveHour.objects.filter(person=digest.person).exists()


def test_a_link_preview_bot_is_redirected_but_not_counted(client, digest):
    entry = digest_content(digest).entries[0]
    response = client.get(path(entry.url), HTTP_USER_AGENT="Slackbot-LinkExpanding 1.0")
    assert response.status_code == 302
    count_pending_digest_clicks(timezone.now() + dt.timedelta(minutes=1))
    assert not Interaction.objects.filter(kind="clicked").exists()


def test_the_share_link_records_the_share_and_opens_the_networks_dialog(client, digest):
    entry = digest_content(digest).entries[0]
    linkedin = next(button for button in entry.shares if button.network == "linkedin")
    response = client.get(path(linkedin.url), HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert response["Location"].startswith("https://www.linkedin.com/feed/?")
    share = Share.objects.get(person=digest.person)
    assert share.network == "linkedin" and share.item.title == entry.title
    assert client.head(path(linkedin.url)).status_code == 204  # a probe shares nothing
    assert Share.objects.count() == 1


def test_altered_or_misused_tokens_are_refused(client, digest):
    entry = digest_content(digest).entries[0]
    token = path(entry.url).rsplit("/", 1)[1]
    assert client.get(f"/d/read/{token[:-2]}xx").status_code == 404
    # A read token is not a share token, nor an unsubscribe token.
    assert client.get(f"/d/share/{token}").status_code == 404
    assert client.post(f"/d/unsubscribe/{token}").status_code == 404
    assert Person.objects.get(pk=digest.person_id).digest_cadence != "never"


def test_one_click_unsubscribe_by_post_without_cookies(cast, client, digest):
    token = tokens.unsubscribe_token(cast.bob.pk, digest.pk)
    page = client.get(f"/d/unsubscribe/{token}")
    assert page.status_code == 200 and b"Unsubscribe from digests?" in page.content
    assert Person.objects.get(pk=cast.bob.pk).digest_cadence == "weekly"
    # What a mail program sends for RFC 8058: a POST with this body, no CSRF token.
    response = client.post(
        f"/d/unsubscribe/{token}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Person.objects.get(pk=cast.bob.pk).digest_cadence == "never"


def test_unsubscribing_drops_the_planned_digest(cast, client, digest):
    plan_digests()
    assert Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).exists()
    client.post(f"/d/unsubscribe/{tokens.unsubscribe_token(cast.bob.pk, digest.pk)}")
    assert not Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).exists()
    assert plan_digests() == 0 or not Digest.objects.filter(person=cast.bob).exists()


def test_preferences_without_sign_in_in_the_persons_language(cast, client, digest):
    cast.bob.interface_language = "nl"
    cast.bob.save()
    token = tokens.preferences_token(digest.pk)
    page = client.get(f"/d/preferences/{token}")
    assert page.status_code == 200 and 'lang="nl"' in page.content.decode()
    response = client.post(
        f"/d/preferences/{token}",
        {
            "interface_language": "en",
            "digest_cadence": "daily",
            "send_days": ["1", "2"],
            "digest_max_items": "3",
            "quiet_from": "20:00",
            "quiet_until": "08:00",
        },
    )
    assert response.status_code == 302
    bob = Person.objects.get(pk=cast.bob.pk)
    assert (bob.digest_cadence, bob.send_days, bob.digest_max_items, bob.quiet_from.hour) == (
        "daily",
        [1, 2],
        3,
        20,
    )
    assert bob.interface_language == "en"


def test_chat_without_a_webhook_is_refused(cast, login):
    response = login(cast.bob).post(
        "/settings/",
        {"interface_language": "en", "languages": ["en"], "time_zone": "Europe/Oslo",
         "digest_cadence": "daily", "send_days": ["1"], "digest_max_items": "3",
         "digest_channel": "chat", "chat_webhook_url": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Give the webhook address to get digests in chat." in response.content.decode()
    assert Person.objects.get(pk=cast.bob.pk).digest_channel == "email"


def test_a_digest_in_chat_goes_to_the_persons_webhook(cast, news, settings, webhook_receiver):
    settings.FETCH_ALLOW = ["127.0.0.1"]
    Person.objects.filter(pk=cast.bob.pk).update(
        digest_channel="chat", chat_webhook_url=webhook_receiver.url("/hook")
    )
    plan_digests()
    Digest.objects.filter(person=cast.bob).update(slot_at=timezone.now() - dt.timedelta(1))
    compose_due()
    assert deliver_due()["sent"] == 1
    [request] = webhook_receiver.received()
    assert request.path == "/hook" and "Company news" in str(request.json)
    assert Delivery.objects.get(digest__person=cast.bob).channel == "chat"


def test_admins_see_what_went_out_and_what_failed(cast, login, digest, smtp):
    cast.lena.user.email = ""
    deliver_due()
    page = login(cast.alice).get("/editor/digests/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="sent"' in html and "Bob" in html
    assert login(cast.bob).get("/editor/digests/").status_code == 403
    assert login(cast.charlie).get("/editor/digests/").content.decode().count("<tr data-") == 0


def test_send_me_a_preview_now(cast, login, news, smtp):
    response = login(cast.alice).post("/editor/digests/preview/")
    assert response.status_code == 302
    [received] = smtp.received
    assert received.message["To"] == "alice@example.com"
    preview = Digest.objects.get(person=cast.alice)
    assert preview.kind == DigestKind.PREVIEW and preview.status == DigestStatus.READY
    # A preview does not use up the items for the real digest.
    assert not Interaction.objects.filter(person=cast.alice, kind="delivered").exists()


@pytest.mark.parametrize(
    ("link", "kind"), [("more_url", "more_like_this"), ("fewer_url", "dismissed")]
)
def test_feedback_from_a_digest_asks_first_then_counts(client, digest, link, kind):
    entry = digest_content(digest).entries[0]
    item = digest.entries.get(position=1).item
    url = path(getattr(entry, link))
    page = client.get(url, HTTP_USER_AGENT=CHROME)  # what a mail scanner would also do
    assert page.status_code == 200 and item.title in page.content.decode()
    assert not Interaction.objects.filter(person=digest.person, kind=kind).exists()
    done = client.post(url)
    assert done.status_code == 200 and b"feedback-done" in done.content
    assert Interaction.objects.filter(person=digest.person, item=item, kind=kind).exists()
    # A feedback token cannot be used to share or read.
    token = url.rsplit("/", 1)[1]
    assert client.get(f"/d/share/{token}").status_code == 404


def test_changing_settings_replans_the_next_digest(cast, login):
    plan_digests()
    assert Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).exists()
    response = login(cast.bob).post(
        "/settings/",
        {"interface_language": "en", "languages": ["en"], "time_zone": "Europe/Oslo",
         "digest_cadence": "daily", "send_days": ["5", "6"], "digest_max_items": "3",
         "digest_channel": "email"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).exists()
    plan_digests()
    replanned = Digest.objects.get(person=cast.bob, status=DigestStatus.PLANNED)
    assert replanned.slot_at.astimezone(timing_zone("Europe/Oslo")).weekday() in (5, 6)
