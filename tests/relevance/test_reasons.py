from budbringer.relevance.engine import Budget, Ranker, Reason

from .engine_data import HYDROGEN, NOW, event, item, person

ALL = Budget(per_digest=10, threshold=-100, per_source=10, per_topic=10)


def reasons(items, people, events, for_person=1):
    picks = Ranker().select(items, people, events, NOW, ALL, for_people=[for_person])
    return {pick.item_id: pick.reason for pick in picks[for_person]}


def test_a_followed_list_names_the_list():
    items = [item(1, "alpha", lists=[3, 8], age_days=20), item(2, "bravo", age_days=20)]
    got = reasons(items, [person(1, lists=[8, 9])], [])
    assert got[1] == Reason("follows_list", {"list_id": 8})
    assert got[2].code != "follows_list"


def test_a_followed_topic_names_the_topic():
    items = [item(1, "alpha", topics=[5], age_days=20)]
    assert reasons(items, [person(1, topics=[5])], [])[1] == Reason(
        "follows_topic", {"topic_id": 5}
    )


def test_department_shares_name_the_count_and_department():
    items = [item(1, "alpha", age_days=20), item(2, "bravo", age_days=20)]
    people = [person(p, department=2) for p in range(1, 8)] + [person(8, department=3)]
    events = [event(p, 1, "shared", 1) for p in range(2, 8)] + [event(8, 1, "shared", 1)]
    got = reasons(items, people, events)
    assert got[1] == Reason("department_shares", {"count": 6, "department_id": 2})


def test_company_content_and_freshness():
    items = [item(1, "alpha", company=True, age_days=20), item(2, "bravo", age_days=0)]
    got = reasons(items, [person(1)], [])
    assert got[1] == Reason("company", {})
    assert got[2] == Reason("fresh", {})


def test_similar_history():
    items = [item(1, HYDROGEN[0], age_days=20), item(2, HYDROGEN[1], age_days=20)]
    items.append(item(3, "canteen lasagne", age_days=20))
    got = reasons(items, [person(1)], [event(1, 1, "shared", 2)])
    assert got[2] == Reason("similar", {})


def test_popular_names_how_many_people():
    items = [item(1, "alpha", age_days=20), item(2, "bravo", age_days=20)]
    people = [person(p) for p in range(1, 40)]
    events = [event(p, 1, "opened", 1) for p in range(2, 40)]
    assert reasons(items, people, events)[1] == Reason("popular", {"count": 38})


def test_the_editor_boost_names_no_reason_of_its_own():
    items = [item(1, "alpha", boost=1.0, lists=[4], age_days=20)]
    assert reasons(items, [person(1, lists=[4])], [])[1] == Reason("follows_list", {"list_id": 4})
