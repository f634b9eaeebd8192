"""No click lost or doubled across a crash: load `budbringer serve`, `kill -9` it, restart.

Every request carries its own referrer host, which the click stores, so each 302 the
clients received can be matched with its row. The only rows without a received 302 may be
requests in flight at the kill (journaled, answer not yet read): at most one per connection.
Runs on a SQLite file, or on a fresh PostgreSQL database when the suite runs on PostgreSQL.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter

import pytest

from tests.digests.test_kill import ROOT, Database, python, wait_for

CONNECTIONS = 8
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
SEED = (
    "from budbringer.accounts.models import Organisation;"
    "from budbringer.links.tracking import create_link;"
    "create_link(Organisation.objects.create(name='Kill', slug='kill'),"
    " 'https://example.com/kill', code='kill')"
)
STORED = (
    "import json; from budbringer.links.models import Click;"
    "print(json.dumps(list(Click.objects.values_list('referrer_host', flat=True))))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env, port) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "budbringer",
            "serve",
            "--no-collectstatic",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the kill reaches granian's workers too
    )

    def answers() -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    wait_for(answers, "the server to answer", timeout=60)
    return server


def ingesters(folder) -> list[int]:
    """The processes of `budbringer ingestclicks` on the journal in `folder`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                arguments = cmdline.read().split(b"\0")
        except OSError:
            continue
        if b"ingestclicks" in arguments and str(folder).encode() in b" ".join(arguments):
            found.append(int(pid))
    return found


class Clients:
    """Keep-alive connections, each sending one request after the other until it fails."""

    def __init__(self, port):
        self.port = port
        self.sent: set[str] = set()
        self.received: list[str] = []
        self.others: Counter = Counter()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(CONNECTIONS)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def join(self):
        for thread in self.threads:
            thread.join(30)

    def run(self, number):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for request in range(1_000_000):
            marker = f"c{number}-{request}.example"
            self.sent.add(marker)
            try:
                connection.request(
                    "GET",
                    "/l/kill",
                    headers={"User-Agent": CHROME, "Referer": f"https://{marker}/"},
                )
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return
            if response.status == 302:
                self.received.append(marker)
            else:
                self.others[response.status] += 1


@pytest.mark.django_db
def test_a_killed_server_lost_and_doubled_no_click(tmp_path):
    database = Database(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "DATABASE_URL": database.url,
        "BUDBRINGER_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "kill-test",
        "PYTHONPATH": str(ROOT),
    }
    port = free_port()
    server = None
    try:
        python("-m", "budbringer", "migrate", "-v", "0", env=env)
        python("-m", "budbringer", "shell", "-c", SEED, env=env)
        server = start_server(env, port)
        clients = Clients(port)
        clients.start()
        wait_for(lambda: len(clients.received) >= 300, "300 redirects", timeout=60)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        clients.join()
        # The restarted server stores what the killed one journaled but had not stored.
        server = start_server(env, port)
        received = set(clients.received)
        stored = []

        def all_stored() -> bool:
            stored[:] = json.loads(
                python("-m", "budbringer", "shell", "-v", "0", "-c", STORED, env=env)
            )
            return received <= set(stored)

        wait_for(all_stored, "every redirect's click to be stored", timeout=60)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(15)
        # The killed server's ingester, on its own, and the stopped one's are gone too.
        wait_for(lambda: not ingesters(tmp_path), "the click ingesters to exit", timeout=15)
        database.drop()

    rows = Counter(stored)
    print(
        f"\n{len(clients.received)} redirects received, {len(stored)} clicks stored, "
        f"{len(rows.keys() - received)} stored for requests in flight at the kill"
    )
    assert not clients.others  # only 302s before the kill
    assert len(received) == len(clients.received)
    assert received <= rows.keys()  # no redirect without its click
    assert max(rows.values()) == 1  # no click stored twice
    assert rows.keys() <= clients.sent  # nothing stored that was not asked for
    assert len(rows.keys() - received) <= CONNECTIONS  # the rest were in flight
