"""A target with non-ASCII characters is sent in its ASCII form by every redirect path:
the Django view, and the fast path under WSGI and RSGI (`budbringer serve` itself in
tests/core/test_serve.py). Raw UTF-8 has no place in a ``Location`` header."""

import asyncio

import pytest
from django.db import connection

from budbringer.lib.wsgi_bridge import WSGIBridge
from budbringer.links import fastpath
from budbringer.links.tracking import create_link
from budbringer.rsgi import django_application
from tests.links.test_fast_redirect import call as call_wsgi
from tests.rsgi import acall

# The fast path's click writer is a thread with its own connection: it must see the link.
pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "https://bücher.example/straße?q=ü"
# What Django's redirect would send (iri_to_uri), with the host in its IDNA form.
LOCATION = (
    "https://xn--bcher-kva.example/stra%C3%9Fe"
    "?q=%C3%BC&utm_source=linkedin&utm_medium=social&utm_campaign=budbringer"
)


@pytest.fixture
def link(cast):
    return create_link(cast.nordlys, TARGET, code="buecher", network="linkedin")


def test_the_django_view_sends_the_ascii_address(client, link):
    response = client.get("/l/buecher")
    assert response.status_code == 302
    assert response["Location"] == LOCATION


def test_the_wsgi_fast_path_sends_the_ascii_address(link):
    status, headers, _body = call_wsgi("/l/buecher")
    assert status == 302
    assert headers["Location"] == LOCATION


def test_the_rsgi_fast_path_sends_the_ascii_address(link):
    front = fastpath.RedirectFront(WSGIBridge(django_application, threads=1))
    try:
        answer = asyncio.run(acall(front, "/l/buecher"))
    finally:  # the link was read in Django's thread: its connection is closed there
        front.django.executor.submit(lambda: connection.close()).result()
        front.django.executor.shutdown()
    assert answer.status == 302
    assert answer.headers["Location"] == LOCATION
