"""Require single sign-on: passwords off for everyone of the organisation except the
break-glass admins (sign-in, reset mail, password change); other organisations untouched."""

import pytest

from budbringer.accounts import passwords
from budbringer.sso.models import OidcConnection, SignInPolicy
from budbringer.sso.policy import password_sign_in_allowed
from tests.conftest import PASSWORD


@pytest.fixture
def sso_required(cast):
    OidcConnection.objects.create(
        organisation=cast.nordlys,
        issuer="https://login.nordlys.example",
        client_id="x",
        client_secret="y",
        enabled=True,
    )
    policy = SignInPolicy.objects.create(organisation=cast.nordlys, require_sso=True)
    policy.break_glass.add(cast.alice)
    return policy


def test_the_password_of_a_normal_person_is_refused(client, cast, sso_required):
    answer = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert answer.status_code == 200
    assert b"single sign-on" in answer.content
    assert "_auth_user_id" not in client.session


def test_a_break_glass_admin_still_signs_in_with_a_password(client, cast, sso_required):
    answer = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.alice.user.pk)


def test_other_organisations_keep_passwords(cast, sso_required):
    assert password_sign_in_allowed(cast.charlie.user)
    assert not password_sign_in_allowed(cast.bob.user)


def test_no_reset_mail_for_who_must_use_sso(cast, sso_required, mailoutbox):
    assert passwords.send_reset_mails("bob@example.com", "en") == []
    assert passwords.send_reset_mails("alice@example.com", "en") == ["sent"]


def test_no_password_change_for_who_must_use_sso(login, cast, sso_required):
    assert login(cast.bob).get("/settings/password/").status_code == 403


def test_requiring_sso_needs_a_break_glass_admin(login, cast):
    OidcConnection.objects.create(
        organisation=cast.nordlys, issuer="https://login.nordlys.example", enabled=True
    )
    answer = login(cast.alice).post(
        "/organisation/sign-in/", {"action": "policy", "require_sso": "on"}
    )
    assert answer.status_code == 200
    assert not SignInPolicy.objects.filter(require_sso=True).exists()
