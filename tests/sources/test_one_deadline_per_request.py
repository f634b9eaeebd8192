"""An editor's request that fetches (the preview of a new source, saving it, "Fetch now")
holds its web thread for BUDBRINGER_FETCH_TIMEOUT at most, however many slow feeds a page
advertises and however slowly a server trickles its answer. The margins are generous (a
loaded 2-core machine): without one shared deadline, these requests take several times
the deadline."""

import time

import pytest
from django.test import override_settings
from django.utils.html import escape

from budbringer.sources.models import FetchOutcome, Source
from tests.sources.feedserver import Reply, drip
from tests.sources.test_add_source import HTML, PAGE, RSS, preview, rss, save

DEADLINE = 2  # seconds
MARGIN = 2.5  # far below what one more slow feed would add
SLOW = 3  # seconds before each slow feed answers: longer than the deadline


@pytest.fixture(autouse=True)
def _short_deadline():
    with override_settings(FETCH_ALLOW=["127.0.0.1"], FETCH_TIMEOUT=DEADLINE):
        yield


@pytest.fixture
def site(feed_server):
    """A page advertising five feeds, each answering only after SLOW seconds."""
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/slow-{n}.xml">' for n in range(5)
    )
    for n in range(5):
        feed_server.route(
            f"/slow-{n}.xml", Reply(body=rss(2), headers={"Content-Type": RSS}, delay=SLOW)
        )
    body = f"<!doctype html><html><head>{links}</head><body>Hello</body></html>".encode()
    return feed_server.route("/", body=body, headers={"Content-Type": HTML})


@pytest.fixture
def client(cast, login):
    """Erik's client, after a first request: that one also imports every view's modules
    (the ranker's numpy and scikit-learn among them), seconds that are not the request's."""
    client = login(cast.erik)
    assert client.get(PAGE).status_code == 200
    return client


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def test_a_page_advertising_slow_feeds_answers_within_the_deadline(client, site):
    response, seconds = timed(lambda: preview(client, site))
    assert seconds < DEADLINE + MARGIN, f"{seconds:.1f} s"
    assert response.status_code == 200
    [error] = response.context["find"].errors["url"]
    assert error.startswith("Budbringer gave up after 2 seconds (BUDBRINGER_FETCH_TIMEOUT): ")
    assert "/slow-0.xml answers too slowly." in error
    assert escape(error) in response.content.decode()
    assert response.context["find"]["url"].value() == site  # the address stays


def test_a_page_that_trickles_is_cut_off_at_the_deadline(client, feed_server):
    trickle = feed_server.route("/", drip(b"<", every=0.3, headers={"Content-Type": HTML}))
    response, seconds = timed(lambda: preview(client, trickle))
    assert seconds < DEADLINE + MARGIN, f"{seconds:.1f} s"
    assert "answers too slowly" in response.context["find"].errors["url"][0]


def test_saving_a_slow_feed_answers_within_the_deadline(client, site, feed_server):
    slow_feed = feed_server.url("/slow-0.xml")
    response, seconds = timed(lambda: save(client, slow_feed, slow_feed))
    assert seconds < DEADLINE + MARGIN, f"{seconds:.1f} s"
    assert response.status_code == 200
    assert "answers too slowly" in response.context["find"].errors["url"][0]
    assert not Source.objects.filter(feed_url=slow_feed).exists()


def test_fetch_now_of_a_trickling_feed_answers_within_the_deadline(cast, client, feed_server):
    url = feed_server.route("/feed.xml", drip(b" ", every=0.3, headers={"Content-Type": RSS}))
    source = Source.objects.create(organisation=cast.nordlys, title="Trickle", feed_url=url)
    response, seconds = timed(lambda: client.post(f"/editor/sources/{source.pk}/fetch/"))
    assert seconds < DEADLINE + MARGIN, f"{seconds:.1f} s"
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "did not arrive within 2 seconds (BUDBRINGER_FETCH_TIMEOUT)" in body
    source.refresh_from_db()
    assert source.last_outcome == FetchOutcome.FAILED
