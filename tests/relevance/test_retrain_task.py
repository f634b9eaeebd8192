"""The worker retrains each organisation's ranker daily and the pages use what it learned."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from budbringer.core.schedule import SCHEDULE
from budbringer.relevance import tasks
from budbringer.relevance.engine import DEFAULT_WEIGHTS, MIN_TRAINING_EVENTS, Ranker
from budbringer.relevance.events import record_interaction
from budbringer.relevance.models import Interaction, RankerState
from budbringer.relevance.service import ranker_for
from budbringer.relevance.tasks import retrain_rankers
from tests.conftest import make_item

NOW = dt.datetime(2025, 3, 14, 3, 0, tzinfo=dt.UTC)
HOURS = dt.timedelta(hours=1)


@pytest.fixture
def feedback(cast):
    """Enough Nordlys feedback to learn from: people open cloud items, dismiss the rest."""
    now = timezone.now()
    security = cast.nordlys.topics.create(name="Security")
    cloud_items, other_items = [], []
    for n in range(30):
        at = now - (n + 2) * 6 * HOURS
        cloud = make_item(cast.nordlys, f"Cloud storage costs fall {n}", published_at=at)
        cloud.topics.add(cast.cloud)
        other = make_item(cast.nordlys, f"Phishing season again {n}", published_at=at)
        other.topics.add(security)
        cloud_items.append(cloud)
        other_items.append(other)
    cast.bob.topics.add(cast.cloud)
    cast.sara.topics.add(cast.cloud)
    rows = []
    for person in (cast.bob, cast.sara):
        for cloud, other in zip(cloud_items, other_items, strict=True):
            later = cloud.published_at + HOURS
            rows.append(Interaction(organisation=cast.nordlys, person=person, item=cloud,
                                    kind="opened", at=later))  # fmt: skip
            rows.append(Interaction(organisation=cast.nordlys, person=person, item=other,
                                    kind="dismissed", at=later))  # fmt: skip
    Interaction.objects.bulk_create(rows)
    return len(rows)


@time_machine.travel(NOW, tick=False)
def test_little_feedback_keeps_the_cold_start_weights(cast):
    record_interaction(cast.bob, cast.article, "opened")
    record_interaction(cast.charlie, cast.havn_article, "dismissed")
    assert retrain_rankers.call() == 2
    states = {state.organisation: state for state in RankerState.objects.all()}
    assert set(states) == {cast.nordlys, cast.havn}
    for state in states.values():
        assert state.trained_at == NOW
        assert state.weights == DEFAULT_WEIGHTS
        assert state.events_used == 0


def test_enough_feedback_teaches_the_organisation_its_weights(cast, feedback):
    assert feedback >= MIN_TRAINING_EVENTS
    assert retrain_rankers.call() == 2
    nordlys = RankerState.objects.get(organisation=cast.nordlys)
    assert nordlys.events_used == feedback
    assert nordlys.weights != DEFAULT_WEIGHTS
    # Plain floats: JSON as stored, whatever numeric types the engine computes with.
    assert all(type(weight) is float for weight in nordlys.weights.values())
    assert ranker_for(cast.nordlys).weights == nordlys.weights
    # Havn's own (absent) feedback, not Nordlys's, decides Havn's weights.
    assert RankerState.objects.get(organisation=cast.havn).events_used == 0
    assert ranker_for(cast.havn).weights == DEFAULT_WEIGHTS


def test_running_twice_keeps_one_state_per_organisation(cast, feedback):
    retrain_rankers.call()
    first = RankerState.objects.get(organisation=cast.nordlys)
    retrain_rankers.call()
    assert RankerState.objects.count() == 2
    again = RankerState.objects.get(organisation=cast.nordlys)
    assert again.pk == first.pk
    assert again.weights == pytest.approx(first.weights)


def test_the_ranker_uses_stored_weights_or_cold_start_defaults(cast):
    assert ranker_for(cast.nordlys).weights == Ranker().weights
    learned = {name: weight + 0.5 for name, weight in DEFAULT_WEIGHTS.items()}
    RankerState.objects.create(organisation=cast.nordlys, weights=learned, trained_at=NOW)
    assert ranker_for(cast.nordlys).weights == learned
    assert ranker_for(cast.havn).weights == DEFAULT_WEIGHTS


def test_one_failing_organisation_does_not_stop_the_others(cast, monkeypatch):
    real = tasks.retrain

    def retrain(organisation):
        if organisation == cast.nordlys:
            raise RuntimeError("odd data")
        return real(organisation)

    monkeypatch.setattr(tasks, "retrain", retrain)
    assert retrain_rankers.call() == 1
    assert list(RankerState.objects.values_list("organisation__slug", flat=True)) == ["havn"]


def test_retraining_is_scheduled_daily():
    entry = next(e for e in SCHEDULE if e.name == "relevance.retrain_rankers")
    assert entry.every == dt.timedelta(days=1)
    assert entry.task.module_path == "budbringer.relevance.tasks.retrain_rankers"
