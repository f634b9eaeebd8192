"""Plain data for the engine's tests: items, people and events relative to one NOW."""

from budbringer.relevance.engine import Event, ItemData, PersonData

DAY = 86_400.0
NOW = 1_000 * DAY


def item(
    item_id,
    text="",
    *,
    language="en",
    source=None,
    lists=(),
    topics=(),
    age_days=0.5,
    **fields,
):
    return ItemData(
        id=item_id,
        text=text or f"item number {item_id}",
        language=language,
        source_id=source,
        list_ids=frozenset(lists),
        topic_ids=frozenset(topics),
        published_at=NOW - age_days * DAY,
        **fields,
    )


def person(person_id, *, languages=("en",), lists=(), topics=(), department=None):
    return PersonData(
        id=person_id,
        languages=frozenset(languages),
        list_ids=frozenset(lists),
        topic_ids=frozenset(topics),
        department_id=department,
    )


def event(person_id, item_id, kind="opened", days_ago=1.0):
    return Event(person_id=person_id, item_id=item_id, kind=kind, at=NOW - days_ago * DAY)


HYDROGEN = [
    "Hydrogen electrolyser plant opens in the north",
    "Green hydrogen from offshore wind powers the electrolyser",
    "Electrolysers for hydrogen trucks ordered by the port",
]
UNRELATED = [
    "Quarterly football results for the company team",
    "Canteen menu gets a new vegetarian lasagne",
    "Parking garage closes for repairs next month",
]
