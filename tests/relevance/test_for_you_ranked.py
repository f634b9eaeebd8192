"""The For-you page shows the ranker's few picks, each with its reason and feedback buttons."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from budbringer.relevance.engine import Reason
from budbringer.relevance.events import record_interaction
from budbringer.relevance.models import Interaction
from budbringer.relevance.reasons import reason_text, reason_texts
from budbringer.relevance.service import load, picks_for, ranker_for
from budbringer.sources.models import Source, SourceList
from tests.conftest import make_item, make_person

HOURS = dt.timedelta(hours=1)


def titles(response) -> list[str]:
    return [item.title for item, _reason in response.context["cards"]]


@pytest.fixture
def industry(cast):
    """An industry list Bob follows, with a source and a fresh item of it."""
    news = SourceList.objects.create(
        organisation=cast.nordlys, name="Industry news", kind="industry"
    )
    source = Source.objects.create(
        organisation=cast.nordlys, title="Trade press", feed_url="https://press.example.com/rss"
    )
    source.lists.add(news)
    news.followers.add(cast.bob)
    item = make_item(
        cast.nordlys,
        "Data centre efficiency rules tighten",
        source=source,
        summary="New efficiency rules for data centres in the Nordics.",
        # A day old: following the list, not being new, is what brings it.
        published_at=timezone.now() - 24 * HOURS,
    )
    return item


def test_each_pick_shows_its_reason_and_two_feedback_buttons(cast, login, industry):
    response = login(cast.bob).get("/for-you/")
    assert response.status_code == 200
    html = response.content.decode()
    assert industry.title in titles(response)
    for item, reason in response.context["cards"]:
        assert reason
        assert f'<p class="reason">{reason}</p>' in html
        assert f'action="/items/{item.pk}/more-like-this/"' in html
        assert f'action="/items/{item.pk}/not-for-me/"' in html
    assert "More like this" in html
    assert "Not for me" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_an_item_from_a_followed_list_says_so(cast, login, industry):
    response = login(cast.bob).get("/for-you/")
    reasons = dict((item.title, reason) for item, reason in response.context["cards"])
    assert reasons[industry.title] == "Because you follow Industry news"


def test_not_for_me_hides_the_item_on_the_next_load(cast, login, industry):
    client = login(cast.bob)
    assert industry.title in titles(client.get("/for-you/"))
    response = client.post(f"/items/{industry.pk}/not-for-me/", follow=True)
    assert response.redirect_chain == [("/for-you/", 302)]
    assert industry.title not in titles(response)
    assert "will not be suggested again" in response.content.decode()
    assert list(cast.bob.interactions.values_list("item_id", "kind")) == [
        (industry.pk, "dismissed")
    ]
    # Only Bob's page changes.
    industry.source.lists.get().followers.add(cast.sara)
    assert industry.title in titles(login(cast.sara).get("/for-you/"))


def test_more_like_this_is_recorded(cast, login, industry):
    response = login(cast.bob).post(f"/items/{industry.pk}/more-like-this/")
    assert response.status_code == 302
    assert response["Location"] == "/for-you/"
    interaction = Interaction.objects.get()
    assert (interaction.person, interaction.item, interaction.kind) == (
        cast.bob,
        industry,
        "more_like_this",
    )
    assert interaction.organisation == cast.nordlys


@pytest.mark.parametrize("action", ["more-like-this", "not-for-me"])
def test_feedback_on_another_organisations_item_is_404(cast, login, action):
    client = login(cast.bob)
    assert client.post(f"/items/{cast.havn_article.pk}/{action}/").status_code == 404
    assert client.post(f"/items/999999/{action}/").status_code == 404
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("action", ["more-like-this", "not-for-me"])
def test_feedback_needs_a_post(cast, login, action):
    assert login(cast.bob).get(f"/items/{cast.article.pk}/{action}/").status_code == 405
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("action", ["more-like-this", "not-for-me"])
def test_feedback_needs_the_csrf_token(cast, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob.user)
    assert client.post(f"/items/{cast.article.pk}/{action}/").status_code == 403
    assert not Interaction.objects.exists()


def test_feedback_on_a_pending_item_is_404(cast, login):
    pending = make_item(cast.nordlys, "Draft", approval_state="pending")
    assert login(cast.bob).post(f"/items/{pending.pk}/not-for-me/").status_code == 404


def test_nothing_in_a_language_the_employee_does_not_read(cast, login):
    make_item(cast.nordlys, "Svensk nyhet", language="sv")
    cast.bob.languages = ["nl"]
    cast.bob.save()
    response = login(cast.bob).get("/for-you/")
    assert titles(response) == []
    assert "Nothing new for you right now" in response.content.decode()
    assert b'class="reason"' not in response.content


def test_reading_bokmal_brings_nynorsk_items(cast, login):
    nynorsk = make_item(cast.nordlys, "Nynorsk nytt om skya", language="nn", source=cast.blog)
    cast.bob.languages = ["nb"]
    cast.bob.save()
    assert nynorsk.title in titles(login(cast.bob).get("/for-you/"))


def test_at_most_a_budget_of_five(cast, login):
    cast.company_list.followers.add(cast.bob)
    for n in range(12):
        source = Source.objects.create(
            organisation=cast.nordlys, title=f"Blog {n}", feed_url=f"https://b{n}.example.com/rss"
        )
        source.lists.add(cast.company_list)
        make_item(
            cast.nordlys,
            f"Company news {n}",
            source=source,
            published_at=timezone.now() - n * HOURS,
        )
    assert 0 < len(titles(login(cast.bob).get("/for-you/"))) <= 5


def test_only_the_persons_own_organisation(cast, login):
    cast.havn_article.topics.add(cast.havn_topic)
    cast.charlie.topics.add(cast.havn_topic)
    cast.bob.languages = []  # reads everything
    cast.bob.save()
    assert cast.havn_article.title.encode() not in login(cast.bob).get("/for-you/").content
    assert "Havn opens a new terminal" in titles(login(cast.charlie).get("/for-you/"))


# The reasons in words.


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (Reason("colleagues", {}), "Popular with your colleagues"),
        (Reason("similar", {}), "Like what you read before"),
        (Reason("company", {}), "From the company"),
        (Reason("popular", {}), "Popular right now"),
        (Reason("fresh", {}), "New"),
        (Reason("something_new_in_the_engine", {}), "Picked for you"),
    ],
)
def test_plain_reasons(cast, reason, text):
    assert reason_text(reason, cast.nordlys) == text


def test_reasons_are_filled_with_names(cast):
    with override("en"):
        assert (
            reason_text(Reason("follows_list", {"list_id": cast.company_list.pk}), cast.nordlys)
            == "Because you follow Company blog"
        )
        assert (
            reason_text(Reason("follows_topic", {"topic_id": cast.cloud.pk}), cast.nordlys)
            == "Because you follow the topic Cloud"
        )
        shares = Reason("department_shares", {"count": 6, "department_id": cast.sales.pk})
        assert reason_text(shares, cast.nordlys) == "Shared by 6 people in Sales"
        one = Reason("department_shares", {"count": 1, "department_id": cast.sales.pk})
        assert reason_text(one, cast.nordlys) == "Shared by 1 person in Sales"


def test_names_of_another_organisation_are_never_filled_in(cast):
    reasons = [
        Reason("follows_list", {"list_id": cast.havn_list.pk}),
        Reason("follows_topic", {"topic_id": cast.havn_topic.pk}),
        Reason("department_shares", {"count": 3, "department_id": cast.havn_ops.pk}),
    ]
    texts = reason_texts(reasons, cast.nordlys)
    assert not any("Havn" in text or "Ports" in text or "Operations" in text for text in texts)
    assert texts == ["Picked for you", "Picked for you", "Popular with your colleagues"]


def test_names_are_looked_up_once_per_kind(cast, django_assert_num_queries):
    reasons = [Reason("follows_topic", {"topic_id": cast.cloud.pk})] * 5 + [
        Reason("follows_list", {"list_id": cast.company_list.pk}),
        Reason("fresh", {}),
    ]
    with django_assert_num_queries(2):
        reason_texts(reasons, cast.nordlys)


def test_what_the_department_shares_is_suggested_with_its_count(cast, login):
    """Colleagues' feedback counts although only the person's own row is wanted."""
    # A few days old, so that being new is not its strongest point.
    report = make_item(
        cast.nordlys, "Quarterly pipeline report", published_at=timezone.now() - 72 * HOURS
    )
    sellers = [cast.sara] + [
        make_person(cast.nordlys, f"seller{n}", department=cast.sales) for n in range(5)
    ]
    for seller in sellers:
        record_interaction(seller, report, "shared")
    response = login(cast.lena).get("/for-you/")
    cards = dict((item.title, reason) for item, reason in response.context["cards"])
    assert cards[report.title] == "Shared by 6 people in Sales"
    assert "Shared by 6 people in Sales" in response.content.decode()


def test_picks_for_one_person_are_those_of_ranking_everyone(cast):
    """Leaving people without feedback out of the ranking changes nothing for the person."""
    now = timezone.now()
    security = cast.nordlys.topics.create(name="Security")
    cast.bob.topics.add(security)
    cast.company_list.followers.add(cast.sara)
    items = []
    for n in range(12):
        item = make_item(
            cast.nordlys,
            f"{'Phishing' if n % 2 else 'Cloud'} news {n}",
            language="en" if n % 3 else "sv",
            published_at=now - (n + 1) * HOURS,
        )
        item.topics.add(security if n % 2 else cast.cloud)
        items.append(item)
    for n, item in enumerate(items[:6]):
        record_interaction(cast.sara, item, "opened" if n % 2 else "shared", at=now - HOURS / 2)
        record_interaction(cast.lena, item, "opened", at=now - HOURS / 2)
    record_interaction(cast.bob, items[1], "more_like_this", at=now - HOURS / 4)
    for person in (cast.bob, cast.erik, cast.sara):
        alone = [(item.pk, pick.reason) for item, pick in picks_for(person, now=now)]
        loaded_items, people, events = load(cast.nordlys, now)
        everyone = ranker_for(cast.nordlys).select(loaded_items, people, events, now.timestamp())
        assert alone == [(pick.item_id, pick.reason) for pick in everyone[person.pk]]
        assert alone, person


def test_an_inactive_login_gets_nothing(cast):
    cast.bob.user.is_active = False
    cast.bob.user.save()
    assert picks_for(cast.bob) == []
