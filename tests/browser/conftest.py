"""Chromium (Debian's package) driven by Playwright against pytest-django's live server.

Nothing leaves the machine. Chromium resolves no host name except the outside sites the
tests know (``OUTSIDE_SITES``), which it reaches at a local HTTPS stub server, and
127.0.0.1, the live server. Every request a page makes is recorded; a request to any
other host fails the test.

Why not ``context.route()`` for the outside sites: Playwright does not route the hops of
a redirect (they are continued as designed), and following our redirects to LinkedIn and
to the article is exactly what these tests are about. A stub reached through Chromium's
host resolver sees every hop.
"""

import os
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, sync_playwright

from tests.conftest import chromium_path

# Playwright's sync API keeps an event loop in this thread; Django would refuse the ORM.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# pytest-django's live server on 127.0.0.1, the one address Chromium resolves besides the stub.
os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"] = "127.0.0.1"

# The outside world the tests visit, each answered by the stub with a page of this title.
OUTSIDE_SITES = {
    "www.linkedin.com": "LinkedIn (stub)",
    "blog.example.com": "Nordlys blog (stub)",
}
LOCAL_HOSTS = {"127.0.0.1"}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium calls Google (updates, sync, field trials); there is no internet.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-proxy-server",
    # The stub's certificate is self-signed, made for this run.
    "--ignore-certificate-errors",
]
# Seconds are plenty against local servers; waiting longer only hides a hang.
TIMEOUT_MS = 10_000

STUB_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
    "<title>{title}</title></head><body><h1>{title}</h1>"
    "<p>Served by the test's stub: the real site is never contacted.</p></body></html>"
)


def require_program(path: str | None, what: str) -> str:
    """The path, or a skip (a failure when CI sets BUDBRINGER_REQUIRE_BROWSER=1)."""
    if path:
        return path
    reason = f"{what} is not installed"
    if os.environ.get("BUDBRINGER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; BUDBRINGER_REQUIRE_BROWSER=1 makes that a failure")
    pytest.skip(reason)


@dataclass
class OutsideSites:
    """The HTTPS stub standing in for OUTSIDE_SITES, and what it was asked for."""

    port: int
    # (host, path with query) of every request, favicons left out.
    requests: list[tuple[str, str]] = field(default_factory=list)

    def urls(self, host: str) -> list[str]:
        return [f"https://{host}{path}" for seen, path in self.requests if seen == host]


def _stub_handler(sites: OutsideSites) -> type[BaseHTTPRequestHandler]:
    class StubHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0]
            if self.path != "/favicon.ico":
                sites.requests.append((host, self.path))
            title = OUTSIDE_SITES.get(host)
            body = STUB_PAGE.format(title=title).encode() if title else b""
            self.send_response(200 if title else 421)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    return StubHandler


@pytest.fixture(scope="session")
def _stub_server(tmp_path_factory):
    openssl = require_program(shutil.which("openssl"), "openssl (for the stub's certificate)")
    folder = tmp_path_factory.mktemp("stub-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=budbringer-test-stub", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    sites = OutsideSites(port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _stub_handler(sites))
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    sites.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sites
    server.shutdown()
    server.server_close()


@pytest.fixture
def outside(_stub_server: OutsideSites) -> OutsideSites:
    _stub_server.requests.clear()
    return _stub_server


@pytest.fixture(scope="module")
def browser(_stub_server: OutsideSites):
    executable = require_program(chromium_path(), "Chromium (apt-get install chromium)")
    # The outside sites resolve to the stub, 127.0.0.1 to itself, every other name to nothing.
    rules = [f"MAP {host} 127.0.0.1:{_stub_server.port}" for host in OUTSIDE_SITES]
    rules += ["MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1"]
    args = [*CHROMIUM_ARGS, "--host-resolver-rules=" + ", ".join(rules)]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=args)
        yield launched
        launched.close()


class Traffic:
    """Every URL the pages of a test asked for, redirect hops included."""

    def __init__(self):
        self.urls: list[str] = []

    def record(self, request: Request) -> None:
        self.urls.append(request.url)

    def unexpected(self) -> list[str]:
        """Requests to a host that is neither the live server nor a stubbed outside site."""
        allowed = LOCAL_HOSTS | OUTSIDE_SITES.keys()
        return [url for url in self.urls if urlsplit(url).hostname not in allowed]


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def new_context(browser: Browser, live_server, traffic: Traffic):
    """Make browser contexts (separate cookie jars: separate people) on the live server."""
    contexts: list[BrowserContext] = []

    def _new_context(**options) -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", traffic.record)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()
    # Tests check this themselves; here for the one that forgets.
    unexpected = traffic.unexpected()
    assert unexpected == [], f"requests to hosts outside the machine: {unexpected}"
