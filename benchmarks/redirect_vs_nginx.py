"""Tracked-link redirects against nginx answering a fixed 302, on the same machine, same run.

Run from the repository root (needs wrk and nginx: apt-get install wrk nginx):

    .venv/bin/python benchmarks/redirect_vs_nginx.py [--postgres postgres://postgres@127.0.0.1:5432]

1. nginx (non-daemon, a temporary config on a 127.0.0.1 port, `return 302`, one worker
   per core whatever --workers says) at full rate, then
2. `budbringer serve` with one tracked link at full rate; the 302s wrk counted are compared
   with the clicks stored (more may be stored: requests in flight when wrk stops). Steps
   1 and 2 take turns for `--rounds` rounds (3); the share is each round's, and the
   median is the result.
   The clicks are counted once the ingester has stored every 302's click (the seconds
   that took after wrk ended are printed).
3. `budbringer serve` at half its full rate, paced: wrk's Lua `delay()` makes each of 64
   connections wait between a response and its next request, the delay calibrated by
   short runs (`paced`); the rate reached is reported; p99 from wrk --latency.
4. The kill round: wrk at full rate, `kill -9` the server's process group in the middle,
   restart, and compare the 302s wrk received with the clicks stored once the restarted
   server's ingester has stored what the killed one journaled.
Results are in docs/benchmarks.md.
"""

import argparse
import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path

from _wrk import free_port, wait_for_clicks, wrk

ROOT = Path(__file__).resolve().parent.parent
CODE = "benchmark"
NGINX_CONF = """
daemon off; worker_processes %(workers)d; pid %(dir)s/nginx.pid; error_log %(dir)s/error.log;
events { worker_connections 1024; }
http {
  access_log off; client_body_temp_path %(dir)s/body; proxy_temp_path %(dir)s/proxy;
  fastcgi_temp_path %(dir)s/fcgi; uwsgi_temp_path %(dir)s/uwsgi; scgi_temp_path %(dir)s/scgi;
  server { listen 127.0.0.1:%(port)d; location / { return 302 https://example.com/; } }
}
"""


def wait_until_up(port: int, path: str) -> None:
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


