"""The adapter builds the engine's data with a fixed number of queries, and builds it right."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budbringer.relevance.events import record_interaction
from budbringer.relevance.service import ITEM_DAYS, load, picks_for
from budbringer.sources.models import Source, SourceList
from tests.conftest import make_item, make_person

HOURS = dt.timedelta(hours=1)


def grow(cast, n: int) -> None:
    """n more items, each on a topic and from a listed source, with feedback on them."""
    now = timezone.now()
    industry = SourceList.objects.create(
        organisation=cast.nordlys, name=f"Industry {n}", kind="industry"
    )
    industry.followers.add(cast.bob, cast.sara)
    for i in range(n):
        source = Source.objects.create(
            organisation=cast.nordlys, title=f"S{n}.{i}", feed_url=f"https://s{n}-{i}.example.com/"
        )
        source.lists.add(industry, cast.company_list)
        item = make_item(
            cast.nordlys, f"Item {n}.{i}", source=source, published_at=now - (i + 3) * HOURS
        )
        item.topics.add(cast.cloud)
        record_interaction(cast.sara, item, "opened")
        record_interaction(cast.lena, item, "shared")
    cast.bob.topics.add(cast.cloud)


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


@pytest.mark.parametrize("function", ["load", "picks_for", "page"])
def test_queries_do_not_grow_with_items_people_or_feedback(cast, login, function):
    client = login(cast.bob)
    call = {
        "load": lambda: load(cast.nordlys, timezone.now()),
        "picks_for": lambda: picks_for(cast.bob),
        "page": lambda: client.get("/for-you/"),
    }[function]
    grow(cast, 5)
    few = count_queries(call)
    grow(cast, 50)
    for n in range(10):
        make_person(cast.nordlys, f"extra{n}").topics.add(cast.cloud)
    assert count_queries(call) == few


def test_load_queries_are_seven(cast, django_assert_num_queries):
    grow(cast, 5)
    with django_assert_num_queries(7):
        load(cast.nordlys, timezone.now())


def test_the_page_stays_within_a_small_fixed_number(cast, login, django_assert_max_num_queries):
    grow(cast, 20)
    client = login(cast.bob)
    # Session, user, person; 7 to load; ranker state; the picked items and their topics;
    # the names in the reasons.
    with django_assert_max_num_queries(16):
        client.get("/for-you/")


def test_load_builds_items_from_the_database(cast):
    now = timezone.now()
    copy = make_item(
        cast.nordlys, "Same press release", duplicate_of=cast.article, source=cast.blog
    )
    loose = make_item(cast.nordlys, "No source", language="sv", summary="Kort text.")
    make_item(cast.nordlys, "Too old", published_at=now - dt.timedelta(days=ITEM_DAYS + 1))
    make_item(cast.nordlys, "Pending", approval_state="pending")
    make_item(cast.nordlys, "Expired", expires_at=now - HOURS)
    items, _people, _events = load(cast.nordlys, now)
    by_title = {item.text.split("\n")[0]: item for item in items}
    assert set(by_title) == {cast.article.title, copy.title, loose.title}
    article = by_title[cast.article.title]
    assert article.id == cast.article.pk
    assert article.language == "en"
    assert article.source_id == cast.blog.pk
    assert article.list_ids == frozenset({cast.company_list.pk})
    assert article.topic_ids == frozenset({cast.cloud.pk})
    assert article.company is True
    assert article.boost == 0.0
    assert article.cluster == cast.article.pk
    assert article.published_at == pytest.approx(cast.article.published_at.timestamp())
    assert by_title[copy.title].cluster == cast.article.pk
    plain = by_title[loose.title]
    assert plain.text == "No source\nKort text."
    assert (plain.company, plain.list_ids, plain.source_id) == (False, frozenset(), None)


def test_an_older_item_read_lately_still_lends_its_text(cast):
    now = timezone.now()
    evergreen = make_item(cast.nordlys, "Evergreen guide", published_at=now - 90 * 24 * HOURS)
    forgotten = make_item(cast.nordlys, "Forgotten guide", published_at=now - 90 * 24 * HOURS)
    record_interaction(cast.bob, evergreen, "opened", at=now - 5 * 24 * HOURS)
    items, _people, _events = load(cast.nordlys, now)
    ids = {item.id for item in items}
    assert evergreen.pk in ids
    assert forgotten.pk not in ids


def test_load_builds_people_with_what_they_read_and_follow(cast):
    cast.bob.languages = ["nb", "en"]
    cast.bob.save()
    cast.bob.topics.add(cast.cloud)
    cast.company_list.followers.add(cast.bob)
    cast.alice.user.is_active = False
    cast.alice.user.save()
    _items, people, _events = load(cast.nordlys, timezone.now())
    by_id = {person.id: person for person in people}
    assert set(by_id) == {cast.erik.pk, cast.lena.pk, cast.bob.pk, cast.sara.pk}
    bob = by_id[cast.bob.pk]
    assert bob.languages == frozenset({"nb", "nn", "en"})
    assert bob.topic_ids == frozenset({cast.cloud.pk})
    assert bob.list_ids == frozenset({cast.company_list.pk})
    assert bob.department_id == cast.engineering.pk
    assert by_id[cast.sara.pk].languages == frozenset({"en", "sv"})


def test_load_takes_the_organisations_feedback_only(cast):
    now = timezone.now()
    record_interaction(cast.bob, cast.article, "opened", at=now - HOURS)
    record_interaction(cast.sara, cast.article, "shared", at=now - 2 * HOURS)
    record_interaction(cast.charlie, cast.havn_article, "shared", at=now - HOURS)
    record_interaction(cast.bob, cast.article, "dismissed", at=now - dt.timedelta(days=400))
    _items, _people, events = load(cast.nordlys, now)
    assert [(e.person_id, e.item_id, e.kind) for e in events] == [
        (cast.sara.pk, cast.article.pk, "shared"),
        (cast.bob.pk, cast.article.pk, "opened"),
    ]
    assert events[1].at == pytest.approx((now - HOURS).timestamp())


def test_nothing_of_another_organisation_is_loaded(cast):
    items, people, _events = load(cast.havn, timezone.now())
    assert [item.id for item in items] == [cast.havn_article.pk]
    assert [person.id for person in people] == [cast.charlie.pk]


def test_loading_only_a_batch_gives_the_same_picks_as_loading_everyone(cast):
    """compose() loads only the batch's people and "delivered" events (plus every signal
    event and who made it): the picks must be the ones a load of everyone gives."""
    from budbringer.relevance.service import picks_for_people

    grow(cast, 8)
    now = timezone.now()
    for n in range(6):
        extra = make_person(cast.nordlys, f"batch{n}")
        extra.topics.add(cast.cloud)
    people = list(cast.nordlys.people.values_list("pk", flat=True))
    for item in list(cast.nordlys.items.all()[:3]):
        record_interaction(cast.bob, item, "delivered")
        record_interaction(cast.sara, item, "delivered")
    now = timezone.now() + dt.timedelta(seconds=1)
    batch = [cast.bob.pk, cast.lena.pk, *people[-3:]]
    limits = dict.fromkeys(batch, 5)

    def picked(data):
        picks = picks_for_people(cast.nordlys, limits, now=now, data=data)
        return {
            p: [(item.pk, pick.score, pick.reason) for item, pick in v] for p, v in picks.items()
        }

    everyone = load(cast.nordlys, now)
    shared: dict = {}
    only_batch = load(cast.nordlys, now, for_people=batch, shared=shared)
    assert len(only_batch[1]) < len(everyone[1])
    assert picked(only_batch) == picked(everyone)
    assert any(picked(everyone).values())
    # The shared part is reused by the next batch.
    again = load(cast.nordlys, now, for_people=batch, shared=shared)
    assert picked(again) == picked(everyone)
