"""Tracked-link redirects against nginx answering a fixed 302, on the same machine, same run.

Run from the repository root (needs wrk and nginx: apt-get install wrk nginx):

    .venv/bin/python benchmarks/redirect_vs_nginx.py [--postgres postgres://postgres@127.0.0.1:5432]

1. nginx (non-daemon, a temporary config on a 127.0.0.1 port, `return 302`, one worker
   per core whatever --workers says) at full rate.
2. `budbringer serve` with one tracked link at full rate; the 302s wrk counted are compared
   with the clicks stored (more may be stored: requests in flight when wrk stops).
   The clicks are counted once the ingester has stored every 302's click (the seconds
   that took after wrk ended are printed).
3. `budbringer serve` at half its full rate, paced: wrk's Lua `delay()` makes each of 16
   connections wait between a response and its next request, the delay calibrated by a
   short run (`paced`); the rate reached is reported; p99 from wrk --latency.
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


PACED_CONNECTIONS = 16


def paced(url: str, rate: float, *, seconds: int, folder: Path):
    """wrk at about `rate` requests per second. Each connection waits `delay` between a
    response and its next request, so its rate is 1 / (latency + delay): a 3-second run
    at the naive delay measures the latency, and the delay is shortened by it."""
    trial = wrk(url, seconds=3, connections=PACED_CONNECTIONS, pace_rate=rate, folder=folder)
    naive = PACED_CONNECTIONS / rate
    latency = max(0.0, PACED_CONNECTIONS / trial.requests_per_second - naive)
    corrected = PACED_CONNECTIONS / max(naive - latency, naive / 10)
    return wrk(
        url, seconds=seconds, connections=PACED_CONNECTIONS, pace_rate=corrected, folder=folder
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="budbringer-redirect-"))
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
    try:
        wait_until_up(nginx_port, "/")
        nginx_result = wrk(
            f"http://127.0.0.1:{nginx_port}/",
            seconds=args.duration,
            connections=args.connections,
            folder=work,
        )
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(20)
    rows.append(("nginx `return 302`", nginx_result, ""))

    app = Budbringer(work, args.postgres, args.workers)
    url = f"http://127.0.0.1:{app.port}/l/{CODE}"
    try:
        app.start()
        warm = wrk(url, seconds=2, connections=args.connections, folder=work)
        before, _ = wait_for_clicks(app.clicks, warm.redirects)  # the warm-up's, all stored
        full = wrk(url, seconds=args.duration, connections=args.connections, folder=work)
        stored, lag = wait_for_clicks(app.clicks, before + full.redirects)
        rows.append(("budbringer, full rate", full, stored - before))
        lags = [lag]

        half_rate = full.requests_per_second / 2
        before = app.clicks()
        half = paced(url, half_rate, seconds=args.duration, folder=work)
        stored, lag = wait_for_clicks(app.clicks, before + half.redirects)
        rows.append(
            (
                f"budbringer, paced at {half.requests_per_second:,.0f}/s "
                f"(half rate: {half_rate:,.0f})",
                half,
                stored - before,
            )
        )
        lags.append(lag)

        before = app.clicks()
        # The kill round: wrk in a thread, the kill in the middle of it.
        box = {}
        thread = threading.Thread(
            target=lambda: box.update(
                run=wrk(url, seconds=6, connections=args.connections, folder=work)
            )
        )
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
    share = rows[1][1].requests_per_second / nginx_result.requests_per_second
    print(
        f"\nbudbringer / nginx: {share:.1%} (goal 20 %); p99 at half rate: "
        f"{rows[2][1].p99_ms:.2f} ms (goal < 10 ms); every 302's click stored "
        f"{max(lags):.2f} s after wrk ended, at most"
    )


if __name__ == "__main__":
    main()
