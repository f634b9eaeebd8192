import pyotp

from budbringer.mfa import totp
from budbringer.mfa.models import TotpDevice


def confirmed_app(user) -> tuple[TotpDevice, pyotp.TOTP]:
    """An authenticator app set up and confirmed, and the 'phone' that computes its codes."""
    device = totp.start_setup(user)
    phone = pyotp.TOTP(TotpDevice.objects.get(pk=device.pk).secret)
    assert totp.confirm(device, phone.now())
    return TotpDevice.objects.get(pk=device.pk), phone
