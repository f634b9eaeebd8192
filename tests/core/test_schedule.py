import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from budbringer.core.models import ScheduledRun
from budbringer.core.schedule import SCHEDULE, Periodic, enqueue_due, slot_start

NOON = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)


def test_every_entry_is_enqueued_once_per_slot(db):
    assert enqueue_due(NOON) == [entry.name for entry in SCHEDULE]
    # A second worker (or the next pass of this one) in the same slot finds it done.
    assert enqueue_due(NOON + dt.timedelta(seconds=59)) == []
    assert ScheduledRun.objects.count() == len(SCHEDULE)
    assert DBTaskResult.objects.count() == len(SCHEDULE)
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == {
        entry.task.module_path for entry in SCHEDULE
    }


def test_next_slot_is_enqueued_again(db):
    enqueue_due(NOON)
    # A day later every entry, daily ones included, is due again.
    assert enqueue_due(NOON + dt.timedelta(days=1)) == [entry.name for entry in SCHEDULE]
    assert DBTaskResult.objects.count() == 2 * len(SCHEDULE)


def test_prune_salts_runs_hourly(db):
    entry = next(e for e in SCHEDULE if e.name == "links.prune_visitor_salts")
    assert entry.every == dt.timedelta(hours=1)
    assert entry.task.module_path == "budbringer.links.tasks.prune_visitor_salts"


def test_sources_are_looked_at_every_minute(db):
    entry = next(e for e in SCHEDULE if e.name == "sources.fetch_due_sources")
    assert entry.every == dt.timedelta(minutes=1)
    assert enqueue_due(NOON + dt.timedelta(minutes=1), schedule=[entry]) == [entry.name]
    assert enqueue_due(NOON + dt.timedelta(minutes=1, seconds=30), schedule=[entry]) == []


def test_slots_are_aligned_whatever_the_time_of_the_call():
    hour = dt.timedelta(hours=1)
    assert slot_start(NOON + dt.timedelta(minutes=42, seconds=5), hour) == NOON
    assert slot_start(NOON, hour) == NOON
    day = dt.timedelta(days=1)
    assert slot_start(NOON, day) == NOON.replace(hour=0)


class FailingTask:
    module_path = "tests.core.failing"

    def enqueue(self):
        raise ConnectionError("queue is down")


class CountingTask:
    module_path = "tests.core.counting"

    def __init__(self):
        self.calls = 0

    def enqueue(self):
        self.calls += 1


def test_a_failed_enqueue_is_tried_again_in_the_same_slot(db):
    failing = [Periodic("flaky", dt.timedelta(hours=1), FailingTask())]
    with pytest.raises(ConnectionError):
        enqueue_due(NOON, schedule=failing)
    assert not ScheduledRun.objects.exists()
    counting = CountingTask()
    assert enqueue_due(NOON, [Periodic("flaky", dt.timedelta(hours=1), counting)]) == ["flaky"]
    assert counting.calls == 1


def test_old_runs_are_forgotten_after_a_week(db):
    counting = CountingTask()
    schedule = [Periodic("daily", dt.timedelta(days=1), counting)]
    enqueue_due(NOON, schedule)
    enqueue_due(NOON + dt.timedelta(days=3), schedule)
    assert ScheduledRun.objects.count() == 2
    enqueue_due(NOON + dt.timedelta(days=8), schedule)
    assert sorted(ScheduledRun.objects.values_list("slot_start", flat=True)) == [
        NOON.replace(hour=0) + dt.timedelta(days=3),
        NOON.replace(hour=0) + dt.timedelta(days=8),
    ]
    assert counting.calls == 3
