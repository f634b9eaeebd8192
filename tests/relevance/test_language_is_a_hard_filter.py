import numpy as np

from budbringer.relevance.engine import Budget, Ranker

from .engine_data import NOW, item, person


def test_an_item_in_a_language_the_person_does_not_read_is_never_selected():
    # Anna follows the Swedish item's list and it is pinned: all but the language speaks for it.
    items = [
        item(1, "Vätgas ersätter kol i stålverket", language="sv", lists=[7], boost=1.0),
        item(2, "Hydrogen replaces coal at the steelworks", language="en"),
    ]
    anna = person(1, languages=["en"], lists=[7])
    picks = Ranker().select(items, [anna], [], NOW, Budget(threshold=-100))
    assert [pick.item_id for pick in picks[1]] == [2]
    assert np.isneginf(Ranker().score(items, [anna], [], NOW)[0, 0])


def test_bokmal_and_nynorsk_readers_read_each_other():
    items = [
        item(1, "Hydrogen i Nordsjøen", language="nn"),
        item(2, "Hydrogen i Nordsjøen, bokmål", language="nb"),
    ]
    nils = person(1, languages=["nb"])
    nina = person(2, languages=["nn"])
    picks = Ranker().select(items, [nils, nina], [], NOW, Budget(threshold=-100))
    assert {pick.item_id for pick in picks[1]} == {1, 2}
    assert {pick.item_id for pick in picks[2]} == {1, 2}


def test_an_item_of_unknown_language_may_go_to_anyone():
    picks = Ranker().select(
        [item(1, "12345", language="")],
        [person(1, languages=["da"])],
        [],
        NOW,
        Budget(threshold=-100),
    )
    assert [pick.item_id for pick in picks[1]] == [1]
