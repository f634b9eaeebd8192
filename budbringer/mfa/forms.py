from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budbringer.mfa import totp
from budbringer.mfa.models import MfaPolicy


def code_field(label):
    return forms.CharField(
        label=label,
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class CodeForm(forms.Form):
    code = code_field(_("Code from your authenticator app, or a recovery code"))


class TotpConfirmForm(forms.Form):
    code = code_field(_("The six-digit code your app shows"))


class ConfirmItIsYouForm(forms.Form):
    """Removing a factor or making new recovery codes: the password, or a current code.
    A wrong password counts toward the account's sign-in lock (``authenticate``)."""

    secret = forms.CharField(
        label=_("Your password, or a code from your authenticator app"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"]
        user = self.request.user
        device = totp.confirmed_device(user)
        if device is not None and totp.check_code(device, secret):
            return secret
        if authenticate(self.request, username=user.get_username(), password=secret):
            return secret
        raise ValidationError(_("That is neither your password nor a current code."))


class PasskeyNameForm(forms.Form):
    name = forms.CharField(label=_("A name for this passkey"), max_length=100)
    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = MfaPolicy
        fields = ["required_for_admins_and_editors"]
