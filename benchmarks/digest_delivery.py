"""100,000 digests planned, composed, rendered and delivered to a local SMTP server, against
a bare smtplib loop sending pre-rendered messages to the same server in the same run.

Run from the repository root:

    .venv/bin/python benchmarks/digest_delivery.py                 # 100,000 people, SQLite
    .venv/bin/python benchmarks/digest_delivery.py --people 10000  # memory at a tenth
    .venv/bin/python benchmarks/digest_delivery.py --postgres postgres://postgres@127.0.0.1:5432

What it does, in one run:

1. A fresh database (a SQLite file, or a new PostgreSQL database) with one organisation,
   ``--people`` people who want a daily digest by e-mail, and 20 fresh company items.
2. An SMTP sink in a separate process (aiosmtpd on 127.0.0.1, counting messages and
   Message-IDs, keeping nothing), so the server does not share a GIL with either side.
3. Baseline: one smtplib connection sending ``--people`` messages, cycling through 500
   digests rendered beforehand by the app itself (``build_email(...).message()`` bytes),
   once before the pipeline and once after; the ratio is against the mean of the two.
4. Pipeline, timed end to end: ``plan_digests()`` for everyone (the timing model's slot per
   person), the slots moved to now, then ``--workers`` real ``budbringer digests``
   processes that compose (ranker, budget, reasons), render (HTML and text, signed links),
   send over SMTP and record each delivery, until the sink has every digest.

Prints digests per second for both and their ratio, the number of distinct Message-IDs the
sink saw, and each worker's peak memory. Results are in docs/benchmarks.md.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = 500

SINK = r"""
import asyncio, sys, json, threading, time
from aiosmtpd.controller import Controller

class Sink:
    def __init__(self):
        self.count, self.ids = 0, set()
    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        for line in envelope.content.split(b"\r\n", 60):
            if line[:11].lower() == b"message-id:":
                self.ids.add(line[11:].strip())
                break
        return "250 OK"

sink = Sink()
controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "count":
        print(json.dumps({"count": sink.count, "ids": len(sink.ids)}), flush=True)
    elif line.strip() == "reset":
        sink.count, sink.ids = 0, set()
        print("ok", flush=True)
