"""Tracked-link redirects per second under each way of serving Budbringer.

Run from the repository root (needs wrk: apt-get install wrk):

    .venv/bin/python benchmarks/serve_redirect.py

Options: --postgres postgres://postgres@127.0.0.1:5432 runs every server again on a
database made for the run (and dropped after it); --rounds 3 measures every server three
times, in turn, and reports the median; --threads 2,8 also tries these counts of
BUDBRINGER_WEB_THREADS (Django's page threads: redirects need none); --workers N (default:
the number of cores); --only granian keeps the servers whose name contains it;
--duration 10 is the seconds of each measured run.

For each server: a fresh data directory, one organisation and one tracked link, the
server on 127.0.0.1 with as many workers as cores, a 2-second warm-up, then
`wrk -t2 -c32 -d10s --latency` on /l/<code>. A Lua script counts the status codes wrk
received, which the script compares with the Click rows the server stored. Results and
the decision are in docs/benchmarks.md.
"""

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from _wrk import Run, free_port, wait_for_clicks, wrk

ROOT = Path(__file__).resolve().parent.parent
CODE = "benchmark"
CONNECTIONS = 32
WRK_THREADS = 2
# Threads per gunicorn gthread worker: the same as `budbringer serve` gives granian.
GTHREADS = 4
# Servers we compare against but do not depend on: installed beside the project, not in it.
EXTRA_SERVERS = ["gunicorn==27.0.1", "uvicorn[standard]==0.54.0", "uvicorn-worker==0.4.0"]
EXTRA_DIR = Path(tempfile.gettempdir()) / "budbringer-bench-servers"


@dataclass
class Server:
    name: str
    interface: str
    command: list[str]
    env: dict[str, str]


@dataclass
class Result(Run):
    server: Server | None = None
    database: str = ""
    clicks: int = 0


def extra_python_path() -> str:
    """gunicorn and uvicorn in a folder of their own, installed on first use."""
    if not (EXTRA_DIR / "uvicorn_worker").exists():
        print(f"installing {', '.join(EXTRA_SERVERS)} into {EXTRA_DIR}", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", EXTRA_DIR, *EXTRA_SERVERS],
            check=True,
        )
    return str(EXTRA_DIR)


def gunicorn(args: list[str]) -> list[str]:
    # Appended, not prepended: the project's own packages win over the copies in EXTRA_DIR.
    launcher = (
        f"import sys; sys.path.append({extra_python_path()!r}); "
        "from gunicorn.app.wsgiapp import run; sys.argv[0] = 'gunicorn'; sys.exit(run())"
    )
    return [sys.executable, "-c", launcher, *args]


def servers(port: int, workers: int, threads: list[int]) -> list[Server]:
    serve = [sys.executable, "-m", "budbringer", "serve", "--no-collectstatic",
             "--port", str(port), "--workers", str(workers)]  # fmt: skip
    granian = [sys.executable, "-m", "granian", "--host", "127.0.0.1", "--port", str(port)]
    address = ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    found = [Server("budbringer serve (granian)", "RSGI", serve, {})]
    found += [
        Server(
            f"budbringer serve, {n} page threads", "RSGI", serve, {"BUDBRINGER_WEB_THREADS": str(n)}
        )
        for n in threads
    ]
    # Under ASGI each request has its own database connection (Django keeps them per async
    # context), so persistent connections pile up until PostgreSQL refuses more: turn them off.
    asgi = {"DATABASE_CONN_MAX_AGE": "0"}
    found += [
        Server(
            "granian",
            "ASGI",
            [*granian, "--interface", "asgi", "--workers", str(workers),
             "budbringer.asgi:application"],
            asgi,
        ),
        Server(
            "gunicorn + uvicorn worker",
            "ASGI",
            gunicorn([*address, "--worker-class", "uvicorn_worker.UvicornWorker",
                      "budbringer.asgi:application"]),
            asgi,
        ),
        Server(
            f"gunicorn gthread, {GTHREADS} threads",
            "WSGI",
            gunicorn([*address, "--worker-class", "gthread", "--threads", str(GTHREADS),
                      "budbringer.wsgi:application"]),
            {},
        ),
    ]  # fmt: skip
    return found


