import socket

import pytest

from budbringer.lib.netguard import AddressPolicy
from tests.sources.feedserver import FeedServer


@pytest.fixture
def feed_server():
    """A local HTTP server on 127.0.0.1; add routes with ``feed_server.route(...)``."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def local_policy():
    """The feed server lives on loopback, which is refused unless allowed like this."""
    return AddressPolicy(["127.0.0.1"])


@pytest.fixture
def refused_connections(monkeypatch):
    """Outgoing connections recorded and refused, for tests that must not reach the network."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts
