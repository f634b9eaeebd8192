"""ID tokens we must not trust, signed by the test (with a key a small local JWKS server
publishes, or another), verified over real HTTP: wrong signature, alg none, wrong aud,
wrong iss, expired, wrong nonce; and a rotated key picked up by its new kid."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from authlib.jose import JsonWebKey, jwt
from django.core.cache import cache

from budbringer.sso.oidc.provider import discover
from budbringer.sso.oidc.tokens import TokenRefused, verify_id_token

CLIENT_ID = "budbringer"
NONCE = "the-nonce-of-this-sign-in"


class KeyServer:
    """Discovery and JWKS on 127.0.0.1; ``keys`` may be replaced (rotation)."""

    def __init__(self):
        self.keys = [JsonWebKey.generate_key("RSA", 2048, {"kid": "k1"}, is_private=True)]
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {
                        "issuer": server.issuer,
                        "authorization_endpoint": server.issuer + "/auth",
                        "token_endpoint": server.issuer + "/token",
                        "jwks_uri": server.issuer + "/jwks",
                        "id_token_signing_alg_values_supported": ["RS256", "none", "HS256"],
                    }
                else:
                    body = {"keys": [k.as_dict(is_private=False) for k in server.keys]}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def token(self, key=None, header=None, **claims):
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": "nina",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": NONCE,
            "email": "nina@nordlys.example",
            **claims,
        }
        key = key or self.keys[0]
        header = header or {"alg": "RS256", "kid": key.kid}
        return jwt.encode(header, payload, key).decode()


@pytest.fixture
def keys(settings):
    settings.FETCH_ALLOW = ["127.0.0.1"]
    cache.clear()
    server = KeyServer()
    yield server
    server.http.shutdown()


def verify(keys, token):
    return verify_id_token(token, discover(keys.issuer), client_id=CLIENT_ID, nonce=NONCE)


def refusal(keys, token) -> str:
    with pytest.raises(TokenRefused) as refused:
        verify(keys, token)
    return refused.value.reason


def test_a_good_token_is_accepted(keys):
    assert verify(keys, keys.token())["email"] == "nina@nordlys.example"


def test_only_asymmetric_algorithms_of_the_provider_are_accepted(keys):
    assert discover(keys.issuer).algorithms == ("RS256",)


def test_a_wrong_signature_is_refused(keys):
    stranger = JsonWebKey.generate_key("RSA", 2048, {"kid": "k1"}, is_private=True)
    assert refusal(keys, keys.token(key=stranger)) == "bad_signature"


def test_alg_none_is_refused(keys):
    good = keys.token()
    header = "eyJhbGciOiJub25lIiwia2lkIjoiazEifQ"  # {"alg":"none","kid":"k1"}
    unsigned = f"{header}.{good.split('.')[1]}."
    assert refusal(keys, unsigned) == "algorithm"


def test_hs256_with_a_public_key_as_secret_is_refused(keys):
    header = {"alg": "HS256", "kid": "k1"}
    forged = jwt.encode(header, {"iss": keys.issuer, "aud": CLIENT_ID}, b"x" * 32).decode()
    assert refusal(keys, forged) == "algorithm"


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"nonce": "another-sign-in"},
        {"aud": [CLIENT_ID, "other"], "azp": "other"},
    ],
    ids=["wrong-aud", "wrong-iss", "expired", "wrong-nonce", "wrong-azp"],
)
def test_wrong_claims_are_refused(keys, claims):
    assert refusal(keys, keys.token(**claims))


def test_a_rotated_key_is_picked_up_by_its_new_kid(keys):
    assert verify(keys, keys.token())  # k1 is cached now
    new = JsonWebKey.generate_key("RSA", 2048, {"kid": "k2"}, is_private=True)
    keys.keys = [new]
    # The cache says k1 was fetched just now; a rotation is still picked up once after
    # REFETCH_SECONDS, so let the cached copy be old.
    entry = cache.get(f"sso:oidc:jwks:{keys.issuer}/jwks")
    cache.set(f"sso:oidc:jwks:{keys.issuer}/jwks", {**entry, "at": entry["at"] - 120})

    assert verify(keys, keys.token(key=new))["sub"] == "nina"


def test_an_unknown_kid_does_not_refetch_again_and_again(keys):
    k1 = keys.keys[0]
    assert verify(keys, keys.token())
    stranger = JsonWebKey.generate_key("RSA", 2048, {"kid": "nobody"}, is_private=True)
    assert refusal(keys, keys.token(key=stranger))
    keys.keys = []  # a refetch now would find no keys at all
    assert verify(keys, keys.token(key=k1))  # still from the cache
