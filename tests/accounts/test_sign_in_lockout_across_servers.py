"""Two `budbringer serve` on one database, as two web machines: wrong passwords sent to one
lock the account on the other. The failures live in the database, not in a process."""

import http.client
import os
import re
import signal
import subprocess
import sys
from http.cookies import SimpleCookie

import pytest

from tests.core.test_serve import request
from tests.digests.test_kill import ROOT, python, wait_for
from tests.links.test_kill_redirect import free_port

SEED = (
    "from django.contrib.auth.models import User;"
    "from budbringer.accounts.models import Organisation, Person;"
    "o = Organisation.objects.create(name='Serve', slug='serve');"
    "u = User.objects.create_user('ada', 'ada@example.com', 'a long passphrase');"
    "Person.objects.create(user=u, organisation=o, name='Ada')"
)


def start_server(env, port) -> subprocess.Popen:
    """`budbringer serve` with one web worker: two of them make two processes."""
    server = subprocess.Popen(
        [sys.executable, "-m", "budbringer", "serve", "--no-collectstatic", "--workers", "1",
         "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip

    def answers() -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    wait_for(answers, "the server to answer", timeout=60)
    return server


@pytest.fixture
def two_servers(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "BUDBRINGER_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "serve-test",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "true",  # static files from the package: no collectstatic
    }
    python("-m", "budbringer", "migrate", "-v", "0", env=env)
    python("-m", "budbringer", "shell", "-c", SEED, env=env)
    servers, ports = [], []
    for name in ("a", "b"):
        port = free_port()
        journal = {"BUDBRINGER_CLICK_JOURNAL_DIR": str(tmp_path / f"clicks-{name}")}
        servers.append(start_server({**env, **journal}, port))
        ports.append(port)
    yield ports
    for server in servers:
        os.killpg(server.pid, signal.SIGTERM)
    for server in servers:
        server.wait(15)


def sign_in(port: int, password: str) -> int:
    page, html = request(port, "GET", "/accounts/login/")
    csrf = SimpleCookie(page.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1].decode()
    answer, _ = request(
        port,
        "POST",
        "/accounts/login/",
        body=f"csrfmiddlewaretoken={token}&username=ada&password={password.replace(' ', '+')}",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    return answer.status


def test_failures_on_one_server_lock_the_account_on_the_other(two_servers):
    first, second = two_servers
    for n in range(4):
        assert sign_in(first, f"guess {n}") == 200
    assert sign_in(first, "guess 4") == 429  # the fifth locks
    assert sign_in(second, "a long passphrase") == 429
