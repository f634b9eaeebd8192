"""Heatmaps on the settings page (one's own) and on analytics (groups), and the send settings."""

import datetime as dt
import re

import numpy as np
import pytest

from budbringer.accounts.models import Person
from budbringer.timing.models import GroupReachability, PersonReachability, Profile

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)


def peaked(hour: int) -> np.ndarray:
    shares = np.full(168, 0.1 / 167)
    shares[hour] = 0.9
    return shares


def cells(html: str) -> list[str]:
    """The colour step of each of the heatmap's 168 hours, in order."""
    return re.findall(r'<rect class="h(\d)"', html)


@pytest.fixture
def valid(cast):
    return {
        "interface_language": "en",
        "languages": ["en"],
        "time_zone": "Europe/Stockholm",
        "digest_cadence": "weekly",
        "digest_max_items": "5",
        "digest_channel": "email",
        "send_days": ["1", "3"],
        "quiet_from": "21:00",
        "quiet_until": "07:30",
        "on_holiday_until": "2026-12-24",
        "digests_on_holiday": "on",
    }


def test_the_settings_page_shows_the_persons_own_heatmap_and_next_digest(cast, login):
    PersonReachability.objects.create(
        person=cast.bob,
        profile=Profile.pack(peaked(2 * 24 + 8)),
        concentration=80,
        active_hours=70,
        fitted_at=NOW,
    )
    html = login(cast.bob).get("/settings/").content.decode()
    levels = cells(html)
    assert len(levels) == 168
    assert levels[2 * 24 + 8] == "7" and levels.count("7") == 1
    assert "Learned from the hours you use Budbringer" in html
    assert "Most reachable: Wednesday 06:00-09:00" in html
    assert 'id="next-slot">Your next digest is planned for' in html


def test_without_own_activity_the_page_says_whose_pattern_it_shows(cast, login):
    html = login(cast.bob).get("/settings/").content.decode()
    assert len(cells(html)) == 168
    assert "usual pattern of your colleagues" in html


def test_no_digest_no_plan(cast, login):
    cast.bob.digest_cadence = "never"
    cast.bob.save()
    html = login(cast.bob).get("/settings/").content.decode()
    assert "You have chosen not to receive digests." in html


def test_send_settings_are_saved(cast, login, valid):
    response = login(cast.bob).post("/settings/", valid)
    assert response.status_code == 302
    bob = Person.objects.get(pk=cast.bob.pk)
    assert bob.send_days == [1, 3]
    assert (bob.quiet_from, bob.quiet_until) == (dt.time(21), dt.time(7, 30))
    assert bob.on_holiday_until == dt.date(2026, 12, 24) and bob.digests_on_holiday


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"send_days": []}, "This field is required."),
        ({"quiet_until": ""}, "Give both ends of the quiet hours, or neither."),
        ({"quiet_until": "21:00"}, "Quiet hours must start and end at different times."),
        ({"send_days": ["7"]}, "Select a valid choice."),
    ],
)
def test_bad_send_settings_are_refused_and_nothing_is_lost(cast, login, valid, change, message):
    before = Person.objects.get(pk=cast.bob.pk)
    response = login(cast.bob).post("/settings/", {**valid, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    after = Person.objects.get(pk=cast.bob.pk)
    assert (after.send_days, after.quiet_from, after.time_zone) == (
        before.send_days,
        before.quiet_from,
        before.time_zone,
    )


def test_clearing_both_quiet_hours_means_none(cast, login, valid):
    login(cast.bob).post("/settings/", {**valid, "quiet_from": "", "quiet_until": ""})
    bob = Person.objects.get(pk=cast.bob.pk)
    assert bob.quiet_from is None and bob.quiet_until is None


def test_analytics_shows_the_organisation_and_large_departments(cast, login):
    for department, hour, people in [
        (None, 10, 40),
        (cast.sales, 30, 6),
        (cast.engineering, 50, 3),
    ]:
        GroupReachability.objects.create(
            organisation=cast.nordlys,
            department=department,
            profile=Profile.pack(peaked(hour)),
            concentration=100,
            people=people,
            fitted_at=NOW,
        )
    GroupReachability.objects.create(
        organisation=cast.havn,
        profile=Profile.pack(peaked(99)),
        concentration=100,
        people=50,
        fitted_at=NOW,
    )
    html = login(cast.lena).get("/analytics/").content.decode()
    section = html[html.index('id="reachability"') :]
    section = section[: section.index("</section>")]
    levels = cells(section)
    assert len(levels) == 2 * 168  # the organisation and Sales; not Engineering, not Havn
    assert levels[10] == "7" and levels[168 + 30] == "7"
    assert 'aria-label="Reachability of Nordlys Systems"' in section
    assert 'aria-label="Reachability of Sales"' in section
    assert "Engineering" not in section
    assert "1 department with fewer than 5 active people is not shown on its own." in section


def test_analytics_before_anything_was_learned(cast, login):
    html = login(cast.alice).get("/analytics/").content.decode()
    assert "Nothing learned yet" in html


def test_employees_see_no_group_heatmaps(cast, login):
    assert login(cast.bob).get("/analytics/").status_code == 403
