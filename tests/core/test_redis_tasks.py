"""The Redis (RQ) task backend with two real `budbringer worker` processes.

Needs Redis on 127.0.0.1:6379; its database 14 is this test's and is flushed. Skipped when
Redis does not answer, unless BUDBRINGER_REQUIRE_REDIS=1 (CI) makes that a failure. The
workers see the test's database: a migrated SQLite file of their own on SQLite, the test
database itself (committed rows, `transactional_db`) on PostgreSQL.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.worker import Worker

from budbringer.core.models import ScheduledRun
from budbringer.core.schedule import SCHEDULE
from tests.core.redis_tasks import PREFIX, record_run

# Redis databases this test may use; each run claims a free one, so two test runs on one
# machine (or one Redis) never take each other's jobs.
REDIS_DATABASES = range(15, 7, -1)
CLAIM_KEY = "budbringer-test:claimed"
ROOT = Path(__file__).resolve().parents[2]
TASKS = 400
WORKERS = 2


def redis_or_skip():
    """A client on a Redis database no other test run holds (claimed for 15 minutes)."""
    import redis

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
        for number in REDIS_DATABASES:
            client = redis.Redis.from_url(f"redis://127.0.0.1:6379/{number}")
            if client.set(CLAIM_KEY, os.getpid(), nx=True, ex=900):
                return client
        pytest.fail("every Redis database this test may use is claimed by another run")
    except (OSError, redis.RedisError) as error:
        reason = f"Redis does not answer on 127.0.0.1:6379 ({error})"
    if os.environ.get("BUDBRINGER_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason}; BUDBRINGER_REQUIRE_REDIS=1 makes that a failure")
    pytest.skip(reason)


class WorkerDatabase:
    """Where the worker processes keep their rows, and how this test reads them back."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.sqlite = connection.vendor == "sqlite"
        self.env = {"BUDBRINGER_DATA_DIR": str(data_dir), "SECRET_KEY": "redis-test"}
        if self.sqlite:
            # pytest-django's SQLite test database lives in this process's memory.
            self.env["DATABASE_URL"] = f"sqlite:///{data_dir / 'workers.sqlite3'}"
        else:
            db = connection.settings_dict
            password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
            self.env["DATABASE_URL"] = (
                f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )

    def migrate(self, env):
        if self.sqlite:
            run = subprocess.run(
                [sys.executable, "-m", "budbringer", "migrate", "-v", "0"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert run.returncode == 0, run.stderr

    def run_names(self) -> list[str]:
        if self.sqlite:
            with sqlite3.connect(self.data_dir / "workers.sqlite3", timeout=20) as db:
                return [name for (name,) in db.execute("SELECT name FROM core_scheduledrun")]
        return list(ScheduledRun.objects.values_list("name", flat=True))


@pytest.fixture
def redis_client():
    client = redis_or_skip()
    clear(client)  # what an earlier, interrupted run left
    yield client
    clear(client)
    client.delete(CLAIM_KEY)


def clear(client) -> None:
    """Every key but the claim (a flush would let another run claim the database early)."""
    for key in client.scan_iter():
        if key != CLAIM_KEY.encode():
            client.delete(key)


@pytest.fixture
def redis_url(redis_client):
    kwargs = redis_client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}"


@pytest.fixture
def rq_settings(settings, redis_url):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": []}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    return settings


@pytest.fixture
def workers(transactional_db, rq_settings, redis_client, redis_url, tmp_path):
    """Start WORKERS `budbringer worker` processes; yields the database they write to."""
    client = redis_client
    database = WorkerDatabase(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "BUDBRINGER_TASK_BACKEND": "django_tasks_rq.RQBackend",
        "BUDBRINGER_REDIS_URL": redis_url,
        **database.env,
    }
    database.migrate(env)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "budbringer", "worker"],
            cwd=ROOT,  # `-m` puts it on sys.path, so the workers import tests.core.redis_tasks
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"worker{n}.log", "w"),  # noqa: SIM115
        )
        for n in range(WORKERS)
    ]
    database.client = client
    database.processes = processes
    # Both listening before anything is enqueued, so each gets a share of the tasks.
    deadline = time.monotonic() + 60
    while Worker.count(connection=client) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield database
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)  # warm shutdown: the current job finishes
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_two_workers_run_every_task_exactly_once(workers):
    for number in range(TASKS):
        record_run.enqueue(number)

    deadline = time.monotonic() + 120
    while True:
        runs = [name for name in workers.run_names() if name.startswith(f"{PREFIX}:")]
        if len(runs) >= TASKS or time.monotonic() > deadline:
            break
        for n, process in enumerate(workers.processes):
            log = (workers.data_dir / f"worker{n}.log").read_text()
            assert process.poll() is None, f"worker {n} exited:\n{log}"
        time.sleep(0.2)
    time.sleep(1)  # a task run twice would show up now
    runs = [name for name in workers.run_names() if name.startswith(f"{PREFIX}:")]

    numbers = Counter(int(name.split(":")[1]) for name in runs)
    assert sorted(numbers) == list(range(TASKS)), "lost tasks"
    assert max(numbers.values()) == 1, "a task ran twice"
    pids = {int(name.split(":")[2]) for name in runs}
    assert pids == {process.pid for process in workers.processes}, "both workers took tasks"
    assert FailedJobRegistry("default", connection=workers.client).count == 0


def test_two_schedulers_enqueue_each_periodic_run_once(workers):
    # Both workers start their schedule loop at once and race for the same slots.
    paths = {entry.task.module_path: entry.name for entry in SCHEDULE}
    deadline = time.monotonic() + 60
    while True:
        finished = FinishedJobRegistry("default", connection=workers.client).get_job_ids()
        ran = Counter(Job.fetch(id, connection=workers.client).func_name for id in finished)
        if set(ran) >= set(paths) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(1)

    slots = Counter(name for name in workers.run_names() if name in paths.values())
    finished = FinishedJobRegistry("default", connection=workers.client).get_job_ids()
    ran = Counter(Job.fetch(id, connection=workers.client).func_name for id in finished)
    assert set(ran) == set(paths)
    for path, name in paths.items():
        # One run per slot; fetching every minute may have reached a second slot by now.
        assert 1 <= ran[path] <= slots[name], (path, ran[path], slots[name])
