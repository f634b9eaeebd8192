"""lib.urls.ascii_uri: the form of an address a Location header carries."""

import pytest
from django.utils.encoding import iri_to_uri

from budbringer.lib.urls import ascii_uri


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("https://bücher.example/straße?q=ü", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC"),
        # Non-transitional UTS #46, as browsers: ß stays ß (IDNA 2003 would make it "ss").
        ("https://straße.example/", "https://xn--strae-oqa.example/"),
        ("https://BÜCHER.example:8443/a#ü", "https://xn--bcher-kva.example:8443/a#%C3%BC"),
        ("https://lä:pä@bücher.example/", "https://l%C3%A4:p%C3%A4@xn--bcher-kva.example/"),
        ("https://bücher.example./", "https://xn--bcher-kva.example./"),
    ],
)
def test_an_international_address_becomes_ascii_with_an_idna_host(iri, uri):
    assert ascii_uri(iri) == uri
    assert ascii_uri(uri) == uri  # already ASCII: unchanged


@pytest.mark.parametrize(
    "uri",
    [
        "https://blog.example.com/post?id=7&utm_source=x",
        "https://a_b.example/x%20y?b=%C3%BC",  # not a valid IDNA name, but ASCII: left alone
        "http://[2001:db8::1]:8080/path",
        "https://example.com/?next=https%3A%2F%2Fother.example%2F",
    ],
)
def test_an_ascii_address_is_left_as_it_is(uri):
    assert ascii_uri(uri) == uri


def test_a_host_that_is_no_idna_name_is_percent_encoded_as_django_would():
    assert ascii_uri("https://☃.example/ü") == iri_to_uri("https://☃.example/ü")
    assert ascii_uri("https://☃.example/ü").isascii()
