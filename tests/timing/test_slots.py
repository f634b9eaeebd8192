"""Send slots from a profile: the person's zone (DST included) and their hard constraints."""

import datetime as dt

import numpy as np
import pytest

from budbringer.timing.slots import (
    DAY,
    WEEK,
    Constraints,
    fixed_scores,
    local_hours,
    next_slot,
    sampled_scores,
)

STOCKHOLM = "Europe/Stockholm"
WORKDAYS = frozenset(range(5))


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def peak(*hours_of_week: int) -> np.ndarray:
    """Scores that prefer the given local hours of the week, the first most."""
    scores = np.zeros(168)
    for rank, hour in enumerate(hours_of_week):
        scores[hour] = len(hours_of_week) - rank
    return scores


TUESDAY_9 = 1 * 24 + 9
WEDNESDAY_2 = 2 * 24 + 2


def test_local_time_becomes_utc_through_the_zone_in_winter_and_in_summer():
    rules = Constraints(STOCKHOLM)
    # Monday 23 November 2026 (CET, UTC+1) and Monday 22 June 2026 (CEST, UTC+2).
    assert next_slot(peak(TUESDAY_9), rules, utc(2026, 11, 23, 12), WEEK) == utc(2026, 11, 24, 8)
    assert next_slot(peak(TUESDAY_9), rules, utc(2026, 6, 22, 12), WEEK) == utc(2026, 6, 23, 7)


def test_the_hour_skipped_in_spring_is_never_a_slot():
    # 29 March 2026: Stockholm jumps from 02:00 to 03:00, so 02:00 local does not exist.
    hours = local_hours(dt.date(2026, 3, 29), Constraints(STOCKHOLM).zone)
    assert [h.hour for h in hours] == [0, 1, *range(3, 24)]
    sunday_2, sunday_3 = 6 * 24 + 2, 6 * 24 + 3
    slot = next_slot(peak(sunday_2, sunday_3), Constraints(STOCKHOLM), utc(2026, 3, 28, 12), DAY)
    assert slot == utc(2026, 3, 29, 1)  # 03:00 CEST


def test_the_hour_repeated_in_autumn_is_offered_once():
    # 25 October 2026: 02:00-03:00 happens twice in Stockholm.
    hours = local_hours(dt.date(2026, 10, 25), Constraints(STOCKHOLM).zone)
    assert [h.hour for h in hours] == list(range(24))


def test_quiet_hours_win_over_the_best_hour_and_may_wrap_midnight():
    rules = Constraints(STOCKHOLM, quiet_from=dt.time(22), quiet_until=dt.time(7))
    slot = next_slot(peak(WEDNESDAY_2, TUESDAY_9), rules, utc(2026, 11, 23, 12), WEEK)
    assert slot == utc(2026, 11, 24, 8)  # Tuesday 09:00, not Wednesday 02:00
    assert rules.is_quiet(dt.time(23, 30)) and rules.is_quiet(dt.time(6, 59))
    assert not rules.is_quiet(dt.time(7)) and not rules.is_quiet(dt.time(21, 59))
    daytime = Constraints(STOCKHOLM, quiet_from=dt.time(12), quiet_until=dt.time(13))
    assert daytime.is_quiet(dt.time(12, 30)) and not daytime.is_quiet(dt.time(13))


def test_only_the_chosen_days():
    saturday_10 = 5 * 24 + 10
    rules = Constraints(STOCKHOLM, days=WORKDAYS)
    slot = next_slot(peak(saturday_10, TUESDAY_9), rules, utc(2026, 11, 23, 12), WEEK)
    assert slot == utc(2026, 11, 24, 8)
    weekend_person = Constraints(STOCKHOLM, days=frozenset({5, 6}))
    slot = next_slot(peak(saturday_10, TUESDAY_9), weekend_person, utc(2026, 11, 23, 12), WEEK)
    assert slot == utc(2026, 11, 28, 9)


