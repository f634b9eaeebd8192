"""The send-time model on small hand-made histories (plain numpy, no database)."""

import datetime as dt

import numpy as np
import pytest

from budbringer.timing import SendTimeModel
from budbringer.timing.model import HOURS, fit_dirichlet_strength, local_hour_of_week

UTC = dt.UTC


def ts(year, month, day, hour, minute=0, offset_min=0):
    """UTC seconds of a local wall-clock time at the given UTC offset."""
    local = dt.datetime(year, month, day, hour, minute, tzinfo=UTC)
    return int(local.timestamp()) - offset_min * 60


def weekday_evenings(person, weeks, start=dt.date(2024, 1, 1), offset_min=0):
    """Active every weekday 20:00-21:00 local for ``weeks`` weeks from Monday ``start``."""
    events = []
    for w in range(weeks):
        for d in range(5):
            day = start + dt.timedelta(days=7 * w + d)
            for minute in (5, 40):
                events.append(
                    (person, ts(day.year, day.month, day.day, 20, minute, offset_min), offset_min)
                )
    return events


def crowd(n_people=40, weeks=8):
    """A population active on weekday working hours, most of it around 09:00 UTC.

    Everyone draws from the same hours with a personal favourite mixed in, so people
    differ from the population mean, but not by much: the setting where shrinkage helps.
    """
    rng = np.random.default_rng(7)
    shared = np.array([8, 9, 9, 9, 10, 10, 11, 13, 14, 15])
    events = []
    for i in range(n_people):
        favourite = int(rng.choice(shared))
        for w in range(weeks):
            for d in range(5):
                day = dt.date(2024, 1, 1) + dt.timedelta(days=7 * w + d)
                hour = favourite if rng.random() < 0.3 else int(rng.choice(shared))
                events.append((f"crowd{i}", ts(day.year, day.month, day.day, hour, i % 60), 0))
    return events


def observe_sorted(model, events):
    model.observe(sorted(events, key=lambda e: e[1]))


def hour_of_day(slot):
    return slot % 24


def test_local_hour_of_week_uses_each_events_own_offset():
    # Monday 2024-01-01 20:30 local: at UTC+1 (winter) and UTC+2 (summer) the same wall clock.
    winter = ts(2024, 1, 1, 20, 30, offset_min=60)
    summer = ts(2024, 7, 1, 20, 30, offset_min=120)
    hours = local_hour_of_week(np.array([winter, summer]), np.array([60, 120]))
    assert hours.tolist() == [20, 20]


def test_weekday_evening_person_gets_a_slot_at_or_just_before_the_window():
    model = SendTimeModel()
    observe_sorted(model, crowd() + weekday_evenings("alice", weeks=8))
    slot = model.slot("alice", week_start_utc=ts(2024, 3, 4, 0))
    assert slot // 24 < 5  # a weekday
    assert hour_of_day(slot) in (18, 19, 20)  # 20:00-21:00 lies inside [slot, slot + 3 h)


def test_new_person_gets_the_populations_best_window():
    model = SendTimeModel()
    observe_sorted(model, crowd())
    slot = model.slot("newcomer", week_start_utc=ts(2024, 3, 4, 0))
    assert slot // 24 < 5
    assert hour_of_day(slot) in (7, 8, 9)


def test_one_event_does_not_dominate_the_prior():
    model = SendTimeModel()
    observe_sorted(model, [*crowd(), ("bob", ts(2024, 2, 24, 3), 0)])  # Saturday 03:00, once
    slot = model.slot("bob", week_start_utc=ts(2024, 3, 4, 0))
    assert hour_of_day(slot) in (7, 8, 9)
    # ... but many events do move the slot to the person's own hours.
    observe_sorted(model, weekday_evenings("bob", weeks=8, start=dt.date(2024, 1, 1)))
    assert hour_of_day(model.slot("bob", week_start_utc=ts(2024, 3, 4, 0))) in (18, 19, 20)


def test_prior_strength_is_estimated_from_the_data():
    rng = np.random.default_rng(0)
    mean = np.full(HOURS, 1 / HOURS)
    alike = rng.multinomial(30, mean, size=300).astype(float)  # everyone like the mean
    different = np.zeros((300, HOURS))  # everyone in one own hour
    different[np.arange(300), rng.integers(0, HOURS, 300)] = 30
    assert fit_dirichlet_strength(alike, mean) > 100 * fit_dirichlet_strength(different, mean)


