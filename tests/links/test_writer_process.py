"""The click writer process (links/writer_process.py) and a worker's way to it: the
writer runs here in a thread on a real Unix socket, the RSGI front sends it its clicks."""

import asyncio
import os
import tempfile
import threading

import pytest
from django.db import connection

from budbringer.lib.wsgi_bridge import WSGIBridge
from budbringer.links import clickstore, fastpath, writer_process
from budbringer.links.models import Click
from budbringer.links.tracking import create_link
from budbringer.rsgi import django_application
from tests.rsgi import acall

pytestmark = pytest.mark.django_db(transaction=True)


class Writer:
    def __init__(self, path):
        self.path = path
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        while not os.path.exists(path):
            self.thread.join(0.01)

    def run(self):
        try:
            writer_process.run(self.path, stop=self.stop)
        finally:
            connection.close()

    def close(self):
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


@pytest.fixture
def socket_path():
    with tempfile.TemporaryDirectory() as folder:
        yield os.path.join(folder, "clicks.sock")


@pytest.fixture
def front(socket_path):
    app = fastpath.RedirectFront(
        WSGIBridge(django_application, threads=1),
        clicks=writer_process.WriterClient(socket_path, timeout=5),
    )
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


def test_every_302_has_its_row_stored_by_the_writer_process(front, link, socket_path):
    writer = Writer(socket_path)
    try:
        assert run_many(front, ["/l/welcome"] * 200) == [302] * 200
    finally:
        writer.close()
    assert Click.objects.filter(link=link).count() == 200
    assert os.stat(socket_path).st_mode & 0o077 == 0  # only this user may send clicks


def test_a_row_the_database_refuses_is_answered_503_and_the_rest_302(
    front, link, cast, socket_path
):
    doomed = create_link(cast.nordlys, "https://blog.example.com/old", code="doomed")
    writer = Writer(socket_path)
    try:
        assert run_many(front, ["/l/doomed", "/l/welcome"]) == [302, 302]  # both cached
        doomed.delete()
        statuses = run_many(front, ["/l/welcome", "/l/doomed", "/l/welcome"])
    finally:
        writer.close()
    assert statuses == [302, 503, 302]
    assert Click.objects.filter(link=link).count() == 3


def test_without_a_writer_the_redirect_is_503_and_nothing_is_stored(front, link, socket_path):
    assert run_many(front, ["/l/welcome"] * 3) == [503] * 3
    assert not Click.objects.exists()
    writer = Writer(socket_path)  # once it is back, the next request gets through
    try:
        assert run_many(front, ["/l/welcome"]) == [302]
    finally:
        writer.close()
    assert Click.objects.count() == 1


def test_a_writer_gone_with_clicks_in_flight_answers_them_503(
    front, link, socket_path, monkeypatch
):
    writer = Writer(socket_path)
    entered, release = threading.Event(), threading.Event()
    original = clickstore.store_clicks

    def held(rows):
        entered.set()
        release.wait(10)
        return original(rows)

    monkeypatch.setattr(writer_process, "store_clicks", held)

    async def scenario():
        loop = asyncio.get_running_loop()
        pending = [asyncio.ensure_future(acall(front, "/l/welcome")) for _ in range(3)]
        await loop.run_in_executor(None, entered.wait, 10)
        # The worker's connection breaks before the writer acknowledges.
        for connection_ in list(front.clicks._connections.values()):
            connection_.transport.abort()
        return [answer.status for answer in await asyncio.gather(*pending)]

    try:
        statuses = asyncio.run(scenario())
    finally:
        release.set()
        writer.close()
    # Never a redirect without its click: the clicks may be stored, the 302s are not sent.
    assert statuses == [503] * 3
