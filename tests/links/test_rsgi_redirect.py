"""The redirect front under RSGI (budbringer/rsgi.py): the 302 awaits its click's commit
on the event loop; everything else, and any database read, happens in a thread."""

import asyncio
import threading
from urllib.parse import urlsplit

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from budbringer.lib.wsgi_bridge import WSGIBridge
from budbringer.links import clickstore, fastpath
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click
from budbringer.links.tracking import create_link
from budbringer.rsgi import django_application
from tests.rsgi import acall

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

# The writer and Django's threads have their own connections: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def front():
    # One thread for Django, so its database connection can be closed after the test.
    app = fastpath.RedirectFront(WSGIBridge(django_application, threads=1))
    yield app
    app.django.executor.submit(lambda: connection.close()).result()  # in its own thread
    app.django.executor.shutdown()


@pytest.fixture
def link(cast):
    return create_link(
        cast.nordlys, "https://blog.example.com/post?id=7", code="welcome", network="linkedin"
    )


def get(front, path="/l/welcome", method="GET", headers=()):
    return asyncio.run(acall(front, path, method, headers=[("User-Agent", CHROME), *headers]))


def test_302_to_the_registered_target_and_exactly_one_click(front, link):
    answer = get(front, headers=[("Referer", "https://www.linkedin.com/feed/")])
    assert answer.status == 302
    target = urlsplit(answer.headers["Location"])
    assert (target.netloc, target.path) == ("blog.example.com", "/post")
    assert "utm_source=linkedin" in target.query
    click = Click.objects.get()
    assert (click.link_id, click.network, click.referrer_host) == (
        link.id,
        "linkedin",
        "www.linkedin.com",
    )
    assert (click.user_agent_family, click.kind) == ("Chrome", "pending")
    assert len(click.visitor_hash) == 64
    assert "203.0.113.9" not in " ".join(map(str, Click.objects.values().get().values()))


def test_the_link_and_salt_are_read_in_a_thread_then_served_from_memory(front, link):
    # Django refuses the ORM on the event loop's thread (SynchronousOnlyOperation): the
    # first request reads in a thread; the next ones need no database read at all.
    assert get(front).status == 302
    assert fastpath._cached_link("welcome") is not None
    assert get(front, method="HEAD").status == 302
    assert sorted(Click.objects.values_list("kind", flat=True)) == ["pending", "probe"]


def test_unknown_codes_other_methods_and_pages_go_to_django(front, link):
    answer = get(front, "/l/nope")
    assert answer.status == 404
    assert b"There is nothing at this address" in answer.content
    assert get(front, method="POST").status in (403, 405)
    assert get(front, "/healthz").content == b"ok"
    login = get(front, "/accounts/login/")
    assert login.status == 200
    assert "csrftoken" in login.headers.get("Set-Cookie", "")
    assert not Click.objects.exists()


def test_requests_in_flight_share_transactions_and_each_gets_its_row(front, link):
    assert get(front).status == 302  # the link and the day's salt cached
    fastpath.writer.stop()  # its signal for this click sent before the receiver listens
    Click.objects.all().delete()
    batches = []

    def receiver(sender, clicks, **kwargs):
        batches.append(len(clicks))

    async def many():
        return await asyncio.gather(*(acall(front, "/l/welcome") for _ in range(300)))

    clicks_recorded.connect(receiver)
    try:
        answers = asyncio.run(many())
        fastpath.writer.stop()  # the signal comes after the 302s: wait for the last one
    finally:
        clicks_recorded.disconnect(receiver)
    assert [answer.status for answer in answers] == [302] * 300
    assert Click.objects.count() == 300
    assert sum(batches) == 300  # each stored click announced once
    assert len(batches) < 30  # a coroutine holds no thread: everything waiting joins in


def test_a_failed_write_answers_503_and_stores_nothing(front, link, monkeypatch):
    assert get(front).status == 302
    Click.objects.all().delete()
    held = threading.Event()

    def fail(clicks):
        held.wait(5)
        raise DatabaseError("disk full")

    monkeypatch.setattr(clickstore, "_insert", fail)

    async def some():
        asyncio.get_running_loop().call_later(0.2, held.set)
        return await asyncio.gather(*(acall(front, "/l/welcome") for _ in range(5)))

    assert [answer.status for answer in asyncio.run(some())] == [503] * 5
    monkeypatch.undo()
    assert not Click.objects.exists()
    assert get(front).status == 302  # the writer recovers
    assert Click.objects.count() == 1


def test_a_click_not_stored_in_time_answers_503(front, link, monkeypatch):
    assert get(front).status == 302
    release = threading.Event()
    monkeypatch.setattr(clickstore, "_insert", lambda clicks: release.wait(5))

    async def timed_out():
        row = clickstore.ClickRow(link.organisation_id, link.id, timezone.now(), "", "", "", "", "")
        return await fastpath.writer.store_async(row, timeout=0.1)

    try:
        assert asyncio.run(timed_out()) is False
    finally:
        release.set()


def test_a_failed_read_answers_503(front, link, monkeypatch):
    def unavailable(day):
        raise OSError("database unreachable")

    monkeypatch.setattr("budbringer.links.visitors.salt_for", unavailable)
    answer = get(front)
    assert (answer.status, answer.headers["Retry-After"]) == (503, "1")
    assert not Click.objects.exists()
