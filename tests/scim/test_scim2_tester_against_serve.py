"""scim2-tester (the python-scim project's RFC 7643/7644 compliance checks) against a real
`budbringer serve` on 127.0.0.1 with a file database: every check passes."""

import os
import signal

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from tests.accounts.test_sign_in_lockout_across_servers import start_server
from tests.digests.test_kill import ROOT, python
from tests.links.test_kill_redirect import free_port

SEED = (
    "from budbringer.accounts.models import Organisation;"
    "from budbringer.scim.tokens import issue_token;"
    "o = Organisation.objects.create(name='Serve', slug='serve');"
    "print(issue_token(o, 'scim2-tester')[1])"
)


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "BUDBRINGER_DATA_DIR": str(tmp_path),
        "BUDBRINGER_BASE_URL": f"http://127.0.0.1:{port}",
        "BUDBRINGER_CLICK_JOURNAL_DIR": str(tmp_path / "clicks"),
        "SECRET_KEY": "serve-test",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "true",  # static files from the package: no collectstatic
    }
    python("-m", "budbringer", "migrate", "-v", "0", env=env)
    secret = python("-m", "budbringer", "shell", "-c", SEED, env=env).split()[-1]
    process = start_server(env, port)
    yield f"http://127.0.0.1:{port}/scim/v2", secret
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(15)


def test_every_scim2_tester_check_passes(server):
    url, secret = server
    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}) as http:
        client = SyncSCIMClient(http)
        results = check_server(client)
    # DEVIATION (a SHOULD not followed) counts as a failure too.
    bad = (Status.DEVIATION, Status.ERROR, Status.CRITICAL)
    failed = [r for r in results if r.status in bad]
    report = "\n".join(
        f"{r.status.name} {r.title} {r.resource_type or ''}: {r.reason}" for r in failed
    )
    assert results and not failed, report
