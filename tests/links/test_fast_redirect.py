"""The redirect front in budbringer/wsgi.py: a 302 only once the click is committed."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.db import DatabaseError, IntegrityError, connection
from django.utils import timezone

from budbringer.core.rows import insert_fields
from budbringer.links import clickstore, fastpath
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click
from budbringer.links.tracking import create_link
from budbringer.wsgi import application

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

# The click writer is a thread with its own database connection: it must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def call(path, method="GET", **headers):
    """Call the WSGI application the way a server does; the status, headers and body."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_USER_AGENT": CHROME,
        "wsgi.input": BytesIO(b""),
        **headers,
    }
    setup_testing_defaults(environ)
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        answered["status"] = int(status.split()[0])
        answered["headers"] = dict(response_headers)

    body = b"".join(application(environ, start_response))
    return answered["status"], answered["headers"], body


def call_in_thread(path):
    """`call` from a pool thread, which must not leave its database connection open."""
    try:
        return call(path)
    finally:
        connection.close()


@pytest.fixture
def link(cast):
    return create_link(
        cast.nordlys, "https://blog.example.com/post?id=7", code="welcome", network="linkedin"
    )


def test_302_to_the_registered_target_and_exactly_one_click(link):
    status, headers, _ = call(
        "/l/welcome", HTTP_REFERER="https://www.linkedin.com/feed/", QUERY_STRING="next=//evil"
    )
    assert status == 302
    target = urlsplit(headers["Location"])
    assert (target.netloc, target.path) == ("blog.example.com", "/post")
    assert "utm_source=linkedin" in target.query
    click = Click.objects.get()
    assert (click.link_id, click.organisation_id) == (link.id, link.organisation_id)
    assert (click.network, click.referrer_host) == ("linkedin", "www.linkedin.com")
    assert (click.user_agent_family, click.kind) == ("Chrome", "pending")
    assert len(click.visitor_hash) == 64
    stored = " ".join(str(value) for value in Click.objects.values().get().values())
    assert "203.0.113.9" not in stored


def test_bots_previews_and_probes_get_their_kind(link):
    call("/l/welcome", HTTP_USER_AGENT="LinkedInBot/1.0 (compatible; Mozilla/5.0)")
    call("/l/welcome", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    call("/l/welcome", method="HEAD")
    assert sorted(Click.objects.values_list("kind", flat=True)) == ["bot", "preview", "probe"]


def test_unknown_code_and_other_methods_go_to_django(link):
    status, _, body = call("/l/nope")
    assert status == 404
    assert b"There is nothing at this address" in body
    assert call("/l/welcome", method="POST")[0] in (403, 405)  # CSRF, then require_safe
    assert call("/l/we/come")[0] == 404
    assert not Click.objects.exists()


def test_a_deleted_link_stops_after_the_cache_expires(link):
    assert call("/l/welcome")[0] == 302
    link.delete()
    assert call("/l/welcome")[0] == 503  # still cached, but a click cannot outlive its link
    fastpath.clear_caches()
    assert call("/l/welcome")[0] == 404


def test_concurrent_requests_each_get_one_row_written_in_few_transactions(link):
    # The link and the day's salt cached first: the test database (SQLite in memory, shared
    # cache) refuses concurrent writes at once instead of waiting like a file does.
    assert call("/l/welcome")[0] == 302
    fastpath.writer.stop()  # its signal for this click sent before the receiver listens
    Click.objects.all().delete()
    batches = []

    def receiver(sender, clicks, **kwargs):
        batches.append(len(clicks))

    clicks_recorded.connect(receiver)
    try:
        with ThreadPoolExecutor(16) as pool:
            statuses = [answer[0] for answer in pool.map(call_in_thread, ["/l/welcome"] * 300)]
        fastpath.writer.stop()  # the signal comes after the 302s: wait for the last one
    finally:
        clicks_recorded.disconnect(receiver)
    assert statuses == [302] * 300
    assert Click.objects.count() == 300
    assert sum(batches) == 300  # each stored click announced once
    assert len(batches) < 300  # clicks waiting together were committed together


def test_a_failed_write_answers_503_and_stores_nothing_of_its_batch(link, monkeypatch):
    assert call("/l/welcome")[0] == 302  # link and salt cached: only the write can fail
    Click.objects.all().delete()
    release = threading.Event()
    batches = []

    # Hold the writer on a first batch, so the next requests queue up into one batch.
    def slow_then_fail(clicks):
        batches.append(len(clicks))
        release.wait(5)
        raise DatabaseError("disk full")

    monkeypatch.setattr(clickstore, "_insert", slow_then_fail)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(call_in_thread, "/l/welcome") for _ in range(8)]
        release.set()
        statuses = [future.result()[0] for future in futures]
    assert statuses == [503] * 8
    assert not Click.objects.exists()
    assert len(batches) < 8  # some waited together (not retried one by one: not their fault)
    monkeypatch.undo()
    assert call("/l/welcome")[0] == 302  # the writer recovers
    assert Click.objects.count() == 1


