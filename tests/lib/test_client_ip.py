from django.test import RequestFactory

from budbringer.lib.http import client_ip


def test_remote_addr_without_proxy_ignores_forwarded_header(settings):
    settings.BEHIND_PROXY = False
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert client_ip(request) == "198.51.100.7"


def test_behind_proxy_takes_the_hop_our_proxy_appended(settings):
    settings.BEHIND_PROXY = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.1"
    )
    assert client_ip(request) == "203.0.113.1"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