def test_a_holiday_pauses_sending_unless_the_person_wants_it():
    away = Constraints(STOCKHOLM, on_holiday_until=dt.date(2026, 12, 6))
    slot = next_slot(peak(TUESDAY_9), away, utc(2026, 11, 23, 12), WEEK)
    assert slot == utc(2026, 12, 8, 8)  # the first Tuesday after the holiday
    keeps_reading = Constraints(
        STOCKHOLM, on_holiday_until=dt.date(2026, 12, 6), send_on_holiday=True
    )
    assert next_slot(peak(TUESDAY_9), keeps_reading, utc(2026, 11, 23, 12), WEEK) == utc(
        2026, 11, 24, 8
    )


def test_when_the_periods_best_hour_has_passed_the_next_period_is_planned():
    rules = Constraints(STOCKHOLM)
    daily = peak(*(day * 24 + 9 for day in range(7)))
    # Monday 12:00 local: today's 09:00 is gone, so Tuesday 09:00, not a leftover afternoon.
    assert next_slot(daily, rules, utc(2026, 11, 23, 11), DAY) == utc(2026, 11, 24, 8)
    # Asked before 09:00, today's slot.
    assert next_slot(daily, rules, utc(2026, 11, 23, 7), DAY) == utc(2026, 11, 23, 8)
    # Exactly at the slot: still that slot (a planner may ask at the minute).
    assert next_slot(daily, rules, utc(2026, 11, 23, 8), DAY) == utc(2026, 11, 23, 8)


def test_no_allowed_hour_at_all_gives_none():
    never = Constraints(STOCKHOLM, on_holiday_until=dt.date(2099, 1, 1))
    assert next_slot(peak(TUESDAY_9), never, utc(2026, 11, 23, 12), DAY) is None


def test_the_fixed_time_is_tuesday_ten_or_the_nearest_allowed_hour():
    rules = Constraints(STOCKHOLM, days=WORKDAYS)
    assert next_slot(fixed_scores(WEEK), rules, utc(2026, 11, 23, 12), WEEK) == utc(2026, 11, 24, 9)
    late_risers = Constraints(STOCKHOLM, quiet_from=dt.time(20), quiet_until=dt.time(11))
    assert next_slot(fixed_scores(DAY), late_risers, utc(2026, 11, 23, 5), DAY) == utc(
        2026, 11, 23, 10
    )  # 11:00 local, the allowed hour nearest to 10:00


def test_a_sampled_policy_is_asked_once_per_period():
    asked = []

    def scores(start: dt.date) -> np.ndarray:
        asked.append(start)
        return peak(TUESDAY_9)

    next_slot(scores, Constraints(STOCKHOLM), utc(2026, 11, 25, 12), WEEK)
    assert asked == [dt.date(2026, 11, 23), dt.date(2026, 11, 30)]


def test_thompson_draws_spread_with_little_evidence_and_settle_with_much():
    shares = np.full(168, 0.5 / 167)
    shares[TUESDAY_9] = 0.5
    rng = np.random.default_rng(7)
    few = {int(np.argmax(sampled_scores(shares, 5.0, rng))) for _ in range(50)}
    many = {int(np.argmax(sampled_scores(shares, 5000.0, rng))) for _ in range(50)}
    assert len(few) > 5
    assert many <= {TUESDAY_9 - 2, TUESDAY_9 - 1, TUESDAY_9}  # windows covering 09:00


def test_unknown_period_and_naive_times_are_refused():
    with pytest.raises(ValueError):
        next_slot(peak(TUESDAY_9), Constraints(), utc(2026, 1, 1), "month")
    with pytest.raises(ValueError):
        next_slot(peak(TUESDAY_9), Constraints(), dt.datetime(2026, 1, 1), DAY)


def test_window_scores_are_the_models_window_sums():
    from budbringer.timing.model import window_matrix
    from budbringer.timing.slots import window_scores

    shares = np.random.default_rng(3).random(168)
    assert np.allclose(window_scores(shares), shares @ window_matrix(3))
