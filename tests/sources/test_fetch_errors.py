"""Every failure is a FetchError with a reason, a sentence for admins and a verdict."""

import datetime as dt
import socket
import threading

import pytest

from budbringer.lib.guarded_http import FetchError, fetch
from budbringer.lib.netguard import AddressPolicy
from tests.sources.feedserver import Reply

DATE = "Tue, 04 Mar 2025 10:00:00 GMT"


def error_of(url, **kwargs):
    with pytest.raises(FetchError) as caught:
        fetch(url, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("status", "message", "permanent"),
    [
        (404, "The feed server answered 404 Not Found.", True),
        (410, "The feed server answered 410 Gone.", True),
        (401, "The feed server answered 401 Unauthorized.", True),
        (403, "The feed server answered 403 Forbidden.", True),
        (400, "The feed server answered 400 Bad Request.", True),
        (408, "The feed server answered 408 Request Timeout.", False),
        (429, "The feed server answered 429 Too Many Requests.", False),
        (500, "The feed server answered 500 Internal Server Error.", False),
        (502, "The feed server answered 502 Bad Gateway.", False),
        (599, "The feed server answered 599.", False),
    ],
)
def test_error_statuses_are_http_errors(feed_server, local_policy, status, message, permanent):
    url = feed_server.route("/feed.xml", status=status, body=b"<html>oops</html>")
    error = error_of(url, policy=local_policy)
    assert (error.reason, error.status, error.message) == ("http_error", status, message)
    assert error.permanent is permanent
    assert error.retry_after is None


def test_retry_after_in_seconds(feed_server, local_policy):
    url = feed_server.route("/feed.xml", status=500, headers={"Retry-After": "90"})
    error = error_of(url, policy=local_policy)
    assert error.retry_after == dt.timedelta(seconds=90)
    assert (
        error.message
        == "The feed server answered 500 Internal Server Error; it asks to wait 90 seconds."
    )


def test_retry_after_as_an_http_date_counts_from_the_servers_date(feed_server, local_policy):
    url = feed_server.route(
        "/feed.xml",
        status=503,
        headers={"Date": DATE, "Retry-After": "Tue, 04 Mar 2025 10:30:00 GMT"},
    )
    error = error_of(url, policy=local_policy)
    assert (error.status, error.retry_after, error.permanent) == (
        503,
        dt.timedelta(minutes=30),
        False,
    )
    assert error.message.endswith("; it asks to wait 30 minutes.")


def test_retry_after_on_429_and_its_limits(feed_server, local_policy):
    feed_server.route(
        "/past", status=429, headers={"Date": DATE, "Retry-After": "Mon, 03 Mar 2025 10:00:00 GMT"}
    )
    feed_server.route("/forever", status=429, headers={"Retry-After": "9" * 40})
    feed_server.route("/nonsense", status=429, headers={"Retry-After": "soon"})
    feed_server.route("/superscript", status=429, headers={"Retry-After": "\u00b2"})
    assert error_of(feed_server.url("/past"), policy=local_policy).retry_after == dt.timedelta(0)
    assert error_of(feed_server.url("/forever"), policy=local_policy).retry_after == dt.timedelta(
        days=7
    )
    assert error_of(feed_server.url("/nonsense"), policy=local_policy).retry_after is None
    assert error_of(feed_server.url("/superscript"), policy=local_policy).retry_after is None


NO_LOOKUP = {"resolver": lambda host, port: pytest.fail("looked up")}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed.xml",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "example.com/feed.xml",
    ],
)
def test_only_http_and_https_are_fetched(url):
    error = error_of(url, **NO_LOOKUP)
    assert (error.reason, error.permanent) == ("bad_scheme", True)
    assert error.message == f"Only http and https addresses can be fetched, not {url}."


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https:///feed.xml", "does not have a valid host name."),
        ("https://exa mple.com/", "does not have a valid host name."),
        ("https://exa%00mple.com/", "does not have a valid host name."),
        ("https://example.com:99999/", "is not a valid URL (Port out of range 0-65535)."),
        ("https://[::1/", "is not a valid URL (Invalid IPv6 URL)."),
        (
            "https://user:secret@example.com/feed.xml",
            "contains a user name or password; feeds behind a login are not supported.",
        ),
        (
            "http://127.0.0.1@evil.example/",
            "contains a user name or password; feeds behind a login are not supported.",
        ),
    ],
)
def test_unusable_urls_are_refused_up_front(url, problem):
    error = error_of(url, **NO_LOOKUP)
    assert (error.reason, error.permanent) == ("bad_url", True)
    assert error.message == f"The address {url} {problem}"


def test_an_unknown_host_is_a_dns_error():
    def resolver(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    error = error_of("https://no-such-host.example/feed.xml", resolver=resolver)
    assert error.reason == "dns"
    assert error.message == (
        "The host name no-such-host.example could not be found (Name or service not known)."
    )
    assert not error.permanent


def test_an_empty_or_nonsense_answer_is_a_dns_error():
    assert error_of("https://a.example/", resolver=lambda host, port: []).reason == "dns"
    assert error_of("https://a.example/", resolver=lambda host, port: ["nonsense"]).reason == "dns"


def test_international_host_names_are_looked_up_in_their_ascii_form(refused_connections):
    asked = []

    def resolver(host, port):
        asked.append((host, port))
        return ["93.184.215.14"]

    assert error_of("https://bücher.example/feed", resolver=resolver).reason == "connection"
    assert asked == [("xn--bcher-kva.example", 443)]


def test_a_closed_port_is_a_connection_error(local_policy):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = error_of(f"http://127.0.0.1:{port}/feed.xml", policy=local_policy)
    assert error.reason == "connection"
    assert error.message == "Could not connect to 127.0.0.1: connection refused."
    assert not error.permanent


def test_a_server_speaking_nonsense_is_a_connection_error(local_policy):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def nonsense():
            connection, _ = listener.accept()
            connection.recv(4096)
            connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            connection.close()

        threading.Thread(target=nonsense, daemon=True).start()
        error = error_of(f"http://127.0.0.1:{port}/", policy=local_policy, timeout=5)
    assert error.reason == "connection"
    assert error.message.startswith("The feed server at 127.0.0.1 broke the HTTP protocol:")


def test_a_policy_allowing_the_host_name_lets_it_through(feed_server):
    url = feed_server.route("/feed.xml", body=b"<rss/>")
    local_name = url.replace("127.0.0.1", "feeds.intranet")
    policy = AddressPolicy(["feeds.intranet"])
    result = fetch(local_name, policy=policy, resolver=lambda host, port: ["127.0.0.1"])
    assert (result.status, result.body, result.url) == (200, b"<rss/>", local_name)
    assert feed_server.requests[-1].header("Host") == f"feeds.intranet:{feed_server.port}"


def test_other_success_statuses_are_returned(feed_server, local_policy):
    url = feed_server.route("/feed.xml", Reply(status=203, body=b"<rss/>"))
    assert fetch(url, policy=local_policy).status == 203
