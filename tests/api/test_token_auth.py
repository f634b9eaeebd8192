"""Bearer tokens: missing, malformed, unknown and revoked ones are refused with 401."""

import hashlib

import pytest

from budbringer.api.models import ApiToken
from budbringer.api.tokens import issue_token, revoke_token, token_for_secret
from tests.api.conftest import ENDPOINTS


@pytest.mark.parametrize("path", ENDPOINTS)
def test_no_token_no_data(cast, api_get, path):
    assert api_get(path).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer bb_not-a-token",
        "Bearer not-even-prefixed",
        "Basic YWxpY2U6cGFzc3dvcmQ=",
        "Bearer " + "bb_" + "x" * 5000,
        "Bearer bb_\x00\x01",
    ],
)
def test_bad_tokens_are_refused(cast, client, nordlys_secret, header):
    response = client.get("/api/v1/clicks", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_good_token_reads_and_is_marked_used(cast, api_get, nordlys_secret):
    token = ApiToken.objects.get(organisation=cast.nordlys)
    assert token.last_used_at is None
    assert api_get("/clicks", nordlys_secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(cast, api_get, nordlys_secret):
    token = ApiToken.objects.get(organisation=cast.nordlys)
    assert api_get("/shares", nordlys_secret).status_code == 200
    revoke_token(token)
    assert api_get("/shares", nordlys_secret).status_code == 401
    assert token_for_secret(nordlys_secret) is None


def test_only_a_hash_of_the_secret_is_stored(cast):
    token, secret = issue_token(cast.nordlys, "CRM", cast.alice)
    token.refresh_from_db()
    assert secret.startswith("bb_") and len(secret) > 40
    stored = " ".join(str(value) for value in ApiToken.objects.values_list().get(pk=token.pk))
    assert secret not in stored
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix)


def test_an_employees_session_cannot_use_the_api(cast, login, nordlys_secret):
    for person in (cast.bob, cast.alice, cast.lena):
        client = login(person)
        for path in ENDPOINTS:
            assert client.get(f"/api/v1{path}").status_code == 401, (person, path)
