"""How long the server says a feed stays fresh: Cache-Control max-age, or Expires."""

import datetime as dt

import pytest

from budbringer.lib.guarded_http import fetch

DATE = "Tue, 04 Mar 2025 10:00:00 GMT"


@pytest.mark.parametrize(
    ("headers", "fresh_for"),
    [
        ({}, None),
        ({"Cache-Control": "max-age=900"}, dt.timedelta(minutes=15)),
        ({"Cache-Control": 'public, MAX-AGE="60", must-revalidate'}, dt.timedelta(minutes=1)),
        ({"Cache-Control": "max-age=0"}, dt.timedelta(0)),
        ({"Cache-Control": "no-store, max-age=900"}, None),
        ({"Cache-Control": "no-cache"}, None),
        ({"Cache-Control": "max-age=soon"}, None),
        ({"Cache-Control": "max-age=\u00b2"}, None),  # a digit to str.isdigit(), not to int()
        ({"Cache-Control": "max-age=99999999999999999999"}, dt.timedelta(days=365)),
        ({"Date": DATE, "Expires": "Tue, 04 Mar 2025 11:30:00 GMT"}, dt.timedelta(minutes=90)),
        ({"Date": DATE, "Expires": "Tue, 04 Mar 2025 09:00:00 GMT"}, dt.timedelta(0)),
        ({"Expires": "0"}, dt.timedelta(0)),
        (
            {
                "Date": DATE,
                "Expires": "Tue, 04 Mar 2025 11:30:00 GMT",
                "Cache-Control": "max-age=60",
            },
            dt.timedelta(minutes=1),
        ),
    ],
)
def test_fresh_for_follows_the_cache_headers(feed_server, local_policy, headers, fresh_for):
    url = feed_server.route("/feed.xml", body=b"<rss/>", headers=headers)
    assert fetch(url, policy=local_policy).fresh_for == fresh_for


def test_a_304_carries_freshness_too(feed_server, local_policy):
    url = feed_server.route(
        "/feed.xml", body=b"<rss/>", headers={"ETag": '"a"', "Cache-Control": "max-age=3600"}
    )
    result = fetch(url, etag='"a"', policy=local_policy)
    assert (result.status, result.fresh_for) == (304, dt.timedelta(hours=1))
