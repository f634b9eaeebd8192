"""`budbringer serve` (granian RSGI): Django's pages, forms and static files work through
the WSGI bridge beside the redirect front, in a real server process."""

import http.client
import os
import re
import signal
from http.cookies import SimpleCookie
from pathlib import Path

import django.contrib.admin
import pytest

from budbringer.lib.wsgi_bridge import BLOCK_SIZE
from tests.digests.test_kill import ROOT, python
from tests.links.test_kill_redirect import free_port, start_server

SEED = (
    "from django.contrib.auth.models import User;"
    "from budbringer.accounts.models import Organisation, Person, Role;"
    "o = Organisation.objects.create(name='Serve', slug='serve');"
    "u = User.objects.create_user('ada', 'ada@example.com', 'a long passphrase');"
    "Person.objects.create(user=u, organisation=o, name='Ada', role=Role.ADMIN);"
    "from budbringer.links.tracking import create_link;"
    "create_link(o, 'https://bücher.example/straße?q=ü', code='buecher')"
)


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "BUDBRINGER_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "serve-test",
        "PYTHONPATH": str(ROOT),
        # Static files straight from the package: no collectstatic (30 s) in the suite.
        "DEBUG": "true",
    }
    python("-m", "budbringer", "migrate", "-v", "0", env=env)
    python("-m", "budbringer", "shell", "-c", SEED, env=env)
    port = free_port()
    process = start_server(env, port)
    yield port
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(15)


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def test_sign_in_with_a_form_and_a_session(server):
    page, html = request(server, "GET", "/accounts/login/")
    assert page.status == 200
    cookies = SimpleCookie(page.getheader("Set-Cookie"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1].decode()
    signed_in, _ = request(
        server,
        "POST",
        "/accounts/login/",
        body=f"csrfmiddlewaretoken={token}&username=ada&password=a+long+passphrase",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}",
            "Referer": f"http://127.0.0.1:{server}/accounts/login/",
        },
    )
    assert signed_in.status == 302
    session = SimpleCookie(signed_in.getheader("Set-Cookie"))["sessionid"].value
    home, html = request(server, "GET", "/for-you/", headers={"Cookie": f"sessionid={session}"})
    assert home.status == 200
    assert b"Sign out" in html  # signed in: the session cookie came back and works


def test_a_large_static_file_arrives_whole(server):
    # Over 256 KiB: sent in blocks as the file is read, not in one piece.
    static = Path(django.contrib.admin.__file__).parent / "static"
    path = static / "admin/js/vendor/xregexp/xregexp.js"
    assert path.stat().st_size > BLOCK_SIZE
    response, body = request(server, "GET", f"/static/{path.relative_to(static)}")
    assert response.status == 200
    assert body == path.read_bytes()


def test_a_link_to_an_international_address_redirects_to_its_ascii_form(server):
    response, _body = request(server, "GET", "/l/buecher")
    assert response.status == 302
    assert response.getheader("Location") == (
        "https://xn--bcher-kva.example/stra%C3%9Fe"
        "?q=%C3%BC&utm_source=budbringer&utm_medium=link&utm_campaign=budbringer"
    )


def test_unknown_addresses_get_django_404(server):
    assert request(server, "GET", "/l/nothing-here")[0].status == 404
    assert request(server, "GET", "/no/such/page")[0].status == 404


def test_a_journal_folder_that_cannot_be_used_stops_serve_with_a_clear_error(tmp_path, settings):
    from django.core.management import CommandError, call_command

    (tmp_path / "a-file").write_text("")
    settings.CLICK_JOURNAL_DIR = tmp_path / "a-file"
    with pytest.raises(CommandError, match=r"BUDBRINGER_CLICK_JOURNAL_DIR .* cannot hold"):
        call_command("serve", no_collectstatic=True, port=free_port())
    assert (tmp_path / "a-file").read_text() == ""  # left as it was


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PORT", "80a", "PORT must be a whole number, not '80a'"),
        ("PORT", "0", "PORT must be at least 1, not 0"),
        ("BUDBRINGER_WEB_WORKERS", "two", "BUDBRINGER_WEB_WORKERS must be a whole number"),
    ],
)
def test_a_port_or_worker_count_that_is_no_number_is_named(monkeypatch, variable, value, says):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command

    monkeypatch.setenv(variable, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(says)):
        call_command("serve", no_collectstatic=True)
