"""post_json: one guarded POST for chat webhooks, with no redirects, a deadline and a cap."""

import socket
import time

import pytest

from budbringer.lib.guarded_http import FetchError, post_json
from budbringer.lib.netguard import AddressPolicy
from tests import webhooks

webhook_receiver = webhooks.webhook_receiver

PAYLOAD = {"text": "Fjord data centres go green ✓", "blocks": []}


@pytest.fixture
def allow_loopback(settings):
    settings.FETCH_ALLOW = ["127.0.0.1"]


def test_the_payload_arrives_as_json_and_the_answer_comes_back(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=200, body="ok", headers={"X-Slack-Req-Id": "abc"})
    result = post_json(webhook_receiver.url("/services/T1/B2/x"), PAYLOAD)
    assert (result.status, result.body, result.truncated) == (200, "ok", False)
    assert result.headers["x-slack-req-id"] == "abc"
    [request] = webhook_receiver.received()
    assert request.method == "POST"
    assert request.path == "/services/T1/B2/x"
    assert request.json == PAYLOAD
    assert request.header("Content-Type") == "application/json; charset=utf-8"
    assert request.header("User-Agent").startswith("Budbringer/")


def test_error_answers_are_returned_not_raised(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=404, body="no_service")
    result = post_json(webhook_receiver.url(), PAYLOAD)
    assert (result.status, result.body) == (404, "no_service")


def test_loopback_is_refused_unless_allowed_and_nothing_is_sent(webhook_receiver, settings):
    settings.FETCH_ALLOW = []
    with pytest.raises(FetchError) as caught:
        post_json(webhook_receiver.url(), PAYLOAD)
    assert caught.value.reason == "blocked_address"
    assert caught.value.permanent
    assert webhook_receiver.received() == []


def test_a_host_name_resolving_to_a_private_address_is_refused(webhook_receiver, settings):
    settings.FETCH_ALLOW = []
    url = f"http://hooks.example.com:{webhook_receiver.port}/hook"
    with pytest.raises(FetchError) as caught:
        post_json(url, PAYLOAD, resolver=lambda host, port: ["127.0.0.1"])
    assert caught.value.reason == "blocked_address"
    assert "127.0.0.1 of hooks.example.com" in caught.value.message
    assert webhook_receiver.received() == []


def test_an_explicit_policy_wins_over_settings(webhook_receiver, settings):
    settings.FETCH_ALLOW = []
    result = post_json(webhook_receiver.url(), PAYLOAD, policy=AddressPolicy(["127.0.0.1"]))
    assert result.status == 200


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_returned_never_followed(webhook_receiver, allow_loopback, status):
    webhook_receiver.answer(status=status, body="", headers={"Location": "/elsewhere"})
    result = post_json(webhook_receiver.url("/hook"), PAYLOAD)
    assert result.status == status
    assert result.headers["Location"] == "/elsewhere"
    assert [request.path for request in webhook_receiver.received()] == ["/hook"]


def test_a_long_answer_is_cut_at_the_cap(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=200, body=b"x" * 2_000_000)
    result = post_json(webhook_receiver.url(), PAYLOAD, max_bytes=1000)
    assert result.status == 200
    assert result.body == "x" * 1000
    assert result.truncated


def test_a_slow_answer_ends_at_the_timeout(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=200, body="ok", delay=3)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        post_json(webhook_receiver.url(), PAYLOAD, timeout=0.5)
    elapsed = time.monotonic() - started
    assert caught.value.reason == "timeout"
    assert caught.value.message == "127.0.0.1 did not answer within 0.5 seconds."
    assert not caught.value.permanent
    assert elapsed < 1.5


def test_a_refused_connection_is_a_connection_error(allow_loopback):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        post_json(f"http://127.0.0.1:{port}/hook", PAYLOAD)
    assert caught.value.reason == "connection"
    assert not caught.value.permanent


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://hooks.example.com/x", "bad_scheme"),
        ("https://user:secret@hooks.example.com/x", "bad_url"),
        ("http://10.0.0.5/x", "blocked_address"),
    ],
)
def test_unusable_addresses_are_refused_before_connecting(url, reason, refused_connections):
    with pytest.raises(FetchError) as caught:
        post_json(url, PAYLOAD)
    assert caught.value.reason == reason
    assert refused_connections == []
