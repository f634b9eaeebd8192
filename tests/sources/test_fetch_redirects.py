"""Redirects are followed by the fetcher itself, each hop checked like the first."""

import pytest

from budbringer.lib.guarded_http import FetchError, fetch
from budbringer.lib.netguard import AddressPolicy
from tests.sources.feedserver import redirect


def chain(server, hops):
    """/hop0 -> /hop1 -> ... -> /hop{hops} which is the feed; returns the first URL."""
    for hop in range(hops):
        server.route(
            f"/hop{hop}", redirect(f"/hop{hop + 1}", status=(301, 302, 303, 307, 308)[hop % 5])
        )
    server.route(f"/hop{hops}", body=b"<rss/>")
    return server.url("/hop0")


def test_five_redirects_are_followed_to_the_final_url(feed_server, local_policy):
    result = fetch(chain(feed_server, 5), policy=local_policy)
    assert result.body == b"<rss/>"
    assert result.url == feed_server.url("/hop5")
    assert feed_server.paths_requested() == [f"/hop{hop}" for hop in range(6)]


def test_a_sixth_redirect_is_refused(feed_server, local_policy):
    with pytest.raises(FetchError) as caught:
        fetch(chain(feed_server, 6), policy=local_policy)
    assert caught.value.reason == "too_many_redirects"
    assert caught.value.message == (
        f"The feed redirected more than 5 times; the last hop was to {feed_server.url('/hop5')}."
    )
    assert "/hop6" not in feed_server.paths_requested()


def test_relative_and_absolute_locations_both_work(feed_server, local_policy):
    feed_server.route("/a/start", redirect("../b/next?x=1"))
    feed_server.route("/b/next", redirect(feed_server.url("/feed.xml")))
    feed_server.route("/feed.xml", body=b"<feed/>")
    result = fetch(feed_server.url("/a/start"), policy=local_policy)
    assert result.body == b"<feed/>"
    assert feed_server.paths_requested() == ["/a/start", "/b/next?x=1", "/feed.xml"]


@pytest.mark.parametrize(
    ("target", "address"),
    [
        ("http://127.0.0.2:{port}/", "127.0.0.2"),
        ("http://[::1]:{port}/", "::1"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://0x7f000002:{port}/", "127.0.0.2"),
    ],
)
def test_a_redirect_to_a_blocked_address_is_refused(feed_server, local_policy, target, address):
    feed_server.route("/feed.xml", redirect(target.format(port=feed_server.port)))
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/feed.xml"), policy=local_policy)
    assert caught.value.reason == "blocked_address"
    assert caught.value.message.startswith(f"The address {address} ")


def test_an_allowed_host_cannot_hand_its_permission_to_another(feed_server):
    # feeds.intranet is allowed by name; other.intranet has the same address but is
    # not allowed, so following the redirect to it must be refused.
    policy = AddressPolicy(["feeds.intranet"])

    def resolver(host, port):
        return {"feeds.intranet": ["127.0.0.1"], "other.intranet": ["127.0.0.1"]}[host]

    feed_server.route("/feed.xml", redirect(feed_server.url("/secret", host="other.intranet")))
    feed_server.route("/secret", body=b"internal")
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/feed.xml", host="feeds.intranet"), policy=policy, resolver=resolver)
    assert caught.value.reason == "blocked_address"
    assert caught.value.message.startswith(
        "The address 127.0.0.1 of other.intranet is a loopback address of this machine;"
    )
    assert feed_server.paths_requested() == ["/feed.xml"]


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://example.com/", "ftp://x/"])
def test_a_redirect_to_another_scheme_is_refused(feed_server, local_policy, target):
    feed_server.route("/feed.xml", redirect(target))
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/feed.xml"), policy=local_policy)
    assert caught.value.reason == "bad_scheme"
    assert target in caught.value.message


def test_a_redirect_without_location_is_an_http_error(feed_server, local_policy):
    feed_server.route("/feed.xml", status=302)
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/feed.xml"), policy=local_policy)
    assert (caught.value.reason, caught.value.status) == ("http_error", 302)


def test_a_redirect_loop_ends_as_too_many_redirects(feed_server, local_policy):
    feed_server.route("/feed.xml", redirect("/feed.xml"))
    with pytest.raises(FetchError) as caught:
        fetch(feed_server.url("/feed.xml"), policy=local_policy)
    assert caught.value.reason == "too_many_redirects"
    assert len(feed_server.requests) == 6
