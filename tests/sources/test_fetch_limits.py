"""One deadline for the whole fetch, and a size cap after decompression with bounded memory."""

import gzip
import socket
import time
import tracemalloc
import zlib

import brotli
import pytest

from budbringer.lib.guarded_http import FetchError, fetch
from tests.sources.feedserver import Reply, bomb_reply, drip

FEED = (
    b"<rss><channel>"
    + b"<item><title>Fjord data centres</title></item>" * 500
    + b"</channel></rss>"
)


def timed_error(url, **kwargs):
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(url, **kwargs)
    return caught.value, time.monotonic() - started


def test_a_dripping_body_is_cut_off_at_the_total_timeout(feed_server, local_policy):
    # A byte every 0.2 s never trips a read timeout; only the total deadline stops it.
    url = feed_server.route("/feed.xml", drip(b"<", every=0.2))
    error, elapsed = timed_error(url, policy=local_policy, timeout=1)
    assert error.reason == "timeout"
    assert error.message == (
        f"The feed at {url} did not arrive within 1 second (BUDBRINGER_FETCH_TIMEOUT)."
    )
    assert not error.permanent
    assert 0.95 < elapsed < 1.5


def test_a_stall_late_in_the_body_ends_at_the_deadline_not_a_full_read_timeout_later(
    feed_server, local_policy
):
    def late_stall():
        yield b"<rss>"
        time.sleep(0.6)
        yield b"<channel>"
        time.sleep(5)
        yield b"</channel></rss>"

    url = feed_server.route("/feed.xml", body=late_stall)
    error, elapsed = timed_error(url, policy=local_policy, timeout=1)
    assert error.reason == "timeout"
    # Without cutting each read to the time left, this would end at about 1.6 s.
    assert 0.95 < elapsed < 1.45


def test_slow_headers_are_cut_off_at_the_total_timeout(feed_server, local_policy):
    url = feed_server.route("/feed.xml", Reply(body=b"<rss/>", delay=5))
    error, elapsed = timed_error(url, policy=local_policy, timeout=0.5)
    assert error.reason == "timeout"
    assert 0.45 < elapsed < 0.9


def test_the_deadline_covers_the_redirects_too(feed_server, local_policy):
    for hop in range(4):
        feed_server.route(
            f"/hop{hop}", Reply(status=302, headers={"Location": f"/hop{hop + 1}"}, delay=0.3)
        )
    feed_server.route("/hop4", body=b"<rss/>")
    error, elapsed = timed_error(feed_server.url("/hop0"), policy=local_policy, timeout=0.8)
    assert error.reason == "timeout"
    assert 0.75 < elapsed < 1.2
    assert "/hop4" not in feed_server.paths_requested()


def test_a_slow_host_lookup_is_cut_off_at_the_total_timeout():
    def slow_resolver(host, port):
        time.sleep(2)
        return ["93.184.215.14"]

    error, elapsed = timed_error("http://slow-dns.example/", resolver=slow_resolver, timeout=0.3)
    assert (error.reason, error.message) == (
        "timeout",
        "Looking up the host name slow-dns.example took too long.",
    )
    assert elapsed < 0.7


def test_connecting_is_limited_by_the_connect_timeout(monkeypatch):
    waits = []

    def unanswered(address, timeout=None, *args, **kwargs):
        waits.append((address, timeout))
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", unanswered)
    error, _ = timed_error(
        "http://feeds.example.com/",
        resolver=lambda host, port: ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        timeout=5,
        connect_timeout=0.25,
    )
    assert (error.reason, error.message) == (
        "timeout",
        "Connecting to feeds.example.com took too long.",
    )
    # Each address is tried in turn, each for the connect timeout at most.
    assert [address for address, _ in waits] == [
        ("93.184.215.14", 80),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", 80),
    ]
    assert all(0.2 < wait <= 0.25 for _, wait in waits)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_cap_is_too_large(feed_server, local_policy, chunked):
    body = (lambda: iter([FEED[:4000], FEED[4000:]])) if chunked else FEED
    url = feed_server.route("/feed.xml", body=body)
    with pytest.raises(FetchError) as caught:
        fetch(url, policy=local_policy, max_bytes=len(FEED) - 1)
    assert caught.value.reason == "too_large"
    assert caught.value.message == (
        f"The feed is larger than {len(FEED) - 1:,} bytes after decompression; "
        "raise BUDBRINGER_FETCH_MAX_BYTES to fetch it."
    )
    assert fetch(url, policy=local_policy, max_bytes=len(FEED)).body == FEED


