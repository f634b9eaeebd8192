"""The click journal (links/journal.py) and its ingester (links/ingester.py): the RSGI
front journals its clicks in a real folder, the ingester stores them in the database."""

import asyncio
import fcntl
import os
import stat
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from budbringer.lib.wsgi_bridge import WSGIBridge
from budbringer.links import fastpath, ingester, journal
from budbringer.links.clickstore import ClickRow
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click, ClickJournalFile
from budbringer.links.tracking import create_link
from budbringer.rsgi import django_application
from tests.rsgi import acall

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folder(tmp_path):
    return str(tmp_path / "clicks")


@pytest.fixture
def clicks(folder):
    worker_journal = journal.ClickJournal(folder)
    yield worker_journal
    worker_journal.close()


@pytest.fixture
def front(clicks):
    app = fastpath.RedirectFront(WSGIBridge(django_application, threads=1), clicks=clicks)
    yield app
    app.django.executor.submit(lambda: connection.close()).result()
    app.django.executor.shutdown()


@pytest.fixture
def link(cast):
    return create_link(cast.nordlys, "https://blog.example.com/post", code="welcome")


def run_many(front, paths):
    async def many():
        return await asyncio.gather(*(acall(front, path) for path in paths))

    return [answer.status for answer in asyncio.run(many())]


def journal_files(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(journal.SUFFIX))


def row_for(link, referrer="a.example"):
    return ClickRow(
        link.organisation_id, link.id, timezone.now(), "", referrer, "Chrome", "pending", "v"
    )


def test_every_302_is_journaled_before_it_is_sent_and_stored_once(front, link, folder, clicks):
    assert run_many(front, ["/l/welcome"] * 200) == [302] * 200
    assert not Click.objects.exists()  # journaled, not stored yet
    (name,) = journal_files(folder)
    assert os.path.getsize(os.path.join(folder, name)) > 200 * 50

    assert ingester.Ingester(folder).run_once() == 200
    assert Click.objects.filter(link=link).count() == 200
    # The file is its worker's still (locked): it stays, with how far it is stored.
    assert journal_files(folder) == [name]
    assert ClickJournalFile.objects.get(name=name).offset == os.path.getsize(f"{folder}/{name}")

    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700  # only this user reads clicks
    assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600


def test_a_finished_file_is_deleted_once_stored(link, folder, clicks):
    clicks.append(row_for(link))
    reader = ingester.Ingester(folder)
    assert reader.run_once() == 1
    clicks.close()  # the worker rotates or exits: the lock is released
    assert reader.run_once() == 0
    assert journal_files(folder) == []
    assert not ClickJournalFile.objects.exists()
    assert Click.objects.count() == 1


def test_a_full_file_is_rotated_and_every_file_is_stored(link, folder):
    small = journal.ClickJournal(folder, max_file_bytes=1000)
    try:
        for number in range(40):
            assert small.append(row_for(link, f"r{number}.example"))
        assert len(journal_files(folder)) > 3
        reader = ingester.Ingester(folder)
        assert reader.run_once() == 40
        assert len(journal_files(folder)) == 1  # the rest were finished and deleted
    finally:
        small.close()
    referrers = Click.objects.values_list("referrer_host", flat=True)
    assert sorted(referrers) == sorted(f"r{number}.example" for number in range(40))


def test_a_restarted_ingester_stores_only_what_is_new(link, folder, clicks):
    for _ in range(5):
        clicks.append(row_for(link))
    assert ingester.Ingester(folder).run_once() == 5
    # A new process (the old one killed after its commit) starts from the stored offset.
    assert ingester.Ingester(folder).run_once() == 0
    clicks.append(row_for(link))
    assert ingester.Ingester(folder).run_once() == 1
    assert Click.objects.count() == 6


def test_two_ingesters_reading_the_same_lines_store_them_once(link, folder, clicks):
    for _ in range(3):
        clicks.append(row_for(link))
    first, second = ingester.Ingester(folder), ingester.Ingester(folder)
    first._scan(), second._scan()  # both know the file at offset 0
    assert first.run_once() == 3
    assert second.run_once() == 0  # its offset moved under it: nothing stored twice
    clicks.append(row_for(link))
    assert second.run_once() == 1  # and it goes on from the right place
    assert first.run_once() == 0
    assert Click.objects.count() == 4


def test_a_click_on_a_deleted_link_is_dropped_and_the_others_stored(link, cast, folder, clicks):
    doomed = create_link(cast.nordlys, "https://blog.example.com/old", code="doomed")
    clicks.append(row_for(link, "kept.example"))
    clicks.append(row_for(doomed, "dropped.example"))
    clicks.append(row_for(link, "kept.example"))
    doomed.delete()
    assert ingester.Ingester(folder).run_once() == 2
    assert list(Click.objects.values_list("referrer_host", flat=True)) == ["kept.example"] * 2
    assert ingester.Ingester(folder).run_once() == 0  # the offset moved past all three


