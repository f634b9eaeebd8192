"""Authenticator-app codes (TOTP, RFC 6238: six digits, 30-second steps, SHA-1, as every
app does), set up, confirmed and checked with pyotp.

A code is accepted for the step it belongs to, one step before or after (clocks drift), and
only if that step is later than the last one accepted: claiming a step is a conditional
update, so the same code sent twice at once is accepted once.
"""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp
import segno
from django.utils import timezone

from budbringer.mfa.models import TotpDevice

ISSUER = "Budbringer"
DRIFT_STEPS = 1


def start_setup(user) -> TotpDevice:
    """A new, unconfirmed secret (replacing an unconfirmed one; a confirmed device stays
    until it is removed)."""
    device, _ = TotpDevice.objects.update_or_create(
        user=user,
        confirmed_at__isnull=True,
        defaults={"secret": pyotp.random_base32(), "last_used_step": None},
    )
    return device


def provisioning_uri(device: TotpDevice) -> str:
    """The otpauth:// address the QR code holds."""
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.email or device.user.get_username(), issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The QR code as an inline <svg> element (no XML declaration, sized by CSS)."""
    return segno.make(uri, error="m").svg_inline(
        scale=4, border=2, dark="#000", light="#fff", omitsize=True
    )


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def _accepted_step(device: TotpDevice, code: str, now: dt.datetime) -> int | None:
    code = normalise(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(device.secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(device: TotpDevice, code: str, now: dt.datetime | None = None) -> bool:
    """True once for a right code of a step later than the last accepted one."""
    step = _accepted_step(device, code, now or timezone.now())
    if step is None:
        return False
    claimed = (
        TotpDevice.objects.filter(pk=device.pk)
        .exclude(last_used_step__gte=step)
        .update(last_used_step=step)
    )
    device.last_used_step = step if claimed else device.last_used_step
    return bool(claimed)


def confirm(device: TotpDevice, code: str, now: dt.datetime | None = None) -> bool:
    """The first right code makes the device count."""
    if device.confirmed_at is not None or not check_code(device, code, now):
        return False
    device.confirmed_at = now or timezone.now()
    device.save(update_fields=["confirmed_at"])
    return True


def confirmed_device(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
