import pytest

from budbringer.lib.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Blog.Example.COM/Post", "https://blog.example.com/Post"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
    ],
)
def test_host_port_fragment_are_normalised(url, expected):
    assert canonical_url(url) == expected


def test_tracking_parameters_are_removed_and_others_kept():
    url = (
        "https://example.com/post?id=7&utm_source=linkedin&UTM_Medium=social&utm_campaign=x"
        "&fbclid=abc&gclid=def&mc_eid=ghi&page=2&empty="
    )
    assert canonical_url(url) == "https://example.com/post?id=7&page=2&empty="


def test_same_article_with_different_tracking_has_one_spelling():
    plain = canonical_url("https://example.com/post?id=7")
    assert canonical_url("https://EXAMPLE.com:443/post?utm_source=x&id=7#top") == plain


def test_order_of_kept_parameters_is_preserved():
    assert canonical_url("https://example.com/?b=2&a=1") == "https://example.com/?b=2&a=1"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/file",
        "mailto:someone@example.com",
        "//example.com/no-scheme",
        "example.com/no-scheme",
        "https:///no-host",
        "",
        "https://example.com:99999/",
    ],
)
def test_anything_but_absolute_http_is_refused(url):
    with pytest.raises(ValueError):
        canonical_url(url)