def test_a_batch_is_stored_whole_or_not_at_all_then_row_by_row(link, cast):
    doomed = create_link(cast.nordlys, "https://blog.example.com/old", code="doomed")
    clicks = [
        fastpath.click_for(
            fastpath._load_link(code),
            method="GET",
            user_agent=CHROME,
            referrer="",
            ip="203.0.113.9",
            now=timezone.now(),
        )
        for code in ("welcome", "doomed", "welcome")
    ]
    assert clickstore.store_clicks(clicks[:1]) == [True]
    assert Click.objects.get().link_id == clicks[0].link_id
    doomed.delete()
    with pytest.raises(IntegrityError):
        clickstore._insert(clicks[1:])  # the first row's link is gone: neither is kept
    assert Click.objects.count() == 1
    # The writer's way: the batch fails, so each row is tried alone.
    assert clickstore.store_clicks(clicks[1:]) == [False, True]
    assert Click.objects.filter(link=link).count() == 2
    connection.close()


def test_rows_follow_the_click_columns():
    assert [field.attname for field in insert_fields(Click)] == list(clickstore.ClickRow._fields)


def test_one_bad_click_in_a_batch_does_not_fail_the_others(link, cast):
    doomed = create_link(cast.nordlys, "https://blog.example.com/old", code="doomed")
    assert call("/l/doomed")[0] == 302  # now cached, as are the day's salt...
    assert call("/l/welcome")[0] == 302  # ...and this link
    doomed.delete()  # its clicks can no longer be stored
    entered, release = threading.Event(), threading.Event()
    original = fastpath.writer.write

    def held(batch):
        entered.set()
        release.wait(10)
        return original(batch)

    # The writer is held on a first click, so the next ones wait together in one batch.
    fastpath.writer.write = held
    try:
        with ThreadPoolExecutor(6) as pool:
            first = pool.submit(call_in_thread, "/l/welcome")
            assert entered.wait(10)
            paths = ["/l/welcome", "/l/doomed", "/l/welcome", "/l/welcome", "/l/welcome"]
            futures = [pool.submit(call_in_thread, path) for path in paths]
            time.sleep(0.5)  # all five queued behind the first
            release.set()
            statuses = [future.result()[0] for future in [first, *futures]]
    finally:
        del fastpath.writer.write
    assert statuses == [302, 302, 503, 302, 302, 302]
    assert Click.objects.filter(link=link).count() == 1 + 5


def test_a_failed_read_answers_503(link, monkeypatch):
    def unavailable(day):
        raise OSError("database unreachable")

    monkeypatch.setattr("budbringer.links.visitors.salt_for", unavailable)
    assert call("/l/welcome")[0] == 503
    assert not Click.objects.exists()
