"""An admin can require a second factor for admins and editors: such a person without one
is held on the security page after the password; the rule lives in mfa.policy."""

import pyotp
import pytest

from budbringer.mfa import policy
from budbringer.mfa.models import TotpDevice
from tests.conftest import PASSWORD
from tests.mfa.helpers import confirmed_app


@pytest.fixture
def required(cast):
    policy.set_required(cast.nordlys, True)


def test_who_must_have_a_factor(cast, required):
    assert policy.must_have_second_factor(cast.alice)
    assert policy.must_have_second_factor(cast.erik)
    assert not policy.must_have_second_factor(cast.bob)
    assert not policy.must_have_second_factor(cast.lena)
    assert not policy.must_have_second_factor(cast.charlie)  # another organisation
    assert not policy.must_have_second_factor(None)


def test_an_editor_without_a_factor_cannot_skip_setting_one_up(cast, required, client):
    response = client.post("/accounts/login/", {"username": "erik", "password": PASSWORD})
    assert response["Location"] == "/settings/security/"
    for page in ["/", "/for-you/", "/editor/items/", "/settings/", "/admin/"]:
        assert client.get(page)["Location"] == "/settings/security/", page
    page = client.get("/settings/security/")
    assert b"Your organisation requires a second factor" in page.content

    client.post("/settings/security/totp/")
    device = TotpDevice.objects.get(user=cast.erik.user)
    client.post("/settings/security/totp/confirm/", {"code": pyotp.TOTP(device.secret).now()})
    assert client.get("/editor/items/").status_code == 200
    page = client.get("/settings/security/")
    assert page.content.count(b"<li><code>") == 10  # the recovery codes, shown once
    assert client.get("/settings/security/").content.count(b"<li><code>") == 0


def test_an_employee_is_not_held(cast, required, client):
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response["Location"] == "/for-you/"
    assert client.get("/for-you/").status_code == 200


def test_the_last_factor_cannot_be_removed_while_required(cast, required, login):
    client = login(cast.erik)
    confirmed_app(cast.erik.user)
    client.post("/settings/security/totp/remove/", {"secret": PASSWORD})
    assert policy.has_second_factor(cast.erik.user)


def test_only_admins_set_the_policy(cast, login):
    assert login(cast.erik).get("/organisation/security/").status_code == 403
    client = login(cast.alice)
    assert client.get("/organisation/security/").status_code == 200
    response = client.post("/organisation/security/", {"required_for_admins_and_editors": "on"})
    assert response.status_code == 302
    assert policy.must_have_second_factor(cast.erik)
    assert not policy.must_have_second_factor(cast.charlie)
