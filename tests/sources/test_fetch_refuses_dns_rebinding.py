"""The address checked is the address connected to: one lookup, and the socket checked again."""

import socket

import pytest

from budbringer.lib.guarded_http import FetchError, fetch
from budbringer.lib.netguard import AddressPolicy

NO_ALLOW = AddressPolicy([])
PUBLIC = "93.184.215.14"


def error_of(url, **kwargs):
    with pytest.raises(FetchError) as caught:
        fetch(url, policy=NO_ALLOW, timeout=5, **kwargs)
    return caught.value


def test_a_name_resolving_to_loopback_is_refused(refused_connections):
    error = error_of("http://rebind.example/feed.xml", resolver=lambda host, port: ["127.0.0.1"])
    assert error.reason == "blocked_address"
    assert error.message.startswith(
        "The address 127.0.0.1 of rebind.example is a loopback address of this machine;"
    )
    assert refused_connections == []


def test_one_private_answer_among_public_ones_refuses_the_host(refused_connections):
    error = error_of(
        "http://rebind.example/", resolver=lambda host, port: [PUBLIC, "2606:4700::1", "::1"]
    )
    assert error.reason == "blocked_address"
    assert "The address ::1 of rebind.example" in error.message
    assert refused_connections == []


def test_the_host_is_looked_up_once_and_the_checked_address_is_dialled(refused_connections):
    # A rebinding resolver: public for the first question, loopback after that.
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    asked = []

    def rebinding_resolver(host, port):
        asked.append(host)
        return next(answers)

    assert error_of("http://rebind.example/", resolver=rebinding_resolver).reason == "connection"
    assert asked == ["rebind.example"]
    assert refused_connections == [(PUBLIC, 80)]


def test_a_socket_that_ends_up_on_loopback_is_refused(feed_server, monkeypatch):
    # The check passed for a public address, but the network delivered the connection
    # to this machine (a rebinding race, a transparent proxy): the peer check catches it.
    feed_server.route("/feed.xml", body=b"<rss>internal</rss>")
    real_create_connection = socket.create_connection

    def misdelivered(address, *args, **kwargs):
        assert address == (PUBLIC, 80)
        return real_create_connection((feed_server.host, feed_server.port), *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", misdelivered)
    error = error_of("http://rebind.example/feed.xml", resolver=lambda host, port: [PUBLIC])
    assert error.reason == "blocked_address"
    assert error.message.startswith(
        "The address 127.0.0.1 of rebind.example is a loopback address of this machine;"
    )
    assert feed_server.requests == []
