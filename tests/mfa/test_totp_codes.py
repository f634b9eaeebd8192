"""Authenticator-app codes computed by pyotp from the stored (encrypted) secret: right,
wrong, the same code twice, too old or too new, and confirmation."""

import datetime as dt

import pyotp
from django.db import connection
from django.utils import timezone

from budbringer.mfa import totp
from budbringer.mfa.models import TotpDevice


def fresh(device):
    return TotpDevice.objects.get(pk=device.pk)


def test_the_secret_is_stored_encrypted(cast):
    device = totp.start_setup(cast.bob.user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM mfa_totpdevice WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
    assert device.secret not in stored
    assert fresh(device).secret == device.secret


def test_a_device_counts_only_after_a_first_right_code(cast):
    device = totp.start_setup(cast.bob.user)
    assert totp.confirmed_device(cast.bob.user) is None
    right = pyotp.TOTP(device.secret).now()
    assert not totp.confirm(device, f"{(int(right) + 1) % 1_000_000:06d}")
    assert totp.confirmed_device(cast.bob.user) is None
    assert totp.confirm(device, pyotp.TOTP(fresh(device).secret).now())
    assert totp.confirmed_device(cast.bob.user) == device


def test_a_right_code_is_accepted_once_in_its_step(cast):
    device = totp.start_setup(cast.bob.user)
    phone = pyotp.TOTP(fresh(device).secret)
    now = timezone.now()
    assert totp.confirm(device, phone.at(now), now)
    later = now + dt.timedelta(seconds=31)
    code = phone.at(later)
    assert totp.check_code(fresh(device), code, later)
    assert not totp.check_code(fresh(device), code, later), "the same code twice"
    # Also not a code of an earlier step once a later one was used (replay from a log).
    assert not totp.check_code(fresh(device), phone.at(now), later)


def test_a_wrong_code_is_refused(cast):
    device = totp.start_setup(cast.bob.user)
    phone = pyotp.TOTP(fresh(device).secret)
    now = timezone.now()
    right = phone.at(now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert not totp.check_code(device, wrong, now)
    assert not totp.check_code(device, "abcdef", now)
    assert not totp.check_code(device, "", now)
    assert totp.check_code(device, f"{right[:3]} {right[3:]}", now), "spaces are fine"


def test_codes_out_of_the_window_are_refused(cast):
    device = totp.start_setup(cast.bob.user)
    phone = pyotp.TOTP(fresh(device).secret)
    now = timezone.now()
    assert not totp.check_code(device, phone.at(now - dt.timedelta(seconds=90)), now)
    assert not totp.check_code(device, phone.at(now + dt.timedelta(seconds=90)), now)
    # One step of drift either way is fine (a phone's clock a little off).
    assert totp.check_code(fresh(device), phone.at(now - dt.timedelta(seconds=30)), now)
    assert totp.check_code(fresh(device), phone.at(now + dt.timedelta(seconds=30)), now)


def test_the_qr_code_and_the_address(cast):
    device = totp.start_setup(cast.bob.user)
    uri = totp.provisioning_uri(device)
    assert uri.startswith("otpauth://totp/Budbringer:bob%40example.com?secret=")
    assert f"secret={device.secret}" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg
