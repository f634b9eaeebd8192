"""The API token page: admins only, secret shown once, revoking within the organisation."""

import re

from budbringer.api.models import ApiToken
from budbringer.api.tokens import issue_token


def test_only_admins_reach_the_page(cast, login, client):
    assert client.get("/settings/api-tokens/").status_code == 302  # to sign-in
    for person in (cast.bob, cast.lena, cast.erik, cast.sara):
        client = login(person)
        assert client.get("/settings/api-tokens/").status_code == 403, person
        assert client.post("/settings/api-tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
    assert login(cast.alice).get("/settings/api-tokens/").status_code == 200


def test_a_new_secret_is_shown_once_and_works(cast, login, api_get):
    client = login(cast.alice)
    response = client.post("/settings/api-tokens/", {"name": "CRM sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'<code id="secret">([^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert (token.name, token.created_by, token.organisation) == (
        "CRM sync",
        cast.alice,
        cast.nordlys,
    )
    assert api_get("/clicks", secret).status_code == 200
    again = client.get("/settings/api-tokens/").content.decode()
    assert secret not in again and token.prefix in again and "CRM sync" in again


def test_revoking(cast, login, api_get):
    token, secret = issue_token(cast.nordlys, "Old CRM", cast.alice)
    client = login(cast.alice)
    assert client.get(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/settings/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_get("/clicks", secret).status_code == 401


def test_an_admin_cannot_see_or_revoke_another_organisations_token(cast, login, api_get):
    token, secret = issue_token(cast.havn, "Havn CRM", cast.charlie)
    client = login(cast.alice)
    assert "Havn CRM" not in client.get("/settings/api-tokens/").content.decode()
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_get("/clicks", secret).status_code == 200


def test_erasing_the_creator_keeps_the_organisations_token(cast, api_get):
    from budbringer.accounts.privacy import erase_person

    token, secret = issue_token(cast.nordlys, "CRM", cast.alice)
    erase_person(cast.alice)
    token.refresh_from_db()
    assert token.created_by is None
    assert api_get("/clicks", secret).status_code == 200
