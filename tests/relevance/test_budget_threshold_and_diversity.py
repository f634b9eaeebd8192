from budbringer.relevance.engine import Budget, Ranker

from .engine_data import NOW, event, item, person

EVERYTHING = Budget(per_digest=50, threshold=-100, per_source=50, per_topic=50)


def ids(picks):
    return [pick.item_id for pick in picks]


def test_at_most_per_digest_items():
    items = [item(i, f"story {i} about topic {i}") for i in range(1, 21)]
    picks = Ranker().select(items, [person(1)], [], NOW, Budget(per_digest=3, threshold=-100))
    assert len(picks[1]) == 3


def test_at_most_per_source_from_one_source():
    items = [item(i, f"story {i}", source=1 if i <= 6 else 2, boost=1.0) for i in range(1, 9)]
    budget = Budget(per_digest=6, threshold=-100, per_source=2)
    picks = Ranker().select(items, [person(1)], [], NOW, budget)[1]
    sources = [1 if i <= 6 else 2 for i in ids(picks)]
    assert sources.count(1) == 2
    assert sources.count(2) == 2
    assert len(picks) == 4


def test_at_most_per_topic_of_one_topic():
    # Items 1-5 are about topic 3; items 4 and 5 also about topic 4.
    items = [item(i, f"story {i}", topics=[3] if i <= 3 else [3, 4]) for i in range(1, 6)]
    items.append(item(6, "story 6", topics=[4]))
    items.append(item(7, "story 7", topics=[4]))
    budget = Budget(per_digest=10, threshold=-100, per_topic=2)
    picks = Ranker().select(items, [person(1)], [], NOW, budget)[1]
    chosen = {i: items[i - 1].topic_ids for i in ids(picks)}
    for topic in (3, 4):
        assert sum(topic in topics for topics in chosen.values()) <= 2
    assert sum(3 in topics for topics in chosen.values()) == 2


def test_nothing_when_nothing_clears_the_threshold():
    # Month-old items nobody engaged with, for a person who follows nothing.
    items = [item(i, f"old story {i}", age_days=30) for i in range(1, 6)]
    assert Ranker().select(items, [person(1)], [], NOW) == {1: []}
    # A followed list lifts one of them over the default threshold, and only that one.
    items[2] = item(3, "old story 3", age_days=30, lists=[9])
    picks = Ranker().select(items, [person(1, lists=[9])], [], NOW)[1]
    assert ids(picks) == [3]
    assert picks[0].score >= Budget().threshold


def test_never_two_of_one_near_duplicate_cluster():
    items = [
        item(1, "Press release: new plant", cluster=1, boost=1.0),
        item(2, "Press release: new plant (copy)", cluster=1, boost=1.0),
        item(3, "Press release: new plant (another copy)", cluster=1),
        item(4, "Something else entirely"),
    ]
    picks = Ranker().select(items, [person(1)], [], NOW, EVERYTHING)[1]
    assert sorted(ids(picks)) in ([1, 4], [2, 4])


def test_never_an_item_the_person_already_touched():
    items = [item(i, f"story {i}", boost=1.0) for i in range(1, 6)]
    events = [
        event(1, 1, "opened"),
        event(1, 2, "shared"),
        event(1, 3, "dismissed"),
        event(2, 4, "shared"),  # someone else's event hides nothing from person 1
    ]
    picks = Ranker().select(items, [person(1), person(2)], events, NOW, EVERYTHING)
    assert sorted(ids(picks[1])) == [4, 5]
    assert sorted(ids(picks[2])) == [1, 2, 3, 5]


def test_mmr_prefers_a_different_item_over_a_near_copy():
    items = [
        item(1, "hydrogen electrolyser plant hydrogen electrolyser", boost=1.0),
        item(2, "hydrogen electrolyser plant hydrogen electrolyser opens", boost=0.95),
        item(3, "canteen lasagne menu vegetarian", boost=0.9),
    ]
    budget = Budget(per_digest=2, threshold=-100, mmr_lambda=0.5)
    assert ids(Ranker().select(items, [person(1)], [], NOW, budget)[1]) == [1, 3]
    # Without diversity, relevance alone decides.
    budget = Budget(per_digest=2, threshold=-100, mmr_lambda=1.0)
    assert ids(Ranker().select(items, [person(1)], [], NOW, budget)[1]) == [1, 2]
