"""/lists/: everyone follows the lists and topics of their own organisation."""

import datetime as dt

import pytest
from django.utils import timezone

from budbringer.content.models import Topic
from budbringer.sources.following import follow_list, follow_topic
from budbringer.sources.models import Source, SourceList
from tests.conftest import make_item

PAGE = "/lists/"


def test_the_page_shows_every_list_with_its_sources_and_every_topic(cast, login):
    Topic.objects.filter(pk=cast.cloud.pk).update(keywords="cloud\nhyperscaler\nmoln")
    Source.objects.create(
        organisation=cast.nordlys, title="Another feed", feed_url="https://p.example/feed",
    ).lists.add(cast.company_list)  # fmt: skip
    response = login(cast.bob).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Company blog" in body
    assert "Another feed · Nordlys blog" in body  # what the list holds
    assert "Cloud" in body
    assert "Items about: cloud, hyperscaler, moln" in body
    assert f'action="/lists/{cast.company_list.pk}/follow/"' in body
    assert f'action="/topics/{cast.cloud.pk}/follow/"' in body
    assert "Havn" not in body
    assert "Ports" not in body


def test_the_page_is_in_everyones_menu(cast, login):
    for person in (cast.bob, cast.erik, cast.sara):
        assert b'href="/lists/"' in login(person).get("/for-you/").content


def test_following_and_unfollowing_a_list(cast, login):
    client = login(cast.bob)
    url = f"/lists/{cast.company_list.pk}/follow/"
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/lists/#list-{cast.company_list.pk}"
    assert list(cast.bob.followed_lists.all()) == [cast.company_list]
    body = client.get(PAGE).content.decode()
    assert "Unfollow Company blog" in body
    assert client.post(url).status_code == 302  # twice is still once
    assert cast.company_list.followers.count() == 1
    client.post(url, {"follow": "no"})
    assert not cast.bob.followed_lists.exists()
    assert "Follow Company blog" in client.get(PAGE).content.decode()


def test_following_and_unfollowing_a_topic(cast, login):
    client = login(cast.sara)
    url = f"/topics/{cast.cloud.pk}/follow/"
    response = client.post(url)
    assert response["Location"] == f"/lists/#topic-{cast.cloud.pk}"
    assert list(cast.sara.topics.all()) == [cast.cloud]
    assert "Unfollow Cloud" in client.get(PAGE).content.decode()
    client.post(url, {"follow": "no"})
    assert not cast.sara.topics.exists()


def test_following_changes_what_is_suggested(cast, login):
    other = Source.objects.create(
        organisation=cast.nordlys, title="Other", feed_url="https://other.example/feed"
    )
    trade = SourceList.objects.create(organisation=cast.nordlys, name="Trade press")
    other.lists.add(trade)
    elsewhere = make_item(
        cast.nordlys,
        "From elsewhere",
        source=other,
        published_at=timezone.now() - dt.timedelta(days=1),
    )
    client = login(cast.bob)
    # From nothing Bob follows: not worth his time yet.
    assert [item for item, _reason in client.get("/for-you/").context["cards"]] == [cast.article]
    client.post(f"/lists/{trade.pk}/follow/")
    cards = client.get("/for-you/").context["cards"]
    assert (elsewhere, "Because you follow Trade press") in cards


def test_a_list_or_topic_of_another_organisation_is_404(cast, login):
    client = login(cast.bob)
    assert client.post(f"/lists/{cast.havn_list.pk}/follow/").status_code == 404
    assert client.post(f"/topics/{cast.havn_topic.pk}/follow/").status_code == 404
    assert client.post(f"/lists/{cast.havn_list.pk}/follow/", {"follow": "no"}).status_code == 404
    assert not cast.havn_list.followers.exists()
    assert not cast.bob.topics.exists()


def test_following_needs_a_post_and_a_sign_in(cast, client, login):
    url = f"/lists/{cast.company_list.pk}/follow/"
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert login(cast.bob).get(url).status_code == 405
    assert not cast.company_list.followers.exists()


def test_the_follow_functions_refuse_another_organisations_things(cast):
    with pytest.raises(ValueError):
        follow_list(cast.bob, cast.havn_list)
    with pytest.raises(ValueError):
        follow_topic(cast.bob, cast.havn_topic)
    assert not cast.havn_list.followers.exists()
