"""Exactly once across a crash: `kill -9` a worker in the middle of a batch, restart it,
and count what the SMTP server received.

Workers are real `budbringer digests --loop` processes with their own database (a SQLite
file, or a fresh PostgreSQL database when the suite runs on PostgreSQL, where two workers
run at once). Every digest must arrive; the only message that may arrive twice is one the
server accepted just before the crash, and it then carries the same Message-ID.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 240
TIMEOUT = 120


class Database:
    def __init__(self, tmp_path: Path):
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            settings = connection.settings_dict
            self.name = f"budbringer_kill_{uuid.uuid4().hex[:8]}"
            self.admin = (
                f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
                f"{settings['PORT'] or 5432}/postgres"
            )
            with psycopg.connect(self.admin, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = self.admin.rsplit("/", 1)[0] + f"/{self.name}"
        else:
            self.url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"

    def drop(self):
        if self.postgres:
            with psycopg.connect(self.admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def python(*args, env, timeout=TIMEOUT) -> str:
    run = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "budbringer", "digests", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db
def test_a_killed_worker_leaves_every_digest_sent_exactly_once(tmp_path):
    database = Database(tmp_path)
    server = SMTPServer().start()
    server.data_delay = 0.01  # a batch takes seconds, so the kill lands in the middle of one
    workers_at_once = 2 if database.postgres else 1
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "DATABASE_URL": database.url,
        "BUDBRINGER_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "kill-test",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_TIMEOUT": "5",
        "BUDBRINGER_EMAIL_RATE": "0",
        "BUDBRINGER_DIGEST_LEASE_SECONDS": "3",
        "PYTHONPATH": str(ROOT),
    }
    workers: list[subprocess.Popen] = []
    try:
        python("-m", "budbringer", "migrate", "-v", "0", env=env)
        python("-m", "tests.digests.kill_seed", str(PEOPLE), env=env)
        workers = [start_worker(env) for _ in range(workers_at_once)]
        wait_for(lambda: len(server.received) >= PEOPLE // 3, "a third of the digests")
        victim = workers[0]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        received_at_kill = len(server.received)
        assert received_at_kill < PEOPLE, "the kill came too late to test anything"
        workers[0] = start_worker(env)

        def all_sent() -> bool:
            state = json.loads(python("-m", "tests.digests.kill_seed", "state", env=env))
            return state["deliveries"].get("sent", 0) == PEOPLE

        wait_for(all_sent, "every delivery to be sent")
        time.sleep(0.5)  # anything still in flight would show now
        state = json.loads(python("-m", "tests.digests.kill_seed", "state", env=env))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=10)
        server.stop()
        database.drop()

    ids = Counter(message.message_id for message in server.received)
    duplicates = {message_id: n for message_id, n in ids.items() if n > 1}
    print(
        f"\n{PEOPLE} digests, {workers_at_once} worker(s) at once, killed after "
        f"{received_at_kill} received: {len(server.received)} messages received, "
        f"{len(ids)} distinct Message-IDs, resends {duplicates or 'none'}"
    )
    assert state["digests"] == PEOPLE
    assert state["deliveries"] == {"sent": PEOPLE}
    assert len(ids) == PEOPLE  # every digest arrived
    # At most the one message the killed worker had in flight arrives again, recognisable.
    assert sum(n - 1 for n in duplicates.values()) <= 1
    if workers_at_once > 1:
        assert len(state["workers"]) >= 2  # both workers really sent
