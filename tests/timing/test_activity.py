"""Activity signals: every engagement marks the person's local hour, DST-correct, once."""

import datetime as dt

import pytest

from budbringer.accounts.privacy import erase_person, export_person
from budbringer.relevance.events import record_interaction
from budbringer.timing.activity import local_hour, record_activity
from budbringer.timing.models import ActiveHour
from tests.conftest import PASSWORD


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("at", "zone", "start", "offset"),
    [
        (utc(2026, 11, 23, 8, 45), "Europe/Stockholm", utc(2026, 11, 23, 8), 60),
        (utc(2026, 6, 23, 8, 45), "Europe/Stockholm", utc(2026, 6, 23, 8), 120),
        # The repeated hour of 25 October: 02:30 CEST and 02:30 CET are different hours.
        (utc(2026, 10, 25, 0, 30), "Europe/Stockholm", utc(2026, 10, 25, 0), 120),
        (utc(2026, 10, 25, 1, 30), "Europe/Stockholm", utc(2026, 10, 25, 1), 60),
        # Half-hour zone: the local hour 14:00-15:00 starts at 08:30 UTC.
        (utc(2026, 11, 23, 9, 10), "Asia/Kolkata", utc(2026, 11, 23, 8, 30), 330),
    ],
)
def test_the_local_hour_and_its_offset(at, zone, start, offset):
    assert local_hour(at, zone) == (start, offset)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        local_hour(dt.datetime(2026, 1, 1, 12), "Europe/Oslo")


def test_several_events_in_one_hour_are_one_active_hour(cast):
    for minute in (1, 15, 59):
        record_activity(cast.bob, utc(2026, 11, 23, 8, minute))
    record_activity(cast.bob, utc(2026, 11, 23, 9, 0))
    rows = ActiveHour.objects.filter(person=cast.bob).order_by("started_at")
    assert [(r.started_at, r.utc_offset_minutes) for r in rows] == [
        (utc(2026, 11, 23, 8), 60),
        (utc(2026, 11, 23, 9), 60),
    ]
    assert {r.organisation_id for r in rows} == {cast.nordlys.pk}


def test_signing_in_is_activity(cast, client):
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert ActiveHour.objects.filter(person=cast.bob).count() == 1


def test_feedback_and_opening_an_item_are_activity(cast, login):
    record_interaction(cast.sara, cast.article, "more_like_this", utc(2026, 11, 20, 18, 5))
    assert ActiveHour.objects.filter(person=cast.sara, started_at=utc(2026, 11, 20, 18)).exists()
    login(cast.erik).get(f"/items/{cast.article.pk}/")  # opening records an interaction
    assert ActiveHour.objects.filter(person=cast.erik).exists()


def test_active_hours_are_exported_in_local_time_and_erased(cast):
    record_activity(cast.bob, utc(2026, 6, 23, 8, 45))
    exported = export_person(cast.bob)
    assert exported["active_hours"] == ["2026-06-23T10:00:00+02:00"]
    assert exported["person"]["send_days"] == [0, 1, 2, 3, 4]
    assert exported["person"]["quiet_from"] == "22:00:00"
    erase_person(cast.bob)
    assert not ActiveHour.objects.exists()
