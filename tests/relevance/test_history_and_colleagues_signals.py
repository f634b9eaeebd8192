import numpy as np

from budbringer.relevance.engine import Ranker

from .engine_data import HYDROGEN, NOW, UNRELATED, event, item, person


def test_a_hydrogen_reader_gets_the_new_hydrogen_item_above_an_unrelated_one():
    history = [item(i, text, age_days=10) for i, text in enumerate(HYDROGEN + UNRELATED[1:], 1)]
    new_hydrogen = item(10, "New hydrogen electrolysers planned near the port")
    new_other = item(11, UNRELATED[0])
    events = [event(1, 1, "opened", 9), event(1, 2, "clicked", 8), event(1, 3, "shared", 7)]
    scores = Ranker().score([*history, new_hydrogen, new_other], [person(1)], events, NOW)
    assert scores[0, -2] > scores[0, -1]
    # Without that history the two are alike.
    scores = Ranker().score([*history, new_hydrogen, new_other], [person(1)], [], NOW)
    assert scores[0, -2] == scores[0, -1]


def test_history_decays_with_time():
    items = [item(1, HYDROGEN[0], age_days=400), item(2, "canteen lasagne menu", age_days=400)]
    items += [item(3, HYDROGEN[1]), item(4, "vegetarian lasagne on the canteen menu")]
    recent_hydrogen = [event(1, 1, "opened", 2), event(1, 2, "opened", 300)]
    recent_other = [event(1, 1, "opened", 300), event(1, 2, "opened", 2)]
    ranker = Ranker(weights={"similar": 1.0}, half_life_days=10)
    prefers = ranker.score(items, [person(1)], recent_hydrogen, NOW)[0]
    assert prefers[2] > prefers[3]
    prefers = ranker.score(items, [person(1)], recent_other, NOW)[0]
    assert prefers[3] > prefers[2]


def test_items_co_engaged_by_colleagues_rank_higher():
    # Colleagues 2-6 who read item 1 also read item 2; nobody read items 1 and 3 together.
    # The texts are unrelated, so only the collaborative signal can tell 2 from 3.
    items = [item(1, "alpha"), item(2, "bravo"), item(3, "charlie"), item(4, "delta")]
    events = [event(p, i, "opened", 2) for p in range(2, 7) for i in (1, 2)]
    events += [event(p, i, "opened", 2) for p in range(7, 12) for i in (3, 4)]
    events.append(event(1, 1, "clicked", 1))
    people = [person(p) for p in range(1, 12)]
    ranker = Ranker(weights={"colleagues": 1.0})
    scores = ranker.score(items, people, events, NOW)[0]
    assert scores[1] > 0.5
    assert scores[2] == 0
    # Their events count even when only person 1 is ranked.
    alone = ranker.score(items, [person(1)], events, NOW)[0]
    np.testing.assert_allclose(alone[1:], scores[1:])


def test_what_the_department_shared_ranks_higher_and_is_log_scaled():
    items = [item(1, "alpha"), item(2, "bravo"), item(3, "charlie")]
    sales = [person(p, department=5) for p in range(1, 8)]
    others = [person(p, department=6) for p in range(8, 12)]
    events = [event(p, 1, "shared", 1) for p in range(2, 8)]  # six in sales share item 1
    events += [event(p, 2, "shared", 1) for p in range(8, 12)]  # four elsewhere share item 2
    events.append(event(2, 3, "shared", 1))  # one in sales shares item 3
    ranker = Ranker(weights={"department_shares": 1.0})
    scores = ranker.score(items, [*sales, *others], events, NOW)
    np.testing.assert_allclose(scores[0], [np.log1p(6), 0, np.log1p(1)], rtol=1e-6)
    # Ranked for one person, the whole organisation lends its departments.
    one = ranker.score(items, [*sales, *others], events, NOW, for_people=[1])
    np.testing.assert_allclose(one[0], scores[0])
    assert np.isneginf(one[1:]).all()
