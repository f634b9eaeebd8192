"""Whatever changes when or how a person gets digests drops their planned digest, so that
the next planning pass plans it under the new settings: the settings page, the page linked
from a digest, the Django admin and unsubscribing all call ``preferences_changed``."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from budbringer.digests import tokens
from budbringer.digests.models import Digest, DigestStatus
from budbringer.digests.planning import plan_digests

WEEKEND = ["5", "6"]


def planned_digest(person) -> Digest | None:
    return Digest.objects.filter(person=person, status=DigestStatus.PLANNED).first()


def local_weekday(digest: Digest) -> int:
    return digest.slot_at.astimezone(ZoneInfo(digest.person.time_zone)).weekday()


def sent_digest(person) -> Digest:
    """A digest composed an hour ago, whose links the person follows."""
    now = timezone.now()
    return Digest.objects.create(
        organisation=person.organisation, person=person, slot_at=now - dt.timedelta(hours=1),
        status=DigestStatus.READY, composed_at=now - dt.timedelta(hours=1),
    )  # fmt: skip


def from_the_settings_page(cast, login, client):
    return login(cast.bob).post(
        "/settings/",
        {"interface_language": "en", "languages": ["en"], "time_zone": "Europe/Stockholm",
         "digest_cadence": "weekly", "send_days": WEEKEND, "digest_max_items": "5",
         "digest_channel": "email"},
    )  # fmt: skip


def from_the_page_linked_from_a_digest(cast, login, client):
    token = tokens.preferences_token(sent_digest(cast.bob).pk)
    return client.post(
        f"/d/preferences/{token}",
        {"interface_language": "en", "digest_cadence": "weekly", "send_days": WEEKEND,
         "digest_max_items": "5"},
    )  # fmt: skip


def from_the_django_admin(cast, login, client):
    bob = cast.bob
    return login(cast.alice).post(
        reverse("admin:accounts_person_change", args=[bob.pk]),
        {"user": bob.user.pk, "name": bob.name, "role": bob.role,
         "department": bob.department_id, "languages": '["en"]',
         "interface_language": "en", "time_zone": bob.time_zone, "digest_cadence": "weekly",
         "digest_max_items": "5", "digest_channel": "email", "chat_webhook_url": "",
         "send_days": "[5, 6]", "quiet_from": "22:00", "quiet_until": "07:00",
         "on_holiday_until": "", "email_failed_at_0": "", "email_failed_at_1": "",
         "email_failure": "", "chat_failed_at_0": "", "chat_failed_at_1": "",
         "chat_failure": ""},
    )  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [from_the_settings_page, from_the_page_linked_from_a_digest, from_the_django_admin],
    ids=lambda change: change.__name__,
)
def test_changing_the_days_replans_the_next_digest(cast, login, client, change):
    plan_digests()
    before = planned_digest(cast.bob)
    assert before is not None and local_weekday(before) < 5  # workdays by default
    response = change(cast, login, client)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert planned_digest(cast.bob) is None
    assert plan_digests() == 1
    assert local_weekday(planned_digest(cast.bob)) in (5, 6)


def test_an_admin_stopping_someones_digests_drops_the_planned_one(cast, login):
    plan_digests()
    assert planned_digest(cast.bob) is not None
    data = {"user": cast.bob.user.pk, "name": "Bob", "role": "employee",
            "languages": '["en"]', "interface_language": "en", "time_zone": "Europe/Stockholm",
            "digest_cadence": "never", "digest_max_items": "5", "digest_channel": "email",
            "send_days": "[0, 1, 2, 3, 4]"}  # fmt: skip
    response = login(cast.alice).post(
        reverse("admin:accounts_person_change", args=[cast.bob.pk]), data
    )
    assert response.status_code == 302
    assert planned_digest(cast.bob) is None
    plan_digests()
    assert planned_digest(cast.bob) is None
