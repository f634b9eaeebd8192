"""When counting passes run: soon after a click (the deferred task), and safely side by side."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from budbringer.links import counting
from budbringer.links import tasks as link_tasks
from budbringer.links.counting import count_pending_clicks
from budbringer.links.events import clicks_counted
from budbringer.links.models import Click, ClickKind
from budbringer.links.tracking import create_link, record_click

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_pass_requested_yet(monkeypatch):
    """Forget passes an earlier test asked for: their task rows are gone with its database."""
    monkeypatch.setattr(link_tasks, "_requested_until", dt.datetime.min.replace(tzinfo=dt.UTC))


@pytest.fixture
def heard(transactional_db):
    """(thread name, click id, kind) for every click ``clicks_counted`` announced."""
    announced = []
    lock = threading.Lock()

    def receiver(sender, clicks, **kwargs):
        with lock:
            announced.extend((threading.current_thread().name, c.id, c.kind) for c in clicks)

    clicks_counted.connect(receiver)
    yield announced
    clicks_counted.disconnect(receiver)


def test_a_click_is_counted_by_the_worker_within_settle_plus_two_seconds(
    client, cast, heard, settings
):
    """The redirect asks for a pass; the database worker (as ``budbringer worker`` runs it)
    settles the click as soon as the pass is due, long before the minute's safety net."""
    link = create_link(cast.nordlys, "https://blog.example.com/post", person=cast.sara)
    started = time.monotonic()
    assert client.get(f"/l/{link.code}", HTTP_USER_AGENT=CHROME).status_code == 302
    deadline = started + settings.CLICK_SETTLE_SECONDS + 2
    while not heard and time.monotonic() < deadline:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    assert [(click_id, kind) for _thread, click_id, kind in heard] == [
        (Click.objects.get().id, ClickKind.UNIQUE)
    ], f"nothing counted after {elapsed:.1f} s"
    assert elapsed >= settings.CLICK_SETTLE_SECONDS  # it did wait for the burst window


def test_a_busy_redirect_asks_for_about_one_pass_per_half_second(client, cast, transactional_db):
    from django_tasks_db.models import DBTaskResult

    link = create_link(cast.nordlys, "https://blog.example.com/post", person=cast.sara)
    before = DBTaskResult.objects.filter(task_path__endswith="count_clicks").count()
    started = time.monotonic()
    for n in range(40):
        client.get(f"/l/{link.code}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR=f"192.0.2.{n}")
    seconds = time.monotonic() - started
    asked = DBTaskResult.objects.filter(task_path__endswith="count_clicks").count() - before
    assert 1 <= asked <= 2 * seconds + 2


def test_two_passes_at_once_settle_and_announce_each_click_once(heard, cast, monkeypatch):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("threads cannot share SQLite's in-memory test database; see PostgreSQL")
    monkeypatch.setattr(counting, "BATCH_SIZE", 25)
    links = [
        create_link(cast.nordlys, f"https://blog.example.com/p{n}", person=cast.sara)
        for n in range(3)
    ]
    # 60 readers: each opens link 0, and again 5 minutes later (a repeat); every third
    # reader is a scanner following all three links within a second.
    expected = Counter()
    for reader in range(60):
        ip = f"198.51.100.{reader}"
        at = T0 + dt.timedelta(seconds=20 * reader)
        if reader % 3 == 0:
            for n, link in enumerate(links):
                record_click(link, method="GET", user_agent=CHROME, referrer="", ip=ip,
                             now=at + dt.timedelta(milliseconds=200 * n))  # fmt: skip
            expected[ClickKind.SCANNER] += 3
        else:
            for minutes in (0, 5):
                record_click(links[0], method="GET", user_agent=CHROME, referrer="", ip=ip,
                             now=at + dt.timedelta(minutes=minutes))  # fmt: skip
            expected[ClickKind.UNIQUE] += 1
            expected[ClickKind.REPEAT] += 1

    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait()
            while count_pending_clicks(T0 + dt.timedelta(hours=2)):
                pass
        except Exception as error:  # reported below, a thread cannot fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"pass-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Counter(Click.objects.values_list("kind", flat=True)) == expected
    announced_ids = [click_id for _thread, click_id, _kind in heard]
    assert len(announced_ids) == len(set(announced_ids)) == Click.objects.count()
    assert Counter(kind for _thread, _id, kind in heard) == expected
