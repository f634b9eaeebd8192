import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budbringer.content.models import ApprovalState
from budbringer.sources.models import Source, SourceList
from tests.conftest import make_item

HOURS = dt.timedelta(hours=1)


def titles(response) -> list[str]:
    return [item.title for item, _reason in response.context["cards"]]


def from_the_company(item):
    """Put the item on its own source in the company list: company content clears the
    ranker's bar on its own, and one source per item keeps the per-source limit out of it."""
    source = Source.objects.create(
        organisation=item.organisation,
        title=f"Blog {item.pk}",
        feed_url=f"https://b{item.pk}.example/",
    )
    source.lists.add(SourceList.objects.get(organisation=item.organisation, kind="company"))
    item.source = source
    item.save()
    return item


@pytest.fixture
def mix(cast):
    """Items bob may and may not see, besides the cast's approved English article."""
    now = timezone.now()
    return {
        "swedish": make_item(cast.nordlys, "Svensk nyhet", language="sv", published_at=now - HOURS),
        "future_expiry": make_item(cast.nordlys, "Still valid", expires_at=now + 24 * HOURS),
        "pending": make_item(cast.nordlys, "Pending piece", approval_state=ApprovalState.PENDING),
        "rejected": make_item(
            cast.nordlys, "Rejected piece", approval_state=ApprovalState.REJECTED
        ),
        "expired": make_item(cast.nordlys, "Expired piece", expires_at=now - HOURS),
        "danish": make_item(cast.nordlys, "Dansk nyhed", language="da"),
    }


def test_shows_approved_unexpired_items_in_the_persons_languages(cast, login, mix):
    for item in mix.values():
        from_the_company(item)
    response = login(cast.bob).get("/for-you/")
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted([cast.article.title, "Svensk nyhet", "Still valid"])
    for hidden in ("Pending piece", "Rejected piece", "Expired piece", "Dansk nyhed", "Havn"):
        assert hidden.encode() not in response.content


def test_all_else_equal_newest_first(cast, login):
    now = timezone.now()
    from_the_company(make_item(cast.nordlys, "Oldest", published_at=now - 30 * HOURS))
    from_the_company(make_item(cast.nordlys, "Newest", published_at=now - HOURS))
    from_the_company(make_item(cast.nordlys, "Middle", published_at=now - 10 * HOURS))
    response = login(cast.bob).get("/for-you/")
    # The cast's article was published two hours ago.
    assert titles(response) == ["Newest", cast.article.title, "Middle", "Oldest"]


def test_items_with_nothing_for_the_person_do_not_make_the_cut(cast, login, mix):
    """Fresh but from no followed list, on no followed topic, not company content."""
    assert titles(login(cast.bob).get("/for-you/")) == [cast.article.title]


def test_followed_topics_narrow_the_list(cast, login, mix):
    cast.bob.topics.add(cast.cloud)
    response = login(cast.bob).get("/for-you/")
    assert titles(response) == [cast.article.title]


def test_followed_lists_narrow_the_list_too(cast, login, mix):
    cast.company_list.followers.add(cast.bob)
    mix["swedish"].source = cast.blog
    mix["swedish"].save()
    response = login(cast.bob).get("/for-you/")
    # Both come from the Nordlys blog, which is on the followed list.
    assert titles(response) == ["Svensk nyhet", cast.article.title]


def test_topics_and_lists_add_up(cast, login, mix):
    other_topic = cast.nordlys.topics.create(name="Security")
    mix["future_expiry"].topics.add(other_topic)
    cast.bob.topics.add(other_topic)
    cast.company_list.followers.add(cast.bob)
    response = login(cast.bob).get("/for-you/")
    assert sorted(titles(response)) == sorted([cast.article.title, "Still valid"])


def test_an_item_on_two_followed_topics_appears_once(cast, login):
    security = cast.nordlys.topics.create(name="Security")
    cast.article.topics.add(security)
    cast.bob.topics.add(cast.cloud, security)
    assert titles(login(cast.bob).get("/for-you/")) == [cast.article.title]


def test_only_the_persons_own_organisation(cast, login):
    cast.havn_article.topics.add(cast.havn_topic)
    cast.charlie.topics.add(cast.havn_topic)
    charlie_sees = titles(login(cast.charlie).get("/for-you/"))
    assert charlie_sees == ["Havn opens a new terminal"]
    assert cast.havn_article.title.encode() not in login(cast.bob).get("/for-you/").content


def test_empty_list_says_so(cast, login):
    cast.bob.languages = ["nl"]
    cast.bob.save()
    response = login(cast.bob).get("/for-you/")
    assert titles(response) == []
    assert b'class="empty"' in response.content


def test_at_most_five(cast, login):
    for n in range(25):
        item = make_item(
            cast.nordlys, f"Item {n:02}", published_at=timezone.now() - (n + 3) * HOURS
        )
        from_the_company(item)
    assert len(titles(login(cast.bob).get("/for-you/"))) == 5


def _queries_for_you(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/for-you/").status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_items(cast, login, django_assert_max_num_queries):
    cast.bob.topics.add(cast.cloud)
    client = login(cast.bob)
    few = _queries_for_you(client)
    for n in range(15):
        item = make_item(cast.nordlys, f"Cloud {n}")
        item.topics.add(cast.cloud)
    assert _queries_for_you(client) == few
    # Session, user and person; 7 to load the organisation's items, people and feedback;
    # the ranker's weights; the picked items, their topics; names for the reasons.
    with django_assert_max_num_queries(16):
        client.get("/for-you/")
