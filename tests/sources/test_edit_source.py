"""/editor/sources/<id>/: change, pause, fetch now, delete; the organisation's sources only."""

import pytest
from django.test import override_settings

from budbringer.content.models import Item
from budbringer.sources.models import Source, SourceList


@pytest.fixture
def customers(cast):
    return SourceList.objects.create(organisation=cast.nordlys, name="Customers")


def form(**fields):
    return {"title": "Nordlys blog", "kind": "article", "language": "en", **fields}


def test_the_page_shows_the_source_and_its_state(cast, login):
    response = login(cast.erik).get(f"/editor/sources/{cast.blog.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "https://blog.example.com/feed.xml" in body
    assert "Not fetched yet" in body
    assert "Fetch now" in body
    assert response.context["form"].initial["lists"] == [cast.company_list]


def test_changing_lists_title_and_pausing(cast, login, customers):
    response = login(cast.erik).post(
        f"/editor/sources/{cast.blog.pk}/",
        form(title="The Nordlys blog", lists=[customers.pk], kind="video", auto_approve="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/editor/sources/"
    cast.blog.refresh_from_db()
    assert cast.blog.title == "The Nordlys blog"
    assert list(cast.blog.lists.all()) == [customers]
    assert (cast.blog.kind, cast.blog.language) == ("video", "en")
    assert cast.blog.auto_approve
    assert not cast.blog.is_active  # is_active was not ticked


def test_a_list_of_another_organisation_is_refused(cast, login):
    response = login(cast.erik).post(
        f"/editor/sources/{cast.blog.pk}/", form(lists=[cast.havn_list.pk], is_active="on")
    )
    assert response.status_code == 200
    assert "lists" in response.context["form"].errors
    assert list(cast.blog.lists.all()) == [cast.company_list]


def test_deleting_asks_first_and_keeps_the_items(cast, login):
    client = login(cast.alice)
    page = client.get(f"/editor/sources/{cast.blog.pk}/delete/")
    assert page.status_code == 200
    assert "Its 1 item stays" in page.content.decode()
    assert Source.objects.filter(pk=cast.blog.pk).exists()
    response = client.post(f"/editor/sources/{cast.blog.pk}/delete/")
    assert response.status_code == 302
    assert not Source.objects.filter(pk=cast.blog.pk).exists()
    assert Item.objects.get(pk=cast.article.pk).source is None


def test_sources_of_another_organisation_are_404(cast, login):
    client = login(cast.alice)
    havn = cast.havn_source.pk
    assert client.get(f"/editor/sources/{havn}/").status_code == 404
    assert client.post(f"/editor/sources/{havn}/", form(title="Mine")).status_code == 404
    assert client.post(f"/editor/sources/{havn}/delete/").status_code == 404
    assert client.post(f"/editor/sources/{havn}/fetch/").status_code == 404
    cast.havn_source.refresh_from_db()
    assert cast.havn_source.title == "Havn news"


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
def test_only_editors(cast, login, who):
    client = login(getattr(cast, who))
    assert client.get(f"/editor/sources/{cast.blog.pk}/").status_code == 403
    assert client.post(f"/editor/sources/{cast.blog.pk}/delete/").status_code == 403
    assert client.post(f"/editor/sources/{cast.blog.pk}/fetch/").status_code == 403
    assert Source.objects.filter(pk=cast.blog.pk).exists()


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title>
<link>https://local.example/</link>
<item><title>Cranes arrive in the harbour this week</title><link>https://local.example/cranes</link>
<description>Two new cranes arrive in the harbour, ready for the winter.</description></item>
</channel></rss>"""


@override_settings(FETCH_ALLOW=["127.0.0.1"])
def test_fetch_now_fetches_the_source_and_says_what_came(cast, login, feed_server):
    url = feed_server.route("/feed.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    source = Source.objects.create(organisation=cast.nordlys, title="Local", feed_url=url)
    response = login(cast.erik).post(f"/editor/sources/{source.pk}/fetch/", follow=True)
    assert response.redirect_chain == [(f"/editor/sources/{source.pk}/", 302)]
    assert "“Local” is fetched: 1 new item." in response.content.decode()
    source.refresh_from_db()
    assert source.last_outcome == "ok"
    assert source.items.get().title == "Cranes arrive in the harbour this week"


@override_settings(FETCH_ALLOW=["127.0.0.1"])
def test_fetch_now_shows_the_error_in_plain_words(cast, login, feed_server):
    source = Source.objects.create(
        organisation=cast.nordlys, title="Gone", feed_url=feed_server.url("/gone.xml")
    )
    response = login(cast.erik).post(f"/editor/sources/{source.pk}/fetch/", follow=True)
    body = response.content.decode()
    assert "The feed server answered 404 Not Found." in body
    assert "Failed 1 time in a row:" in body
