"""A real OpenID provider (tests/sso/oidc_provider: panva's oidc-provider on Node) on
127.0.0.1, and Nordlys connected to it.

Node missing is a skip locally and a failure when BUDBRINGER_REQUIRE_NODE=1 (CI)."""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from budbringer.accounts.models import EmailDomain
from budbringer.sso.models import OidcConnection

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "budbringer-test"
CLIENT_SECRET = "a-test-client-secret-of-enough-length-0123"


def _node() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        if os.environ.get("BUDBRINGER_REQUIRE_NODE") == "1":
            pytest.fail("node/npm missing; BUDBRINGER_REQUIRE_NODE=1 makes that a failure")
        pytest.skip("node is not installed")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, timeout=300
        )
    return node


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    """The running provider; ``accounts`` is rewritten into its file as tests add people."""

    def __init__(self, config_path: Path, config: dict, process):
        self.config_path, self.config, self.process = config_path, config, process
        self.issuer = f"http://127.0.0.1:{config['port']}"

    def add_account(self, account_id: str, **claims) -> None:
        self.config["accounts"][account_id] = claims
        self.config_path.write_text(json.dumps(self.config))


def start_provider(tmp_path: Path, redirect_uris: list[str]) -> Provider:
    node = _node()
    config = {
        "port": _free_port(),
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
        },
        "accounts": {},
    }
    path = tmp_path / "provider.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [node, "server.js", str(path)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("listening"):
            return Provider(path, config, process)
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("the test OpenID provider did not start")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """One provider for the session; the redirect URI is that of BUDBRINGER_BASE_URL."""
    from django.conf import settings

    provider = start_provider(
        tmp_path_factory.mktemp("oidc"), [settings.BASE_URL + "/sso/oidc/callback/"]
    )
    yield provider
    provider.process.terminate()
    provider.process.wait(timeout=10)


@pytest.fixture
def local_provider_allowed(settings):
    settings.FETCH_ALLOW = ["127.0.0.1"]


def connect(organisation, issuer: str, **fields) -> OidcConnection:
    EmailDomain.objects.get_or_create(organisation=organisation, domain="nordlys.example")
    fields.setdefault("role_groups", {"bb-editors": "editor", "bb-admins": "admin"})
    fields.setdefault("department_attribute", "department")
    return OidcConnection.objects.create(
        organisation=organisation,
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        enabled=True,
        **fields,
    )
