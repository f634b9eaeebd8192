"""From a reachability profile to a send time: the person's own rules, in their own zone.

Plain Python and numpy (no Django): scores over the 168 local hours of the week in, an aware
UTC datetime out. Every candidate hour is a real local hour of the person's zone (zoneinfo:
the hour skipped in spring does not exist, the repeated one in autumn is taken once), and
the hard constraints (chosen days, quiet hours, a holiday pause) are never traded against a
better score.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from budbringer.timing.model import HOURS

DAY = "day"
WEEK = "week"
PERIODS = (DAY, WEEK)
# The fixed time a holdout group gets (and the shared benchmark's first baseline).
FIXED_WEEKDAY, FIXED_HOUR = 1, 10  # Tuesday 10:00 local
# How far ahead a slot is looked for before giving up (a long holiday, odd constraints).
HORIZON_DAYS = 400


@dataclass(frozen=True)
class Constraints:
    """When a person may be reached, in their own words (see Person's send fields)."""

    time_zone: str = "UTC"
    days: frozenset[int] = field(default_factory=lambda: frozenset(range(7)))  # 0 = Monday
    quiet_from: dt.time | None = None
    quiet_until: dt.time | None = None
    on_holiday_until: dt.date | None = None
    send_on_holiday: bool = False

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_quiet(self, at: dt.time) -> bool:
        """Quiet hours may wrap midnight (22:00-07:00); the end itself is not quiet."""
        start, end = self.quiet_from, self.quiet_until
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= at < end
        return at >= start or at < end

    def is_paused(self, day: dt.date) -> bool:
        return (
            self.on_holiday_until is not None
            and day <= self.on_holiday_until
            and not self.send_on_holiday
        )

    def allows(self, local: dt.datetime) -> bool:
        return (
            local.weekday() in self.days
            and not self.is_quiet(local.time())
            and not self.is_paused(local.date())
        )


def window_scores(shares: np.ndarray, window: int = 3) -> np.ndarray:
    """Expected activity in the ``window`` hours after each hour of the week (the same as
    ``shares @ window_matrix(window)``, without building the matrix for every person)."""
    shares = np.asarray(shares, dtype=float)
    # The hours of the week after the last wrap round to the first ones, as np.roll would;
    # the sum is added up in the same order, so the scores are the same to the last bit.
    wrapped = np.concatenate([shares, shares[: window - 1]])
    hours = len(shares)
    return sum(wrapped[k : k + hours] for k in range(window))


def sampled_scores(
    shares: np.ndarray, concentration: float, rng: np.random.Generator, window: int = 3
) -> np.ndarray:
    """Thompson sampling: window scores of one draw from the Dirichlet posterior.

    A person with little evidence gets varied slots (so the model also learns from hours it
    would not have picked); one with a lot gets their best hour nearly always.
    """
    draw = rng.gamma(np.maximum(concentration * np.asarray(shares, dtype=float), 1e-9))
    return window_scores(draw / draw.sum(), window)


def fixed_scores(period: str) -> np.ndarray:
    """The holdout's fixed time: the allowed hour nearest to Tuesday 10:00 (daily: 10:00)."""
    hours = np.arange(HOURS)
    if period == WEEK:
        distance = np.abs(hours - (FIXED_WEEKDAY * 24 + FIXED_HOUR))
        return -np.minimum(distance, HOURS - distance).astype(float)
    distance = np.abs(hours % 24 - FIXED_HOUR)
    return -np.minimum(distance, 24 - distance).astype(float)


@functools.lru_cache(maxsize=4096)
def local_hours(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, ...]:
    """The local hours that exist on ``day`` in ``zone``, as aware local datetimes, in order.

    Cached: a planning run asks the same few zones about the same few days for everyone.
    """
    hours = []
    for hour in range(24):
        local = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
        round_trip = local.astimezone(dt.UTC).astimezone(zone)
        if round_trip.replace(tzinfo=None) == local.replace(tzinfo=None):
            hours.append(local)  # not in the gap a spring-forward night skips
    return tuple(hours)


def period_start(day: dt.date, period: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if period == WEEK else day


def next_period_start(at: dt.datetime, zone: zoneinfo.ZoneInfo, period: str) -> dt.datetime:
    """The local midnight that starts the period after the one holding ``at`` (aware)."""
    start = period_start(at.astimezone(zone).date(), period)
    following = start + dt.timedelta(days=7 if period == WEEK else 1)
    return dt.datetime.combine(following, dt.time(0), tzinfo=zone)


def best_in_period(
    scores: np.ndarray, constraints: Constraints, start: dt.date, period: str
) -> dt.datetime | None:
    """The allowed local hour of the period with the best score (earliest on a tie)."""
    zone = constraints.zone
    days = 7 if period == WEEK else 1
    best, best_score = None, -np.inf
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        hours, index = _allowed_hours(
            day,
            zone,
            constraints.days,
            constraints.quiet_from,
            constraints.quiet_until,
            constraints.is_paused(day),
        )
        if not hours:
            continue
        day_scores = scores[index]
        if np.isnan(day_scores).any():  # never better than anything, as in the loop below
            for local, score in zip(hours, day_scores.tolist(), strict=True):
                if score > best_score:
                    best, best_score = local, score
            continue
        first_best = int(np.argmax(day_scores))  # the earliest of equal scores
        if day_scores[first_best] > best_score:
            best, best_score = hours[first_best], day_scores[first_best]
    return best


@functools.lru_cache(maxsize=4096)
def _allowed_hours(
    day: dt.date,
    zone: zoneinfo.ZoneInfo,
    days: frozenset[int],
    quiet_from: dt.time | None,
    quiet_until: dt.time | None,
    paused: bool,
) -> tuple[tuple[dt.datetime, ...], np.ndarray]:
    """The local hours of ``day`` that the constraints allow, and where each is in the
    168 hours of the week. Cached: planning asks about the same few days, zones and rules
    for thousands of people."""
    if paused or day.weekday() not in days:
        return (), np.zeros(0, dtype=np.int64)
    rules = Constraints(days=days, quiet_from=quiet_from, quiet_until=quiet_until)
    hours = tuple(local for local in local_hours(day, zone) if not rules.is_quiet(local.time()))
    index = np.array([local.weekday() * 24 + local.hour for local in hours], dtype=np.int64)
    return hours, index


def next_slot(
    scores: np.ndarray | Callable[[dt.date], np.ndarray],
    constraints: Constraints,
    after: dt.datetime,
    period: str = DAY,
) -> dt.datetime | None:
    """The next send time at or after ``after``: each period's best allowed hour, in UTC.

    One slot per period (a day or a Monday-to-Sunday week, local): when this period's best
    hour has already passed, the answer is the next period's, never a leftover hour of this
    one. ``scores`` may be a function of the period's first day, so that a sampled policy
    draws once per period and answers the same when asked twice. None when no allowed hour
    exists within HORIZON_DAYS.
    """
    if period not in PERIODS:
        raise ValueError(f"unknown period: {period!r}")
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    start = period_start(after.astimezone(constraints.zone).date(), period)
    step = dt.timedelta(days=7 if period == WEEK else 1)
    limit = start + dt.timedelta(days=HORIZON_DAYS)
    while start <= limit:
        period_scores = scores(start) if callable(scores) else scores
        best = best_in_period(np.asarray(period_scores), constraints, start, period)
        if best is not None and best >= after:
            return best.astimezone(dt.UTC)
        start += step
    return None