def wait_until_up(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer /healthz in time")


def stop(process: subprocess.Popen) -> None:
    """Stop the server and its workers (its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Database:
    label: str
    # None: SQLite in the data directory, as a fresh installation has it.
    url: str | None
    data_dir: Path

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "budbringer.settings",
            "BUDBRINGER_DATA_DIR": str(self.data_dir),
            "SECRET_KEY": "benchmark-only-" + "x" * 40,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        # Each server as configured here, whatever the calling shell has set.
        for name in ("DATABASE_URL", "BUDBRINGER_WEB_THREADS", "BUDBRINGER_WEB_WORKERS"):
            env.pop(name, None)
        if self.url:
            env["DATABASE_URL"] = self.url
        return env

    def prepare(self) -> None:
        """Tables, one organisation and the tracked link, through Budbringer's own code."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        budbringer = [sys.executable, "-m", "budbringer"]
        for command in (["migrate", "--verbosity", "0"], ["shell", "-c", MAKE_LINK]):
            subprocess.run([*budbringer, *command], env=self.env(), cwd=ROOT, check=True)

    def clicks(self) -> int:
        query = "SELECT count(*) FROM links_click"
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as connection:
                return connection.execute(query).fetchone()[0]
        with closing(sqlite3.connect(self.data_dir / "budbringer.sqlite3")) as connection:
            return connection.execute(query).fetchone()[0]


MAKE_LINK = f"""
from budbringer.accounts.models import Organisation
from budbringer.links.tracking import create_link
organisation = Organisation.objects.create(name="Benchmark", slug="benchmark")
create_link(organisation, "https://blog.example.com/post?id=7", code="{CODE}", network="linkedin")
"""


def measure(server: Server, database: Database, port: int, seconds: int, folder: Path):
    print(f"-- {server.name} ({database.label})", flush=True)
    with (folder / "servers.log").open("ab") as output:
        process = subprocess.Popen(
            server.command,
            env={**database.env(), **server.env},
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the workers too
        )
    try:
        wait_until_up(port, process)
        url = f"http://127.0.0.1:{port}/l/{CODE}"
        options = {"connections": CONNECTIONS, "threads": WRK_THREADS, "folder": folder}
        warm = wrk(url, seconds=2, **options)  # warm-up: imports, connections, visitor salt
        before, _ = wait_for_clicks(database.clicks, warm.redirects)
        run = wrk(url, seconds=seconds, **options)
        stored, _ = wait_for_clicks(database.clicks, before + run.redirects)
        clicks = stored - before
    finally:
        stop(process)
    result = Result(**vars(run), server=server, database=database.label, clicks=clicks)
    print(
        f"   {result.requests_per_second:,.0f} requests/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.redirects:,} redirects, {clicks:,} clicks",
        flush=True,
    )
    return result


def postgres_database(server_url: str, name: str, create: bool) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table(results: list[Result]) -> str:
    """One row per server and database: the median round, and the totals of all rounds."""
    runs: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        runs.setdefault((result.server.name, result.database), []).append(result)
    lines = [
        "| server | interface | database | requests/s | p50 ms | p99 ms | rounds (req/s) "
        "| 302s | clicks stored | other responses |",
        "| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for rounds in runs.values():
        by_speed = sorted(rounds, key=lambda r: r.requests_per_second)
        median = by_speed[(len(by_speed) - 1) // 2]
        others: dict[int, int] = {}
        for r in rounds:
            for status, n in r.statuses.items():
                if status != 302:
                    others[status] = others.get(status, 0) + n
        other = ", ".join(f"{n} x {s}" for s, n in sorted(others.items())) or "none"
        errors = "; ".join(r.socket_errors for r in rounds if r.socket_errors)
        if errors:
            other += f"; socket errors: {errors}"
        lines.append(
            f"| {median.server.name} | {median.server.interface} | {median.database} "
            f"| {median.requests_per_second:,.0f} | {median.p50_ms:.1f} | {median.p99_ms:.1f} "
            f"| {', '.join(f'{r.requests_per_second:,.0f}' for r in rounds)} "
            f"| {sum(r.redirects for r in rounds):,} | {sum(r.clicks for r in rounds):,} "
            f"| {other} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--postgres", help="also run on PostgreSQL, e.g. postgres://u@host:5432")
    parser.add_argument("--threads", default="", help="page threads to try: 1,8")
    parser.add_argument("--rounds", type=int, default=1, help="runs of every server, in turn")
    parser.add_argument("--only", default="", help="servers whose name contains this")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="per server")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    threads = [int(n) for n in args.threads.split(",") if n]
    workers = args.workers
    wrk_options = f"-t{WRK_THREADS} -c{CONNECTIONS} -d{args.duration}s"
    print(f"{os.cpu_count()} cores, {workers} workers per server, wrk {wrk_options}", flush=True)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="budbringer-bench-") as folder:
        databases = [Database("SQLite", None, Path(folder) / "sqlite")]
        server_url = args.postgres.rstrip("/") if args.postgres else None
        name = f"budbringer_bench_{os.getpid()}"
        if server_url:
            databases.append(Database("PostgreSQL", f"{server_url}/{name}", Path(folder) / "pg"))
            postgres_database(server_url, name, create=True)
        try:
            for database in databases:
                database.prepare()
                port = free_port()
                for _round in range(args.rounds):  # in turn, so a busy moment hits all alike
                    for server in servers(port, workers, threads):
                        if args.only not in server.name:
                            continue
                        run = measure(server, database, port, args.duration, Path(folder))
                        results.append(run)
        finally:
            if server_url:
                postgres_database(server_url, name, create=False)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