def test_a_declared_length_over_the_cap_is_refused_before_reading(feed_server, local_policy):
    url = feed_server.route(
        "/feed.xml",
        Reply(body=lambda: iter([b"x"] * 3), headers={"Content-Length": "50000000"}, drip=5),
    )
    error, elapsed = timed_error(url, policy=local_policy, max_bytes=1_000_000)
    assert error.reason == "too_large"
    assert elapsed < 1  # not waiting for the dripping body


@pytest.mark.parametrize(
    ("encoding", "compressed"),
    [
        ("gzip", gzip.compress(FEED)),
        ("x-gzip", gzip.compress(FEED)),
        ("deflate", zlib.compress(FEED)),
        ("deflate", zlib.compress(FEED)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress(FEED)),
        ("identity", FEED),
        ("GZIP", gzip.compress(FEED)),
    ],
)
def test_compressed_bodies_are_decompressed(feed_server, local_policy, encoding, compressed):
    url = feed_server.route("/feed.xml", body=compressed, headers={"Content-Encoding": encoding})
    assert fetch(url, policy=local_policy).body == FEED


def test_compressed_bodies_arriving_a_byte_at_a_time(feed_server, local_policy):
    compressed = zlib.compress(FEED)
    url = feed_server.route(
        "/feed.xml",
        Reply(
            body=lambda: (compressed[i : i + 1] for i in range(len(compressed))),
            headers={"Content-Encoding": "deflate"},
        ),
    )
    assert fetch(url, policy=local_policy).body == FEED


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_a_compression_bomb_stops_at_the_cap_in_bounded_memory(feed_server, local_policy, encoding):
    # 1 GiB of zeros, about 1 MB compressed; the cap is 2 MB.
    url = feed_server.route("/bomb.xml", bomb_reply(encoding, mebibytes=1024))
    tracemalloc.start()
    try:
        error, elapsed = timed_error(url, policy=local_policy, max_bytes=2_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "too_large"
    assert peak < 8_000_000  # the 2 MB kept, plus a few decompression steps
    assert elapsed < 2


def test_an_unknown_encoding_is_a_decoding_error(feed_server, local_policy):
    url = feed_server.route("/feed.xml", body=b"(zstd)", headers={"Content-Encoding": "zstd"})
    with pytest.raises(FetchError) as caught:
        fetch(url, policy=local_policy)
    assert caught.value.reason == "decoding"
    assert caught.value.message == (
        "The feed server compressed the feed as 'zstd', which Budbringer cannot read."
    )


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(FEED)[:-20]),  # cut short
        ("gzip", b"not gzip at all"),
        ("deflate", zlib.compress(FEED)[:-30]),
        ("br", brotli.compress(FEED)[:-10]),
        ("br", b"\xff" * 40),
        ("gzip, br", brotli.compress(FEED)),  # stacked encodings are not supported
    ],
)
def test_broken_compressed_bodies_are_decoding_errors(feed_server, local_policy, encoding, body):
    url = feed_server.route("/feed.xml", body=body, headers={"Content-Encoding": encoding})
    with pytest.raises(FetchError) as caught:
        fetch(url, policy=local_policy)
    assert caught.value.reason == "decoding"


def test_an_empty_compressed_body_is_just_empty(feed_server, local_policy):
    url = feed_server.route("/feed.xml", body=b"", headers={"Content-Encoding": "gzip"})
    assert fetch(url, policy=local_policy).body == b""


def test_redirect_bodies_are_not_read(feed_server, local_policy):
    feed_server.route(
        "/old",
        Reply(status=301, headers={"Location": "/new"}, body=lambda: iter([b"x"] * 5), drip=1),
    )
    feed_server.route("/new", body=b"<rss/>")
    started = time.monotonic()
    assert fetch(feed_server.url("/old"), policy=local_policy).body == b"<rss/>"
    assert time.monotonic() - started < 0.5