def test_a_line_cut_by_a_crash_is_never_stored(link, folder, clicks):
    clicks.append(row_for(link, "whole.example"))
    name = journal_files(folder)[0]
    line = journal.encode(row_for(link, "cut.example"))
    os.write(clicks._fd, line[: len(line) // 2])  # the worker killed inside its write
    clicks.close()
    assert ingester.Ingester(folder).run_once() == 1
    assert list(Click.objects.values_list("referrer_host", flat=True)) == ["whole.example"]
    assert name not in journal_files(folder)


def test_a_database_failure_stores_nothing_and_the_next_pass_everything(
    link, folder, clicks, monkeypatch
):
    for _ in range(4):
        clicks.append(row_for(link))
    reader = ingester.Ingester(folder)
    original = ingester.insert_rows

    def failing(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ingester, "insert_rows", failing)
    with pytest.raises(OperationalError):
        reader.run_once()
    assert not Click.objects.exists()
    assert ClickJournalFile.objects.get().offset == 0  # rolled back with the clicks
    monkeypatch.setattr(ingester, "insert_rows", original)
    assert reader.run_once() == 4
    assert Click.objects.count() == 4


def test_a_file_left_before_its_rename_is_removed_once_nobody_holds_it(folder):
    os.makedirs(folder)
    held, left, fresh = (f"{folder}/{name}{journal.PARTIAL_SUFFIX}" for name in "abc")
    for path in (held, left, fresh):
        open(path, "w").close()
    long_ago = time.time() - ingester.ABANDONED_AFTER - 1
    for path in (held, left):
        os.utime(path, (long_ago, long_ago))
    with open(held) as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)  # a worker about to rename it
        ingester.Ingester(folder).run_once()
    assert os.path.exists(held)
    assert not os.path.exists(left)
    # Unlocked but just made: a worker between creating and locking it (CI once lost a
    # click when the ingester removed such a file).
    assert os.path.exists(fresh)


def test_a_journal_that_cannot_be_written_answers_503_and_keeps_nothing(tmp_path, link):
    (tmp_path / "not-a-folder").write_text("")
    broken = journal.ClickJournal(str(tmp_path / "not-a-folder"))
    app = fastpath.RedirectFront(WSGIBridge(django_application, threads=1), clicks=broken)
    try:
        assert run_many(app, ["/l/welcome"] * 2) == [503] * 2
    finally:
        app.django.executor.submit(lambda: connection.close()).result()
        app.django.executor.shutdown()
    assert not Click.objects.exists()


def test_receivers_hear_of_the_stored_clicks_after_their_commit(link, folder, clicks):
    heard = []

    def receiver(sender, clicks, **kwargs):
        heard.append((len(clicks), Click.objects.count()))

    clicks_recorded.connect(receiver)
    try:
        clicks.append(row_for(link))
        clicks.append(row_for(link))
        ingester.Ingester(folder).run_once()
    finally:
        clicks_recorded.disconnect(receiver)
    assert heard == [(2, 2)]


def test_the_running_ingester_stores_what_is_left_when_it_stops(link, folder, clicks):
    stop = threading.Event()

    def run():
        try:
            ingester.run(folder, stop=stop)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        clicks.append(row_for(link))
        deadline = timezone.now() + timezone.timedelta(seconds=10)
        while Click.objects.count() < 1 and timezone.now() < deadline:
            thread.join(0.01)
        assert Click.objects.count() == 1  # stored while it runs, within moments
        # A second ingester on the same folder waits for the first one's lock.
        second_stop = threading.Event()
        second = threading.Thread(target=ingester.run, args=(folder,), kwargs={"stop": second_stop})
        second.start()
        for _ in range(50):
            clicks.append(row_for(link))
        clicks.close()
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert Click.objects.count() == 51  # everything journaled before the stop is stored
    second_stop.set()
    second.join(10)
    assert not second.is_alive()
    assert Click.objects.count() == 51
    assert journal_files(folder) == []


def test_a_line_keeps_every_field_whatever_the_strings_hold(link, folder, clicks):
    hostile = 'tab\there "quoted" \\ new\nline, ünïcode 🙂'
    rows = [
        ClickRow(1, 2, timezone.now(), "linkedin", hostile, hostile, "pending", "ab" * 32),
        ClickRow(1, 2, timezone.now().replace(microsecond=0), "", "", "", "probe", ""),
    ]
    for row in rows:
        line = journal.encode(row)
        assert line.count(b"\n") == 1 and line.endswith(b"\n")
        assert journal.decode(line) == row
    assert journal.decode_lines(b"".join(map(journal.encode, rows))) == rows
    # A broken line costs only itself.
    assert journal.decode_lines(journal.encode(rows[0]) + b"[1,2\n" + b"7\n") == rows[:1]


def test_a_stored_click_reads_back_at_its_time(link, folder, clicks):
    times = [timezone.now(), timezone.now().replace(microsecond=0)]
    for moment in times:
        clicks.append(row_for(link)._replace(clicked_at=moment))
    ingester.Ingester(folder).run_once()
    assert sorted(Click.objects.values_list("clicked_at", flat=True)) == sorted(times)
    for moment in times:  # and the database's own comparisons find it
        assert Click.objects.filter(clicked_at=moment).count() == 1


def test_an_ingester_whose_server_is_gone_stops_at_once(folder, clicks, link):
    clicks.append(row_for(link))
    # Started as `serve` ended: its parent is not the server it was started for.
    ingester.run(folder, stop=threading.Event(), parent=os.getppid() + 1)
    assert not Click.objects.exists()