controller.stop()
"""


class SinkProcess:
    def __init__(self, port: int):
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def count(self) -> dict:
        return json.loads(self.ask("count"))

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "budbringer.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(people: int) -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from budbringer.accounts.models import Organisation, Person
    from budbringer.content.models import ApprovalState, Item
    from budbringer.sources.models import Source, SourceList

    now = timezone.now()
    organisation = Organisation.objects.create(name="Benchmark AB", slug="bench")
    company = SourceList.objects.create(organisation=organisation, name="Company", kind="company")
    for number in range(20):
        source = Source.objects.create(
            organisation=organisation,
            title=f"Blog {number}",
            feed_url=f"https://b{number}.example/",
        )
        source.lists.add(company)
        url = f"https://b{number}.example/news/{number}"
        Item.objects.create(
            organisation=organisation,
            source=source,
            title=f"Company news number {number}: the fjord data centre runs on hydro power",
            summary="A longer summary of the news, as a feed gives it. " * 4,
            url=url,
            canonical_url=url,
            language="en",
            approval_state=ApprovalState.APPROVED,
            approved_at=now,
            published_at=now - dt.timedelta(hours=number + 1),
        )
    for start in range(0, people, 5000):
        users = User.objects.bulk_create(
            User(username=f"p{n}", email=f"p{n}@example.com")
            for n in range(start, min(people, start + 5000))
        )
        Person.objects.bulk_create(
            Person(
                user=user,
                organisation=organisation,
                name=f"Person {user.username}",
                languages=["en"],
                digest_cadence="daily",
                send_days=list(range(7)),
                quiet_from=None,
                quiet_until=None,
            )
            for user in users
        )


def sample_messages(count: int) -> list[tuple[str, str, bytes]]:
    """Digests rendered by the app, as bytes, for the bare loop (not sent, not recorded)."""
    from django.utils import timezone

    from budbringer.accounts.models import Organisation, Person
    from budbringer.digests.composition import compose, digest_content
    from budbringer.digests.models import Digest, DigestKind
    from budbringer.digests.rendering import build_email

    organisation = Organisation.objects.get(slug="bench")
    now = timezone.now()
    people = list(Person.objects.filter(organisation=organisation).select_related("user")[:count])
    digests = [
        Digest.objects.create(
            organisation=organisation, person=p, slot_at=now, kind=DigestKind.PREVIEW
        )
        for p in people
    ]
    compose(digests, now)
    messages = []
    for digest in Digest.objects.filter(kind=DigestKind.PREVIEW).select_related(
        "person__user", "organisation"
    ):
        email = build_email(digest_content(digest))
        messages.append((email.from_email, email.to[0], email.message().as_bytes(linesep="\r\n")))
    Digest.objects.filter(kind=DigestKind.PREVIEW).delete()
    return messages


def bare_loop(port: int, messages, total: int) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for number in range(total):
            sender, recipient, body = messages[number % len(messages)]
            smtp.sendmail(sender, [recipient], body)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgres", help="server URL without database, e.g. postgres://postgres@127.0.0.1:5432"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="budbringer-digest-bench-"))
    database_name = f"budbringer_bench_{uuid.uuid4().hex[:8]}"
    if args.postgres:
        import psycopg

        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database_name}"')
        database_url = f"{args.postgres}/{database_name}"
    else:
        database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    port = free_port()
    env = {
        "DATABASE_URL": database_url,
        "BUDBRINGER_DATA_DIR": str(folder),
        "SECRET_KEY": "digest-benchmark",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "BUDBRINGER_EMAIL_RATE": "0",
        "BUDBRINGER_BASE_URL": "https://budbringer.example",
        "LOG_LEVEL": "WARNING",
    }
    sink = SinkProcess(port)
    try:
        subprocess.run(
            [sys.executable, "-m", "budbringer", "migrate", "-v", "0"],
            cwd=ROOT, env={**os.environ, **env}, check=True,
        )  # fmt: skip
        setup_django(env)
        t = time.perf_counter()
        seed(args.people)
        print(f"seeded {args.people:,} people in {time.perf_counter() - t:.1f} s", flush=True)

        messages = sample_messages(SAMPLE)
        size = sum(len(body) for _s, _r, body in messages) / len(messages)
        bare = bare_loop(port, messages, args.people)
        bare_rate = args.people / bare
        print(f"bare smtplib loop: {args.people:,} messages ({size / 1024:.1f} KiB each) "
              f"in {bare:.1f} s = {bare_rate:,.0f}/s", flush=True)  # fmt: skip
        assert sink.count()["count"] == args.people
        sink.ask("reset")

        from django.utils import timezone

        from budbringer.digests.models import Digest
        from budbringer.digests.planning import plan_digests

        started = time.perf_counter()
        planned = plan_digests(timezone.now())
        Digest.objects.update(slot_at=timezone.now() - dt.timedelta(seconds=1))
        planning = time.perf_counter() - started
        print(f"planned {planned:,} digests in {planning:.1f} s", flush=True)
        from django.db import connections

        connections.close_all()
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                cwd=ROOT,
                env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "budbringer.settings"},
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.workers)
        ]
        last, last_at = 0, time.perf_counter()
        while (received := sink.count())["count"] < args.people:
            time.sleep(1.0)
            if received["count"] != last:
                last, last_at = received["count"], time.perf_counter()
            elif time.perf_counter() - last_at > 120:
                raise SystemExit(f"stalled at {received}")
        elapsed = time.perf_counter() - started
        for worker in workers:
            worker.terminate()
        peaks, cpu = [], []
        for worker in workers:
            worker.wait(timeout=30)
            out = worker.stdout.read().strip().splitlines()
            peaks.append(out[-1] if out else "?")
            cpu.append(float(out[-2]) if len(out) > 1 else 0.0)
        rate = args.people / elapsed
        print(f"pipeline ({args.workers} workers): {received['count']:,} digests "
              f"({received['ids']:,} distinct Message-IDs) in {elapsed:.1f} s = {rate:,.0f}/s "
              f"(planning {planning:.1f} s of it)")  # fmt: skip
        # The bare loop once more after the pipeline: on a shared machine its rate drifts
        # by up to a third within minutes, so the ratio is taken against the mean of both.
        sink.ask("reset")
        bare_after = bare_loop(port, messages, args.people)
        bare_after_rate = args.people / bare_after
        assert sink.count()["count"] == args.people
        bare_mean = (bare_rate + bare_after_rate) / 2
        print(f"bare smtplib loop again: {bare_after_rate:,.0f}/s (mean {bare_mean:,.0f}/s)")
        print(f"pipeline / bare: {rate / bare_mean:.2f}")
        print(f"worker peak memory: {', '.join(peaks)} MB")
        print(f"worker CPU: {sum(cpu) / args.people * 1000:.2f} ms per digest")
    finally:
        sink.stop()
        from django.db import connections

        connections.close_all()
        if args.postgres:
            import psycopg

            with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


# A worker: compose and deliver until stopped, then print its peak memory (MB).
WORKER = r"""
import resource, signal, sys, time
import django
django.setup()
from budbringer.digests.workers import worker_name
from budbringer.digests.passes import send_due

stop = False
def on_term(signum, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
name = worker_name()
import cProfile, os
profiler = cProfile.Profile() if os.environ.get("DIGEST_PROFILE") else None
if profiler:
    profiler.enable()
while not stop:
    report = send_due(name, budget_seconds=5)
    if not report.composed and not report.outcomes.get("sent"):
        time.sleep(0.2)
if profiler:
    profiler.disable()
    profiler.dump_stats(f"{os.environ['DIGEST_PROFILE']}.{os.getpid()}")
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{usage.ru_utime + usage.ru_stime:.1f}", flush=True)
print(usage.ru_maxrss // 1024, flush=True)
"""

if __name__ == "__main__":
    main()
