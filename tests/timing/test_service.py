"""next_slot for a person: their profile or the nearest prior, the holdout, their settings."""

import datetime as dt

import numpy as np
import pytest

from budbringer.timing import service
from budbringer.timing.models import GroupReachability, PersonReachability, Profile
from tests.conftest import make_person

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)  # a Monday, 13:00 in Stockholm
THURSDAY_15 = 3 * 24 + 15


def peaked(hour: int, share: float = 0.9) -> np.ndarray:
    shares = np.full(168, (1 - share) / 167)
    shares[hour] = share
    return shares


def store_group(organisation, department, hour, people=10):
    return GroupReachability.objects.create(
        organisation=organisation,
        department=department,
        profile=Profile.pack(peaked(hour)),
        concentration=1000.0,
        people=people,
        fitted_at=NOW,
    )


def model_person(cast, name="nina"):
    """A new person in Engineering who is not in the holdout (ids differ between databases)."""
    for attempt in range(100):
        person = make_person(cast.nordlys, f"{name}{attempt}", department=cast.engineering)
        if not service.in_holdout(person):
            return person
    raise AssertionError("100 people in a row in a 5 % holdout")


def test_a_new_organisation_gets_the_built_in_population_prior(cast):
    profile = service.reachability(cast.bob)
    assert profile.source == "population"
    assert profile.shares.shape == (168,) and abs(profile.shares.sum() - 1) < 1e-9
    # Real people are more active on a weekday afternoon than in the small hours.
    assert profile.shares[1 * 24 + 14] > 1.5 * profile.shares[1 * 24 + 3]


def test_the_nearest_learned_profile_serves(cast):
    store_group(cast.nordlys, None, 10)
    assert service.reachability(cast.bob).source == "organisation"
    store_group(cast.nordlys, cast.engineering, THURSDAY_15)
    assert service.reachability(cast.bob).source == "department"
    assert service.reachability(cast.alice).source == "organisation"  # no department
    PersonReachability.objects.create(
        person=cast.bob,
        profile=Profile.pack(peaked(20)),
        concentration=50.0,
        active_hours=40,
        fitted_at=NOW,
    )
    profile = service.reachability(cast.bob)
    assert profile.source == "person" and int(np.argmax(profile.shares)) == 20
    # Another organisation's profile is never used.
    assert service.reachability(cast.charlie).source == "population"


def test_a_new_person_gets_the_departments_time_on_day_one(cast):
    store_group(cast.nordlys, None, 10)
    store_group(cast.nordlys, cast.engineering, THURSDAY_15)
    newcomer = model_person(cast)
    slot = service.next_slot(newcomer, after=NOW)
    assert slot.policy == service.MODEL
    # A three-hour window covering Thursday 15:00 (the draw is near-certain at 1000).
    assert slot.local.weekday() == 3 and 13 <= slot.local.hour <= 15
    assert slot.at.tzinfo == dt.UTC and slot.local.utcoffset() == dt.timedelta(hours=1)


def test_the_same_question_gets_the_same_answer(cast):
    person = model_person(cast)
    first = service.next_slot(person, after=NOW)
    assert service.next_slot(person, after=NOW) == first
    # Asked a minute before it, the same slot; once it has passed, the next period's.
    assert service.next_slot(person, after=first.at - dt.timedelta(minutes=1)) == first
    later = service.next_slot(person, after=first.at + dt.timedelta(seconds=1))
    assert later.at - first.at >= dt.timedelta(days=1)


def test_cadence_sets_the_period_and_settings_are_obeyed(cast):
    store_group(cast.nordlys, cast.engineering, THURSDAY_15)
    person = model_person(cast)
    person.digest_cadence = "daily"
    person.send_days = [0]  # Mondays only
    person.save()
    slot = service.next_slot(person, after=NOW)
    assert slot.local.weekday() == 0 and slot.at >= NOW
    person.on_holiday_until = dt.date(2026, 12, 20)
    person.save()
    assert service.next_slot(person, after=NOW).local.date() == dt.date(2026, 12, 21)
    person.quiet_from, person.quiet_until = dt.time(0), dt.time(23)
    person.save()
    assert service.next_slot(person, after=NOW).local.hour == 23


def test_the_holdout_is_about_five_percent_stable_and_on_the_fixed_time(cast):
    people = [make_person(cast.nordlys, f"p{i}") for i in range(400)]
    held = [p for p in people if service.in_holdout(p)]
    assert 8 <= len(held) <= 36  # 5 % of 400 is 20; binomial spread
    assert held == [p for p in people if service.in_holdout(p)]
    slot = service.next_slot(held[0], after=NOW)
    assert slot.policy == service.HOLDOUT
    assert (slot.local.weekday(), slot.local.hour) == (1, 10)  # Tuesday 10:00


@pytest.mark.parametrize("people", [4, 5])
def test_small_departments_are_not_shown_on_their_own(cast, people):
    store_group(cast.nordlys, None, 10, people=30)
    store_group(cast.nordlys, cast.sales, 10, people=people)
    store_group(cast.havn, None, 10, people=30)
    groups, hidden = service.group_heatmaps(cast.nordlys)
    labels = [group.label for group in groups]
    if people < service.MIN_GROUP_PEOPLE:
        assert labels == ["Nordlys Systems"] and hidden == 1
    else:
        assert labels == ["Nordlys Systems", "Sales"] and hidden == 0
