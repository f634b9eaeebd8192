"""The adapter between the database and the ranking engine.

The engine (budbringer.relevance.engine) takes plain data and returns plain data; this
module builds that data for one organisation with a fixed number of queries, whatever
the number of items, people or events, and turns the engine's picks back into items.
"""

import dataclasses
import datetime as dt
import heapq
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.db.models import Q
from django.utils import timezone

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import PROMOTION_BOOST, Item, readable_languages
from budbringer.relevance.engine import (
    SEEN_ONLY_KINDS,
    Budget,
    Event,
    ItemData,
    PersonData,
    Pick,
    Ranker,
)
from budbringer.relevance.models import Interaction, RankerState
from budbringer.sources.models import ListKind, Source, SourceList

# Candidates are the items published this many days back; older ones are rarely news.
ITEM_DAYS = 60
# Feedback older than this hardly counts with a 30-day half-life (1/16 at 120 days).
EVENT_DAYS = 120


def load(
    organisation: Organisation,
    now: dt.datetime,
    for_people: Collection[int] | None = None,
    shared: dict | None = None,
) -> tuple[list[ItemData], list[PersonData], list[Event]]:
    """The organisation's candidate items, its people and their feedback, in 7 queries.

    Items are those shareable now, published in the last ITEM_DAYS or engaged with in the
    last EVENT_DAYS: an older item someone just read still tells what they like (and may
    still interest a colleague). People are the active ones; events are the interactions
    of the last EVENT_DAYS.

    With ``for_people`` (ids), only what ranking those people needs, which gives them the
    same picks: the same items, every event that is a signal (opened, shared, dismissed...)
    with the people who made them, and of the rest (a "delivered" item, which only keeps
    it from being suggested again) only those people's own and their rows. What does not
    depend on ``for_people`` is kept in ``shared`` (a dict the caller keeps, e.g. for a
    pass over many batches of one organisation), so each batch queries only its people.
    Memory then grows with the batch and the organisation's feedback, not its head count
    and all it was ever delivered.
    """
    recent_events = Interaction.objects.filter(
        organisation=organisation, at__gte=now - dt.timedelta(days=EVENT_DAYS), at__lte=now
    )
    if for_people is None:
        items = _items(organisation, now, recent_events)
        people = _people(Person.objects.in_organisation(organisation).active())
        events = [event for _key, event in _events(recent_events)]
        return items, people, events
    shared = {} if shared is None else shared
    if "items" not in shared:
        signals = recent_events.exclude(kind__in=SEEN_ONLY_KINDS)
        shared["items"] = _items(organisation, now, recent_events)
        shared["signals"] = _events(signals)
        shared["people"] = _people(
            Person.objects.in_organisation(organisation)
            .active()
            .filter(pk__in=signals.values("person_id"))
        )
    wanted = list(for_people)
    own = _people(Person.objects.in_organisation(organisation).active().filter(pk__in=wanted))
    seen = _events(recent_events.filter(kind__in=SEEN_ONLY_KINDS, person_id__in=wanted))
    by_id = {person.id: person for person in (*shared["people"], *own)}
    people = [by_id[person_id] for person_id in sorted(by_id)]
    events = [event for _key, event in heapq.merge(shared["signals"], seen, key=_event_order)]
    return shared["items"], people, events


def _event_order(keyed: tuple[tuple[float, int], Event]) -> tuple[float, int]:
    return keyed[0]


def _items(organisation: Organisation, now: dt.datetime, recent_events) -> list[ItemData]:
    candidates = (
        Item.objects.in_organisation(organisation)
        .shareable(now)
        .filter(
            Q(published_at__gte=now - dt.timedelta(days=ITEM_DAYS))
            | Q(pk__in=recent_events.values("item_id"))
        )
    )
    topics_of_item: dict[int, set[int]] = {}
    for item_id, topic_id in Item.topics.through.objects.filter(
        item__in=candidates.values("id")
    ).values_list("item_id", "topic_id"):
        topics_of_item.setdefault(item_id, set()).add(topic_id)

    lists_of_source: dict[int, set[int]] = {}
    company_sources: set[int] = set()
    for source_id, list_id, kind in Source.lists.through.objects.filter(
        source__organisation=organisation
    ).values_list("source_id", "sourcelist_id", "sourcelist__kind"):
        lists_of_source.setdefault(source_id, set()).add(list_id)
        if kind == ListKind.COMPANY:
            company_sources.add(source_id)

    fields = ("id", "title", "summary", "language", "source_id", "published_at")
    return [
        ItemData(
            id=item_id,
            text=f"{title}\n{summary}".strip(),
            language=language,
            source_id=source_id,
            list_ids=frozenset(lists_of_source.get(source_id, ())),
            topic_ids=frozenset(topics_of_item.get(item_id, ())),
            published_at=published_at.timestamp(),
            company=source_id in company_sources,
            boost=PROMOTION_BOOST.get(promotion, 0.0),
            cluster=duplicate_of or item_id,
        )
        for item_id, title, summary, language, source_id, published_at, duplicate_of, promotion in (
            candidates.order_by("id").values_list(*fields, "duplicate_of_id", "promotion")
        )
    ]


def _people(people_of_org) -> list[PersonData]:
    """The people of the queryset (active people of one organisation), by id."""
    topics_of_person: dict[int, set[int]] = {}
    for person_id, topic_id in Person.topics.through.objects.filter(
        person__in=people_of_org.values("id")
    ).values_list("person_id", "topic_id"):
        topics_of_person.setdefault(person_id, set()).add(topic_id)
    lists_of_person: dict[int, set[int]] = {}
    for person_id, list_id in SourceList.followers.through.objects.filter(
        person__in=people_of_org.values("id")
    ).values_list("person_id", "sourcelist_id"):
        lists_of_person.setdefault(person_id, set()).add(list_id)
    return [
        PersonData(
            id=person_id,
            languages=frozenset(readable_languages(languages or [])),
            list_ids=frozenset(lists_of_person.get(person_id, ())),
            topic_ids=frozenset(topics_of_person.get(person_id, ())),
            department_id=department_id,
        )
        for person_id, languages, department_id in people_of_org.order_by("id").values_list(
            "id", "languages", "department_id"
        )
    ]


