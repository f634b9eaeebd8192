"""When a source is fetched next: its freshness when healthy, backoff when failing."""

import datetime as dt
import random

import pytest
from django.test import override_settings

from budbringer.sources.refresh import (
    LONGEST_RETRY_AFTER,
    LONGEST_WAIT,
    next_fetch_after_failure,
    next_fetch_after_success,
)

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
INTERVAL = dt.timedelta(minutes=30)


@pytest.fixture(autouse=True)
def _seeded():
    random.seed(1)


@override_settings(FETCH_INTERVAL=30)
def test_a_healthy_source_waits_our_interval_or_its_own_freshness_if_longer():
    waits = [next_fetch_after_success(NOW, None) - NOW for _ in range(200)]
    assert all(INTERVAL <= wait <= INTERVAL * 1.1 for wait in waits)
    assert len(set(waits)) > 100  # jittered, not all at the same minute

    two_hours = dt.timedelta(hours=2)
    assert two_hours <= next_fetch_after_success(NOW, two_hours) - NOW <= two_hours * 1.1
    # A feed that says "fresh for a second" is still not fetched more often than our interval.
    assert next_fetch_after_success(NOW, dt.timedelta(seconds=1)) - NOW >= INTERVAL
    # Nor less often than daily, whatever it claims.
    assert next_fetch_after_success(NOW, dt.timedelta(days=30)) - NOW <= LONGEST_WAIT * 1.1


@override_settings(FETCH_INTERVAL=30)
def test_failures_back_off_exponentially_with_jitter_up_to_a_day():
    def ceiling(failures):
        return max(next_fetch_after_failure(NOW, failures) - NOW for _ in range(300))

    ceilings = [ceiling(n) for n in range(1, 10)]
    assert ceilings[0] <= INTERVAL
    assert ceilings[3] > INTERVAL * 4  # roughly doubling
    assert all(c <= LONGEST_WAIT for c in ceilings)
    assert ceilings[-1] > LONGEST_WAIT * 0.9
    waits = {next_fetch_after_failure(NOW, 5) - NOW for _ in range(100)}
    assert min(waits) >= INTERVAL / 2
    assert len(waits) > 90


@override_settings(FETCH_INTERVAL=30)
def test_retry_after_is_never_cut_short_but_is_bounded():
    three_hours = dt.timedelta(hours=3)
    assert next_fetch_after_failure(NOW, 1, three_hours) - NOW >= three_hours
    assert next_fetch_after_failure(NOW, 1, dt.timedelta(days=365)) - NOW == LONGEST_RETRY_AFTER
