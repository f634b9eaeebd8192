"""wrk for the redirect benchmarks: one run, its status codes counted, its output parsed.

Used by redirect_vs_nginx.py and serve_redirect.py (needs wrk: apt-get install wrk).
"""

import re
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

# A person's browser: the click goes through user-agent parsing and bot detection like a real one.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

# wrk counts every status as a response; this tallies them per status across threads.
# %s: an optional `delay()` that paces each connection.
STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
%s
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      io.write(("status %%d %%d\\n"):format(status, n))
    end
  end
end
"""


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: str

    @property
    def redirects(self) -> int:
        return self.statuses.get(302, 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(
    url: str,
    *,
    seconds: int,
    folder: Path,
    connections: int = 32,
    threads: int = 2,
    pace_rate: float = 0.0,
) -> Run:
    """`wrk --latency` on url. pace_rate: each connection waits 1000 * connections /
    pace_rate ms between requests (wrk2 is not packaged in Debian 12)."""
    delay = ""
    if pace_rate:
        delay = "function delay() return %.3f end" % (1000 * connections / pace_rate)
    script = Path(folder) / f"wrk-{uuid.uuid4().hex}.lua"
    script.write_text(STATUS_LUA % delay)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    done = subprocess.run(
        [*command, "-H", f"User-Agent: {USER_AGENT}", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    return parse(done.stdout)


def milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def parse(output: str) -> Run:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    statuses: dict[int, int] = {}
    for status, count in re.findall(r"^status (\d+) (\d+)$", output, re.M):  # one per thread
        statuses[int(status)] = statuses.get(int(status), 0) + int(count)
    errors = re.search(r"Socket errors: (.+)", output)
    return Run(rps, p50, p99, statuses, errors.group(1) if errors else "")


def wait_for_clicks(count, at_least: int, timeout: float = 120.0) -> tuple[int, float]:
    """Poll `count()` until it reaches `at_least` (the clicks of every 302 wrk received,
    which `budbringer serve`'s ingester stores moments after the redirect), then once more
    after a short pause for requests that were in flight; the count and how many seconds
    after the call it was reached."""
    start = time.monotonic()
    value = count()
    while value < at_least and time.monotonic() - start < timeout:
        time.sleep(0.05)
        value = count()
    reached = time.monotonic() - start
    time.sleep(0.5)
    return count(), reached