def _events(interactions) -> list[tuple[tuple[float, int], Event]]:
    """The interactions as events, in the order of time (then id), each with that key."""
    return [
        (
            (at.timestamp(), pk),
            Event(person_id=person_id, item_id=item_id, kind=kind, at=at.timestamp()),
        )
        for pk, person_id, item_id, kind, at in interactions.order_by("at", "id").values_list(
            "id", "person_id", "item_id", "kind", "at"
        )
    ]


def ranker_for(organisation: Organisation) -> Ranker:
    """The organisation's ranker with its learned weights, or the cold-start defaults."""
    state = RankerState.objects.filter(organisation=organisation).first()
    return _ranker(state.weights if state else None)


def _ranker(weights: dict | None) -> Ranker:
    return Ranker(weights=dict(weights) if weights else None)


# One ranker per organisation and process, kept between requests: it keeps its fitted
# text index while the items stay the same, so a page view only refits it after new
# items arrived. A lock per ranker, as the index is rebuilt in place.
_rankers: dict[int, tuple[object, Ranker, threading.Lock]] = {}
_rankers_lock = threading.Lock()


@contextmanager
def shared_ranker(organisation: Organisation) -> Iterator[Ranker]:
    """The organisation's cached ranker, for one caller at a time; renewed when retrained."""
    state = (
        RankerState.objects.filter(organisation=organisation)
        .values_list("trained_at", "weights")
        .first()
    )
    trained_at, weights = state or (None, None)
    with _rankers_lock:
        cached = _rankers.get(organisation.pk)
        if cached is None or cached[0] != trained_at:
            cached = (
                trained_at,
                _ranker(weights),
                threading.Lock(),
            )
            _rankers[organisation.pk] = cached
    _key, ranker, lock = cached
    with lock:
        yield ranker


def picks_for(
    person: Person, now: dt.datetime | None = None, budget: Budget | None = None
) -> list[tuple[Item, Pick]]:
    """What to show the person now, best first, each with the engine's reason.

    The engine is given the whole organisation (for what colleagues and the department
    engaged with) and scores only this person's row; items older than ITEM_DAYS only lend
    their texts to histories.
    """
    budget = budget or Budget()
    picks = picks_for_people(
        person.organisation, {person.pk: budget.per_digest}, now=now, budget=budget
    )
    return picks.get(person.pk, [])


def picks_for_people(
    organisation: Organisation,
    limits: dict[int, int],
    now: dt.datetime | None = None,
    budget: Budget | None = None,
    data: tuple[list[ItemData], list[PersonData], list[Event]] | None = None,
) -> dict[int, list[tuple[Item, Pick]]]:
    """Picks for many people of one organisation at once: one load, one batched ranking.

    ``limits`` maps person ids to how many items each may get (their digest size, less
    what they already got today); ``budget`` gives the threshold and diversity limits.
    People without an active login, or with a limit of 0, get []. ``data`` is what
    ``load`` gave, when the caller keeps it between batches.
    """
    now = now or timezone.now()
    budget = budget or Budget()
    wanted = {person_id: limit for person_id, limit in limits.items() if limit > 0}
    result: dict[int, list[tuple[Item, Pick]]] = {person_id: [] for person_id in limits}
    if not wanted:
        return result
    items, people, events = data if data is not None else load(organisation, now)
    if not items:
        return result  # nothing to choose from (and no texts to fit an index on)
    active = {p.id for p in people}
    ranked = [person_id for person_id in wanted if person_id in active]
    if not ranked:
        return result  # inactive logins: nothing to rank for
    oldest = (now - dt.timedelta(days=ITEM_DAYS)).timestamp()
    widest = dataclasses.replace(budget, per_digest=max(wanted[p] for p in ranked))
    with shared_ranker(organisation) as ranker:
        selected = ranker.select(
            items,
            people,
            events,
            now.timestamp(),
            widest,
            candidates=[item.id for item in items if item.published_at >= oldest],
            for_people=ranked,
        )
    # Picks come best first, so each person's own limit keeps their best ones.
    chosen = {person_id: selected.get(person_id, [])[: wanted[person_id]] for person_id in ranked}
    by_id = (
        Item.objects.in_organisation(organisation)
        .select_related("source")
        .prefetch_related("topics")
        .defer("content_html", "fingerprint")  # cards show the title and the summary
        .in_bulk({pick.item_id for picks in chosen.values() for pick in picks})
    )
    for person_id, picks in chosen.items():
        result[person_id] = [(by_id[pick.item_id], pick) for pick in picks if pick.item_id in by_id]
    return result


def retrain(organisation: Organisation, now: dt.datetime | None = None) -> RankerState:
    """Fit the organisation's ranker on its feedback and store the learned weights."""
    now = now or timezone.now()
    items, people, events = load(organisation, now)
    # From the cold-start defaults each time: with too little feedback (see the engine's
    # MIN_TRAINING_EVENTS) the organisation goes back to them rather than keep weights
    # learned from feedback that has since aged out.
    ranker = Ranker().fit(items, people, events, now.timestamp())
    state, _created = RankerState.objects.update_or_create(
        organisation=organisation,
        defaults={
            "weights": {name: float(weight) for name, weight in ranker.weights.items()},
            "trained_at": now,
            "events_used": ranker.trained_on,
        },
    )
    return state
