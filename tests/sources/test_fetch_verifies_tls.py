"""TLS checks the certificate against the host name in the URL, and sends it as SNI,
even though the connection goes to an address the fetcher resolved itself."""

import shutil
import ssl
import subprocess

import pytest

from budbringer.lib import guarded_http
from budbringer.lib.guarded_http import FetchError, fetch
from budbringer.lib.netguard import AddressPolicy
from tests.sources.feedserver import FeedServer

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")

POLICY = AddressPolicy(["feeds.test", "other.test"])


def to_loopback(host, port):
    return ["127.0.0.1"]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for feeds.test."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=feeds.test",
         "-addext", "subjectAltName=DNS:feeds.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server_names = []
    context.sni_callback = lambda connection, name, context: server_names.append(name)
    with FeedServer(tls=context) as server:
        server.route("/feed.xml", body=b"<rss>secure</rss>")
        server.server_names = server_names
        yield server


@pytest.fixture
def trusting_certificate(certificate, monkeypatch):
    context = ssl.create_default_context(cafile=str(certificate[0]))
    monkeypatch.setattr(guarded_http, "_ssl_context", lambda: context)


def test_an_untrusted_certificate_is_refused(tls_server):
    with pytest.raises(FetchError) as caught:
        fetch(tls_server.url("/feed.xml", host="feeds.test"), policy=POLICY, resolver=to_loopback)
    assert caught.value.reason == "tls"
    assert caught.value.message == (
        "The TLS certificate of feeds.test could not be verified: self-signed certificate."
    )
    assert tls_server.requests == []


def test_a_trusted_certificate_for_the_host_name_is_accepted(tls_server, trusting_certificate):
    url = tls_server.url("/feed.xml", host="feeds.test")
    result = fetch(url, policy=POLICY, resolver=to_loopback)
    assert (result.status, result.body, result.url) == (200, b"<rss>secure</rss>", url)
    assert tls_server.server_names == ["feeds.test"]


def test_a_certificate_for_another_name_is_refused(tls_server, trusting_certificate):
    with pytest.raises(FetchError) as caught:
        fetch(tls_server.url("/feed.xml", host="other.test"), policy=POLICY, resolver=to_loopback)
    assert caught.value.reason == "tls"
    assert caught.value.message == (
        "The TLS certificate of other.test could not be verified: "
        "Hostname mismatch, certificate is not valid for 'other.test'."
    )
    assert tls_server.server_names == ["other.test"]
