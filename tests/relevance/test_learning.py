from budbringer.relevance.engine import DEFAULT_WEIGHTS, MIN_TRAINING_EVENTS, Ranker
from budbringer.relevance.evaluation import replay
from budbringer.relevance.synthetic import DAY, make_company

from .engine_data import NOW, event, item, person


def test_learned_weights_beat_the_cold_start_defaults_on_a_held_out_split():
    items, people, events = make_company(people=150, items=500, days=30, seed=3)
    cut = 24 * DAY
    learned = Ranker().fit(items, people, [e for e in events if e.at < cut], cut)
    assert learned.trained_on >= MIN_TRAINING_EVENTS
    assert learned.weights != DEFAULT_WEIGHTS
    assert learned.weights["fresh"] > 0
    with_learned = replay(learned, items, people, events, cut, step_days=2)
    with_defaults = replay(Ranker(), items, people, events, cut, step_days=2)
    assert with_learned.cases == with_defaults.cases > 50
    assert with_learned.ndcg_at_10 > with_defaults.ndcg_at_10 * 1.2


def test_too_few_events_keep_the_defaults():
    items = [item(i, f"story {i}", age_days=10 - i % 10) for i in range(1, 30)]
    events = [event(1, i, "opened", 1) for i in range(1, MIN_TRAINING_EVENTS)]
    ranker = Ranker().fit(items, [person(1)], events, NOW)
    assert ranker.weights == DEFAULT_WEIGHTS
    assert ranker.trained_on == 0


def test_events_after_now_are_not_learned_from():
    items, people, events = make_company(people=60, items=200, days=10, seed=4)
    early = events[0].at + 1
    ranker = Ranker().fit(items, people, events, early)
    assert ranker.trained_on == 0
