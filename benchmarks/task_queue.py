"""Many small background tasks through Redis: RQ (django-tasks-rq) against Celery.

Run from the repository root, with Redis on 127.0.0.1:6379 (its database 13 is flushed):

    .venv/bin/python benchmarks/task_queue.py                  # RQ as `budbringer worker` runs it
    .venv/bin/python benchmarks/task_queue.py --queue rq-fork  # RQ's default forking worker
    # Celery is not a dependency: measure it from a throwaway virtualenv.
    python3 -m venv /tmp/celery-venv && /tmp/celery-venv/bin/pip install 'celery[redis]'
    /tmp/celery-venv/bin/python benchmarks/task_queue.py --queue celery

What it does, in each round:

1. Starts the worker processes (2 by default) and waits until they have run a warm-up task
   each, so start-up time is not counted.
   - rq: `budbringer worker` with BUDBRINGER_TASK_BACKEND=django_tasks_rq.RQBackend (the
     Tasks API; RQ's SimpleWorker runs each job in the worker process), on a fresh SQLite
     database so the schedule loop runs too, as in production.
   - rq-fork: `budbringer rqworker` with RQ's default Worker, which forks once per job.
   - celery: `celery worker --concurrency 1` per process (prefork pool, Redis broker and
     result backend, default prefetch and acknowledgement).
2. Enqueues N tasks (5,000 by default) as fast as one process can while the workers run:
   `record.enqueue(i, now)` through the Tasks API, or `record.delay(i, now)` for Celery.
3. Each task appends "i enqueued-at finished-at" to a Redis list; the run ends when the
   list holds N entries.

With --drain, step 2 comes first, with no worker running (the enqueue rate alone), then the
workers start and the drain rate is measured from the first task finished to the last.

Prints the enqueue rate, the end-to-end throughput (N / time from the first enqueue to the
last task finished), per-task latency percentiles (finished minus enqueued) and checks that
every task ran exactly once. Median of the rounds. Results are in docs/benchmarks.md.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

REDIS_URL = "redis://127.0.0.1:6379/13"
DONE = "bench:done"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_redis = None


def record_finish(i: int, enqueued_at: float) -> None:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(REDIS_URL)
    _redis.rpush(DONE, f"{i} {enqueued_at} {time.time()}")


# The task, defined for whichever queue this process imports it for.
if os.environ.get("DJANGO_SETTINGS_MODULE"):
    from django_tasks import task

    @task()
    def record(i: int, enqueued_at: float) -> None:
        record_finish(i, enqueued_at)


try:
    from celery import Celery
except ImportError:
    Celery = None
if Celery is not None:
    app = Celery("task_queue", broker=REDIS_URL, backend=REDIS_URL)
    app.conf.task_default_queue = "bench"
    app.conf.worker_hijack_root_logger = False

    @app.task(name="task_queue.record")
    def celery_record(i: int, enqueued_at: float) -> None:
        record_finish(i, enqueued_at)


def start_workers(queue: str, count: int, data_dir: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "PYTHONPATH": str(HERE),
        "BUDBRINGER_DATA_DIR": str(data_dir),
        "BUDBRINGER_TASK_BACKEND": "django_tasks_rq.RQBackend",
        "BUDBRINGER_REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if queue == "rq":
        command = [sys.executable, "-m", "budbringer", "worker"]
    elif queue == "rq-fork":
        command = [sys.executable, "-m", "budbringer", "rqworker", "--job-class",
                   "django_tasks_rq.Job", "-v", "0", "default"]  # fmt: skip
    else:
        command = [sys.executable, "-m", "celery", "-A", "task_queue", "worker", "-c", "1",
                   "-P", "prefork", "-Q", "bench", "--loglevel", "WARNING",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    workers = []
    for n in range(count):
        name = ["-n", f"bench{n}@%h"] if queue == "celery" else []
        workers.append(
            subprocess.Popen(
                command + name,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(data_dir / f"worker{n}.log", "w"),  # noqa: SIM115
            )
        )
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def enqueue(queue: str, i: int) -> None:
    if queue == "celery":
        celery_record.delay(i, time.time())
    else:
        record.enqueue(i, time.time())


def wait_for(r: redis.Redis, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while r.llen(DONE) < count:
        if time.monotonic() > deadline:
            sys.exit(f"only {r.llen(DONE)} of {count} tasks finished within {timeout:.0f} s")
        time.sleep(0.02)


def drain_round(queue: str, tasks: int, worker_count: int, data_dir: Path) -> dict:
    """Enqueue with no worker running, then start the workers and let them drain the queue."""
    r = redis.Redis.from_url(REDIS_URL)
    r.flushdb()
    started = time.time()
    for i in range(tasks):
        enqueue(queue, i)
    enqueued = time.time()
    workers = start_workers(queue, worker_count, data_dir)
    try:
        wait_for(r, tasks, timeout=600)
        finished = sorted(float(line.split()[2]) for line in r.lrange(DONE, 0, -1))
    finally:
        stop_workers(workers)
    return {
        "enqueue_per_s": tasks / (enqueued - started),
        # From the first task finished to the last: the workers' start-up is left out.
        "drain_per_s": (tasks - 1) / (finished[-1] - finished[0]),
    }


def one_round(queue: str, tasks: int, worker_count: int, data_dir: Path) -> dict:
    r = redis.Redis.from_url(REDIS_URL)
    r.flushdb()
    workers = start_workers(queue, worker_count, data_dir)
    try:
        # Warm-up: every worker has to be up, so wait for more tasks than one worker takes first.
        for i in range(worker_count * 20):
            enqueue(queue, -1 - i)
        wait_for(r, worker_count * 20, timeout=120)
        time.sleep(2)
        r.delete(DONE)

        started = time.time()
        for i in range(tasks):
            enqueue(queue, i)
        enqueued = time.time()
        wait_for(r, tasks, timeout=600)
        rows = [line.split() for line in r.lrange(DONE, 0, -1)]
    finally:
        stop_workers(workers)
    ids = [int(row[0]) for row in rows]
    assert len(ids) == len(set(ids)) == tasks, "a task ran twice or not at all"
    finished = max(float(row[2]) for row in rows)
    latencies = sorted(float(row[2]) - float(row[1]) for row in rows)
    return {
        "enqueue_per_s": tasks / (enqueued - started),
        "throughput_per_s": tasks / (finished - started),
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue", choices=["rq", "rq-fork", "celery"], default="rq")
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--drain", action="store_true", help="enqueue first, then measure the workers alone"
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="budbringer-task-queue-"))
    try:
        if args.queue != "celery":
            os.environ.update(
                DJANGO_SETTINGS_MODULE="budbringer.settings",
                BUDBRINGER_DATA_DIR=str(data_dir),
                BUDBRINGER_TASK_BACKEND="django_tasks_rq.RQBackend",
                BUDBRINGER_REDIS_URL=REDIS_URL,
                LOG_LEVEL="WARNING",
            )
            os.environ.pop("DATABASE_URL", None)
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
        # The task must be the one the workers import, not this script's __main__ copy.
        global record, celery_record
        import task_queue

        if args.queue == "celery":
            celery_record = task_queue.celery_record
        else:
            record = task_queue.record

        rounds = []
        for n in range(args.rounds):
            measure = drain_round if args.drain else one_round
            result = measure(args.queue, args.tasks, args.workers, data_dir)
            rounds.append(result)
            print(
                f"round {n + 1}: " + ", ".join(f"{k} {v:,.1f}" for k, v in result.items()),
                flush=True,
            )
        print(
            f"{args.queue}, {args.tasks:,} tasks, {args.workers} workers, median of "
            f"{args.rounds}: "
            + ", ".join(
                f"{key} {statistics.median(r[key] for r in rounds):,.1f}" for key in rounds[0]
            )
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
