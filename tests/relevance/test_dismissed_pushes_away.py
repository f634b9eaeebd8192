from budbringer.relevance.engine import Budget, Ranker

from .engine_data import HYDROGEN, NOW, UNRELATED, event, item, person


def test_a_dismissed_item_pushes_similar_items_down():
    items = [item(1, HYDROGEN[0], age_days=5), item(2, UNRELATED[0], age_days=5)]
    items += [item(3, HYDROGEN[1]), item(4, UNRELATED[1])]
    ranker = Ranker(weights={"similar": 1.0})
    scores = ranker.score(items, [person(1)], [event(1, 1, "dismissed", 1)], NOW)[0]
    assert scores[2] < 0
    assert scores[2] < scores[3]


def test_not_for_me_outweighs_an_open_of_the_same_kind():
    items = [item(1, HYDROGEN[0], age_days=5), item(2, HYDROGEN[2], age_days=5)]
    items += [item(3, HYDROGEN[1]), item(4, UNRELATED[1])]
    events = [event(1, 1, "opened", 2), event(1, 2, "dismissed", 1)]
    scores = Ranker(weights={"similar": 1.0}).score(items, [person(1)], events, NOW)[0]
    assert scores[2] < scores[3]


def test_more_like_this_pulls_similar_items_into_the_digest():
    items = [item(1, HYDROGEN[0], age_days=5)]
    items += [item(2, HYDROGEN[1]), item(3, UNRELATED[0]), item(4, UNRELATED[1])]
    budget = Budget(per_digest=1, threshold=0)
    ranker = Ranker(weights={"similar": 1.0})
    picks = ranker.select(items, [person(1)], [event(1, 1, "more_like_this", 1)], NOW, budget)
    assert [pick.item_id for pick in picks[1]] == [2]
