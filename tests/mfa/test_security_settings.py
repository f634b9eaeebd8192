"""The security settings page: set up an app (secret, address, QR code), confirm it with a
code, remove it with the password or a current code, new recovery codes."""

import pyotp

from budbringer.mfa import policy
from budbringer.mfa.models import Passkey, RecoveryCode, TotpDevice
from tests.conftest import PASSWORD
from tests.mfa.helpers import confirmed_app


def test_setting_up_an_app(cast, login):
    client = login(cast.bob)
    assert b"Not set up." in client.get("/settings/security/").content
    client.post("/settings/security/totp/")
    device = TotpDevice.objects.get(user=cast.bob.user)
    page = client.get("/settings/security/").content.decode()
    assert device.secret in page and "otpauth://totp/" in page and "<svg" in page
    assert not policy.has_second_factor(cast.bob.user)

    wrong = client.post("/settings/security/totp/confirm/", {"code": "000000"})
    assert wrong.status_code == 400 and not policy.has_second_factor(cast.bob.user)
    client.post("/settings/security/totp/confirm/", {"code": pyotp.TOTP(device.secret).now()})
    assert policy.has_second_factor(cast.bob.user)
    assert RecoveryCode.objects.filter(user=cast.bob.user).count() == 10


def test_removing_the_app_asks_for_the_password_or_a_code(cast, login):
    client = login(cast.bob)
    confirmed_app(cast.bob.user)
    response = client.post("/settings/security/totp/remove/", {"secret": "not it"})
    assert response.status_code == 400 and policy.has_second_factor(cast.bob.user)
    client.post("/settings/security/totp/remove/", {"secret": PASSWORD})
    assert not policy.has_second_factor(cast.bob.user)
    assert not RecoveryCode.objects.filter(user=cast.bob.user).exists()


def test_new_recovery_codes_replace_the_old(cast, login):
    client = login(cast.bob)
    confirmed_app(cast.bob.user)
    client.post("/settings/security/recovery-codes/", {"secret": PASSWORD})
    first = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    client.post("/settings/security/recovery-codes/", {"secret": PASSWORD})
    second = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(second) == 10 and not first & second


def test_one_cannot_remove_someone_elses_passkey(cast, login):
    passkey = Passkey.objects.create(
        user=cast.alice.user, credential_id="abc", public_key=b"k", name="Alice's phone"
    )
    response = login(cast.bob).post(
        f"/settings/security/passkeys/{passkey.pk}/remove/", {"secret": PASSWORD}
    )
    assert response.status_code == 404 and Passkey.objects.filter(pk=passkey.pk).exists()