class Budbringer:
    def __init__(self, workdir, postgres, workers):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "budbringer.settings",
            "BUDBRINGER_DATA_DIR": str(workdir),
            "SECRET_KEY": "benchmark",
        }
        self.workers = workers
        self.workdir = Path(workdir)
        self.database = None
        if postgres:
            import psycopg

            self.admin = postgres.rstrip("/") + "/postgres"
            self.database = f"budbringer_redirect_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(self.admin, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.database}"')
            self.env["DATABASE_URL"] = postgres.rstrip("/") + f"/{self.database}"
        self.manage("migrate", "-v", "0")
        self.manage(
            "shell",
            "-v",
            "0",
            "-c",
            (
                "from budbringer.accounts.models import Organisation;"
                "from budbringer.links.tracking import create_link;"
                "create_link(Organisation.objects.create(name='Bench', slug='bench'),"
                f" 'https://example.com/post', code='{CODE}')"
            ),
        )
        self.process = None

    def manage(self, *args) -> str:
        return subprocess.run(
            [sys.executable, "-m", "budbringer", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def clicks(self) -> int:
        query = "SELECT count(*) FROM links_click"
        if self.database:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as connection:
                return connection.execute(query).fetchone()[0]
        with closing(sqlite3.connect(self.workdir / "budbringer.sqlite3")) as connection:
            return connection.execute(query).fetchone()[0]

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "budbringer",
                "serve",
                "--no-collectstatic",
                "--workers",
                str(self.workers),
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until_up(self.port, "/healthz")

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(20)

    def drop(self):
        if self.database:
            import psycopg

            with psycopg.connect(self.admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


PACED_CONNECTIONS = 64


def pace_for(url: str, rate: float, *, folder: Path) -> float:
    """The rate to ask wrk for to get about `rate` requests per second. Each connection
    waits `delay()` between a response and its next request, so it runs at
    1 / (latency + delay), and wrk truncates the delay to whole milliseconds: up to three
    2-second trials scale the rate asked for by how far the last one missed."""
    asked = rate
    for _ in range(3):
        trial = wrk(url, seconds=2, connections=PACED_CONNECTIONS, pace_rate=asked, folder=folder)
        miss = rate / trial.requests_per_second
        if abs(miss - 1) < 0.03:
            break
        asked *= miss
    return asked


def median(values):
    return sorted(values)[(len(values) - 1) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="budbringer-redirect-"))
    load = {"seconds": args.duration, "connections": args.connections, "folder": work}
    rows = []

    nginx_port = free_port()
    (work / "nginx.conf").write_text(
        NGINX_CONF % {"dir": work, "port": nginx_port, "workers": os.cpu_count() or 1}
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = Budbringer(work, args.postgres, args.workers)
    url = f"http://127.0.0.1:{app.port}/l/{CODE}"
    shares, lags = [], []
    try:
        wait_until_up(nginx_port, "/")
        app.start()
        warm = wrk(url, seconds=2, connections=args.connections, folder=work)
        wait_for_clicks(app.clicks, warm.redirects)  # the warm-up's, all stored
        # Rounds in turn, each server idle while the other runs: the machine's own
        # variation (other tenants, frequency) hits both alike.
        for number in range(1, args.rounds + 1):
            reference = wrk(f"http://127.0.0.1:{nginx_port}/", **load)
            rows.append((f"{number}: nginx `return 302`", reference, ""))
            before = app.clicks()
            full = wrk(url, **load)
            stored, lag = wait_for_clicks(app.clicks, before + full.redirects)
            rows.append((f"{number}: budbringer, full rate", full, stored - before))
            shares.append(full.requests_per_second / reference.requests_per_second)
            lags.append(lag)
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(20)
    try:
        full_rate = median([row[1].requests_per_second for row in rows[1::2]])
        asked = pace_for(url, full_rate / 2, folder=work)
        before = app.clicks()
        half = wrk(url, **{**load, "connections": PACED_CONNECTIONS}, pace_rate=asked)
        stored, lag = wait_for_clicks(app.clicks, before + half.redirects)
        rate = f"{half.requests_per_second:,.0f}/s (half: {full_rate / 2:,.0f})"
        rows.append((f"budbringer, paced at {rate}", half, stored - before))
        lags.append(lag)

        before = app.clicks()
        # The kill round: wrk in a thread, the kill in the middle of it.
        box = {}
        thread = threading.Thread(target=lambda: box.update(run=wrk(url, **{**load, "seconds": 6})))
        thread.start()
        time.sleep(3)
        app.kill()
        thread.join()
        app.start()  # its ingester stores what the killed one had journaled
        stored, _ = wait_for_clicks(app.clicks, before + box["run"].redirects)
        rows.append(("budbringer, `kill -9` after 3 s of 6", box["run"], stored - before))
    finally:
        app.kill(signal.SIGTERM)
        app.drop()

    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\n{database}, {args.workers} workers, wrk -t2 -c{args.connections} -d{args.duration}s\n"
    )
    print("| run | requests/s | p50 ms | p99 ms | 302s received | clicks stored | other |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, result, stored in rows:
        other = {s: n for s, n in result.statuses.items() if s != 302}
        print(
            f"| {name} | {result.requests_per_second:,.0f} | {result.p50_ms:.2f} | "
            f"{result.p99_ms:.2f} | {result.redirects:,} | "
            f"{stored if stored == '' else f'{stored:,}'} | {other or ''} {result.socket_errors} |"
        )
    print(
        f"\nbudbringer / nginx, per round: {', '.join(f'{share:.1%}' for share in shares)}; "
        f"median {median(shares):.1%} (goal 20 %); p99 at half rate: {half.p99_ms:.2f} ms "
        f"(goal < 10 ms); every 302's click stored {max(lags):.2f} s after wrk ended, at most"
    )


if __name__ == "__main__":
    main()
