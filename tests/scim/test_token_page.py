"""/organisation/scim/: admins make (shown once), list and revoke SCIM tokens; the command
`budbringer scim-token SLUG` prints one."""

import io

import pytest
from django.core.management import CommandError, call_command

from budbringer.lib.bearer_tokens import hash_secret
from budbringer.scim.models import ScimToken
from budbringer.scim.tokens import token_for_secret


def test_an_admin_creates_a_token_shown_once(client, cast):
    client.force_login(cast.alice.user)
    empty = client.get("/organisation/scim/")
    assert empty.status_code == 200
    assert b"No SCIM tokens yet" in empty.content
    assert b"/scim/v2/" in empty.content
    made = client.post("/organisation/scim/", {"name": "Entra ID"})
    secret = made.context["new_secret"]
    assert secret.startswith("bbscim_") and secret.encode() in made.content
    token = ScimToken.objects.get(organisation=cast.nordlys)
    assert token.secret_hash == hash_secret(secret) and secret not in token.secret_hash
    assert token.created_by == cast.alice
    assert secret.encode() not in client.get("/organisation/scim/").content
    assert token_for_secret(secret) == token


def test_an_admin_revokes_a_token(client, cast):
    client.force_login(cast.alice.user)
    secret = client.post("/organisation/scim/", {"name": "Okta"}).context["new_secret"]
    token = ScimToken.objects.get()
    client.post(f"/organisation/scim/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None and token_for_secret(secret) is None


@pytest.mark.parametrize("who", ["erik", "lena", "bob"])
def test_only_admins_see_the_page(client, cast, who):
    client.force_login(getattr(cast, who).user)
    assert client.get("/organisation/scim/").status_code == 403


def test_another_organisations_token_cannot_be_revoked(client, cast):
    from budbringer.scim.tokens import issue_token

    token, _secret = issue_token(cast.havn, "Okta")
    client.force_login(cast.alice.user)
    assert client.post(f"/organisation/scim/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_prints_a_new_token(cast):
    out = io.StringIO()
    call_command("scim_token", "nordlys", "--name", "Entra ID", stdout=out)
    secret = out.getvalue().strip()
    assert token_for_secret(secret).organisation == cast.nordlys
    assert ScimToken.objects.get().name == "Entra ID"
    with pytest.raises(CommandError):
        call_command("scim_token", "nowhere")
