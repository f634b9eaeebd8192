"""The admin's OpenID Connect settings: discovery checked when saved, an issuer another
organisation uses refused without naming it, the secret kept encrypted."""

import pytest

from budbringer.sso.models import OidcConnection
from tests.sso.conftest import CLIENT_ID, CLIENT_SECRET


def form(issuer, **fields):
    return {
        "action": "oidc",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": "openid email profile",
        "groups_attribute": "groups",
        "department_attribute": "department",
        "role_groups_lines": "bb-editors = editor\nbb-admins = admin",
        "enabled": "on",
        **fields,
    }


def test_a_provider_is_saved_after_discovery(login, cast, oidc_provider, local_provider_allowed):
    answer = login(cast.alice).post("/organisation/sign-in/", form(oidc_provider.issuer))
    assert answer.status_code == 302, answer.content
    connection = OidcConnection.objects.get(organisation=cast.nordlys)
    assert connection.role_groups == {"bb-editors": "editor", "bb-admins": "admin"}
    assert connection.client_secret == CLIENT_SECRET
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM sso_oidcconnection")
        assert CLIENT_SECRET not in cursor.fetchone()[0]


def test_an_issuer_of_another_organisation_is_refused(
    login, cast, oidc_provider, local_provider_allowed
):
    OidcConnection.objects.create(organisation=cast.havn, issuer=oidc_provider.issuer)
    answer = login(cast.alice).post("/organisation/sign-in/", form(oidc_provider.issuer))
    assert answer.status_code == 200
    assert b"already connected to another organisation" in answer.content
    assert b"Havn" not in answer.content
    assert not OidcConnection.objects.filter(organisation=cast.nordlys).exists()


def test_an_issuer_that_is_not_what_discovery_says_is_refused(
    login, cast, oidc_provider, local_provider_allowed
):
    answer = login(cast.alice).post("/organisation/sign-in/", form(oidc_provider.issuer + "/"))
    assert answer.status_code == 200
    assert not OidcConnection.objects.exists()


def test_an_internal_address_is_refused(login, cast):
    answer = login(cast.alice).post("/organisation/sign-in/", form("https://10.0.0.5"))
    assert answer.status_code == 200
    assert b"BUDBRINGER_FETCH_ALLOW" in answer.content
    assert not OidcConnection.objects.exists()


def test_test_connection_shows_what_it_found(login, cast, oidc_provider, local_provider_allowed):
    answer = login(cast.alice).post(
        "/organisation/sign-in/", {"action": "test", "issuer": oidc_provider.issuer}
    )
    assert b"/token" in answer.content and b"RS256" in answer.content
    assert not OidcConnection.objects.exists()


@pytest.mark.parametrize("person", ["bob", "erik"])
def test_only_admins_see_the_page(login, cast, person):
    assert login(getattr(cast, person)).get("/organisation/sign-in/").status_code == 403
