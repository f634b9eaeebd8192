"""Conditional GET: a feed that has not changed costs one small 304."""

from budbringer.lib.guarded_http import USER_AGENT, fetch
from tests.sources.feedserver import Reply

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Nordlys</title></channel></rss>'
LAST_MODIFIED = "Tue, 04 Mar 2025 10:00:00 GMT"


def test_first_fetch_returns_the_body_and_validators(feed_server, local_policy):
    url = feed_server.route(
        "/feed.xml",
        body=RSS,
        headers={
            "Content-Type": "application/rss+xml; charset=utf-8",
            "ETag": '"v1"',
            "Last-Modified": LAST_MODIFIED,
        },
    )
    result = fetch(url, policy=local_policy)
    assert result.status == 200
    assert result.body == RSS
    assert result.url == url
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.etag == '"v1"'
    assert result.last_modified == LAST_MODIFIED
    assert 0 < result.elapsed < 5
    request = feed_server.requests[-1]
    assert request.header("User-Agent") == USER_AGENT
    assert request.header("Accept-Encoding") == "gzip, deflate, br"
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


def test_matching_etag_gives_304_with_an_empty_body(feed_server, local_policy):
    url = feed_server.route("/feed.xml", body=RSS, headers={"ETag": '"v1"'})
    result = fetch(url, etag='"v1"', policy=local_policy)
    assert (result.status, result.body, result.etag) == (304, b"", '"v1"')
    assert feed_server.requests[-1].header("If-None-Match") == '"v1"'


def test_changed_etag_gives_the_new_body(feed_server, local_policy):
    url = feed_server.route("/feed.xml", body=RSS, headers={"ETag": '"v2"'})
    result = fetch(url, etag='"v1"', policy=local_policy)
    assert (result.status, result.body, result.etag) == (200, RSS, '"v2"')


def test_last_modified_alone_is_sent_as_if_modified_since(feed_server, local_policy):
    url = feed_server.route("/feed.xml", body=RSS, headers={"Last-Modified": LAST_MODIFIED})
    result = fetch(url, last_modified=LAST_MODIFIED, policy=local_policy)
    assert (result.status, result.body, result.last_modified) == (304, b"", LAST_MODIFIED)
    assert feed_server.requests[-1].header("If-Modified-Since") == LAST_MODIFIED


def test_a_304_without_validators_keeps_the_ones_sent(feed_server, local_policy):
    url = feed_server.route("/feed.xml", Reply(status=304))
    result = fetch(url, etag='"v1"', last_modified=LAST_MODIFIED, policy=local_policy)
    assert (result.status, result.etag, result.last_modified) == (304, '"v1"', LAST_MODIFIED)


def test_validators_that_cannot_be_headers_are_not_sent(feed_server, local_policy):
    url = feed_server.route("/feed.xml", body=RSS)
    result = fetch(url, etag='"v1"\r\nX-Injected: yes', policy=local_policy)
    assert result.status == 200
    assert "x-injected" not in feed_server.requests[-1].headers
    assert "if-none-match" not in feed_server.requests[-1].headers