def test_old_habits_fade_after_the_schedule_changes():
    # Carol worked mornings (07:00) for a year, then switched to evenings (20:00) for ten weeks.
    old = []
    for d in range(365):
        day = dt.date(2022, 1, 3) + dt.timedelta(days=d)
        if day.weekday() < 5:
            old.append(("carol", ts(day.year, day.month, day.day, 7, 15), 0))
    new = weekday_evenings("carol", weeks=10, start=dt.date(2024, 1, 1))
    fast = SendTimeModel(half_life_days=30)
    observe_sorted(fast, crowd() + old + new)
    assert hour_of_day(fast.slot("carol", ts(2024, 3, 11, 0))) in (18, 19, 20)
    # Without decay, the year of mornings still outweighs ten weeks of evenings.
    never = SendTimeModel(half_life_days=1e9)
    observe_sorted(never, crowd() + old + new)
    assert hour_of_day(never.slot("carol", ts(2024, 3, 11, 0))) in (5, 6, 7)


def test_offsets_are_applied_per_event_across_a_dst_change():
    # Dave in Oslo: 20:00 local is 19:00 UTC in winter (+60) and 18:00 UTC in summer (+120).
    events = weekday_evenings("dave", weeks=6, start=dt.date(2024, 2, 5), offset_min=60)
    events += weekday_evenings("dave", weeks=6, start=dt.date(2024, 4, 1), offset_min=120)
    model = SendTimeModel()
    observe_sorted(model, crowd() + events)
    assert hour_of_day(model.slot("dave", ts(2024, 5, 13, 0))) in (18, 19, 20)
    heat = model.heatmap("dave")
    assert heat.argmax() % 24 == 20


def test_slots_are_deterministic_unless_exploring():
    events = crowd() + weekday_evenings("erin", weeks=1)
    a, b = SendTimeModel(), SendTimeModel()
    observe_sorted(a, events)
    observe_sorted(b, events)
    assert a.slot("erin", 0) == b.slot("erin", 0)
    explorer = SendTimeModel(explore=True, seed=1)
    observe_sorted(explorer, events)
    assert len({explorer.slot("erin", 0) for _ in range(50)}) > 1


def test_slots_for_many_people_at_once():
    model = SendTimeModel()
    observe_sorted(model, crowd())
    counts = np.zeros((3, HOURS))
    counts[1, 4 * 24 + 20] = 50  # Friday 20:00
    slots = model.slots_for(counts, evidence=counts.sum(axis=1))
    assert slots[0] == model.slot("nobody", 0)
    assert slots[1] // 24 == 4 and hour_of_day(slots[1]) in (18, 19, 20)


def evening_prior(rows):
    """A department whose members are active on weekday evenings, 20:00-21:00."""
    profile = np.full(HOURS, 0.01 / HOURS)
    for d in range(5):
        profile[d * 24 + 20] += 0.99 / 5
    return np.tile(profile, (rows, 1))


def test_default_prior_is_the_population_profile_per_row():
    model = SendTimeModel()
    observe_sorted(model, crowd() + weekday_evenings("alice", weeks=2))
    counts = np.zeros((2, HOURS))
    counts[1, 2 * 24 + 14] = 5  # Wednesday 14:00
    evidence = counts.sum(axis=1)
    population = np.tile(model.prior / model.prior.sum(), (2, 1))
    np.testing.assert_allclose(
        model.scores(counts, evidence, prior=population), model.scores(counts, evidence)
    )


def test_a_department_prior_sets_the_slot_of_people_with_little_evidence():
    model = SendTimeModel()
    observe_sorted(model, crowd())
    counts = np.zeros((2, HOURS))
    counts[1, 1 * 24 + 9] = 400  # Tuesday 09:00, a person with plenty of their own evidence
    slots = model.slots_for(counts, evidence=counts.sum(axis=1), prior=evening_prior(2))
    # The newcomer follows the department (weekday evenings), not the crowd's mornings ...
    assert slots[0] // 24 < 5 and hour_of_day(slots[0]) in (18, 19, 20)
    # ... while a person with hundreds of active hours keeps their own hours.
    assert slots[1] // 24 == 1 and hour_of_day(slots[1]) in (7, 8, 9)
    assert model.slots_for(counts[:1])[0] == model.slot("nobody", 0)  # no prior: population


def test_a_department_prior_is_used_when_exploring_too():
    explorer = SendTimeModel(explore=True, seed=3)
    observe_sorted(explorer, crowd())
    slots = explorer.slots_for(np.zeros((200, HOURS)), prior=evening_prior(200))
    assert np.mean([hour_of_day(s) in (18, 19, 20) for s in slots]) > 0.5


def test_a_prior_of_the_wrong_shape_or_scale_is_refused():
    model = SendTimeModel()
    observe_sorted(model, crowd())
    counts = np.zeros((2, HOURS))
    with pytest.raises(ValueError, match="shape"):
        model.scores(counts, prior=evening_prior(3))
    with pytest.raises(ValueError, match="summing to 1"):
        model.scores(counts, prior=2 * evening_prior(2))
