"""The admin's sign-in settings: the OpenID Connect connection and the require-SSO policy."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Person
from budbringer.accounts.roles import Role
from budbringer.lib.ids import ModelMultipleChoiceField
from budbringer.sso.discovery import start_url_for
from budbringer.sso.models import OidcConnection, SignInPolicy
from budbringer.sso.oidc.provider import ProviderError, discover, url_allowed

_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def parse_role_groups(text: str) -> dict[str, str]:
    """``group = role`` lines into a mapping; ValidationError naming the bad lines."""
    roles = {value for value, _label in Role.choices}
    mapping: dict[str, str] = {}
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group, equals, role = (part.strip() for part in line.rpartition("="))
        if not equals or not group or role not in roles:
            errors.append(
                gettext("Line %(number)s: write “group = role”, the role one of %(roles)s.")
                % {"number": number, "roles": ", ".join(sorted(roles))}
            )
            continue
        mapping[group] = role
    if errors:
        raise ValidationError(errors)
    return mapping


def role_groups_text(mapping: dict[str, str]) -> str:
    return "\n".join(f"{group} = {role}" for group, role in mapping.items())


class OidcConnectionForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted. Leave empty to keep the one saved."),
    )
    role_groups_lines = forms.CharField(
        label=_("Roles from groups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "budbringer-admins = admin"}),
        help_text=_(
            "One “group = role” per line, with the group as your provider sends it (Entra "
            "ID sends group object ids). Someone in several groups gets the strongest role; "
            "without a mapped group the role stays as it is."
        ),
    )

    class Meta:
        model = OidcConnection
        fields = [
            "issuer",
            "client_id",
            "client_secret",
            "client_secret_env",
            "scopes",
            "department_attribute",
            "groups_attribute",
            "enabled",
        ]
        labels = {"enabled": _("Sign people in with this provider")}
        help_texts = {
            "issuer": _(
                "Its discovery document is read from <issuer>/.well-known/openid-configuration."
            ),
            "client_secret_env": _(
                "Instead of storing the secret: the name of an environment variable of the "
                "server that holds it."
            ),
            "department_attribute": _(
                "The ID-token claim whose value is the department, e.g. “department”. "
                "Empty leaves departments alone."
            ),
        }
        widgets = {"issuer": forms.URLInput(attrs={"placeholder": "https://"})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["issuer"].assume_scheme = "https"
        self.fields["role_groups_lines"].initial = role_groups_text(self.instance.role_groups)
        self.discovered = None
        self._stored_secret = self.instance.client_secret or ""

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        if not url_allowed(issuer):
            raise ValidationError(_("The issuer URL must start with https://."))
        taken = OidcConnection.objects.filter(issuer=issuer).exclude(organisation=self.organisation)
        if taken.exists():
            # Never say whose: that would tell one company another's provider.
            raise ValidationError(_("This issuer is already connected to another organisation."))
        return issuer

    def clean_client_secret_env(self) -> str:
        name = self.cleaned_data["client_secret_env"].strip()
        if name and not _ENV_NAME.fullmatch(name):
            raise ValidationError(_("Write the variable's name, like OIDC_CLIENT_SECRET."))
        return name

    def clean_role_groups_lines(self) -> dict[str, str]:
        return parse_role_groups(self.cleaned_data["role_groups_lines"])

    def clean(self):
        cleaned = super().clean()
        issuer = cleaned.get("issuer")
        secret = cleaned.get("client_secret") or self.instance.client_secret
        if cleaned.get("enabled") and not (secret or cleaned.get("client_secret_env")):
            self.add_error(
                "client_secret",
                _("Give the client secret or the environment variable that holds it."),
            )
        if issuer and not self.has_error("issuer"):
            try:
                self.discovered = discover(issuer, fresh=True)
            except ProviderError as error:
                self.add_error("issuer", error.message)
        return cleaned

    def save(self, commit: bool = True) -> OidcConnection:
        connection = super().save(commit=False)
        if not self.cleaned_data.get("client_secret"):
            # An empty field keeps the stored secret (it is never shown back).
            connection.client_secret = self._stored_secret
        connection.role_groups = self.cleaned_data["role_groups_lines"]
        if commit:
            connection.save()
        return connection


class SignInPolicyForm(forms.ModelForm):
    class Meta:
        model = SignInPolicy
        fields = ["require_sso", "break_glass"]
        labels = {"require_sso": _("Require single sign-on: no passwords")}
        help_texts = {
            "break_glass": _(
                "Admins who keep their password, to get in when the identity provider is "
                "down or misconfigured."
            ),
        }
        widgets = {"break_glass": forms.CheckboxSelectMultiple}
        field_classes = {"break_glass": ModelMultipleChoiceField}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["break_glass"].queryset = Person.objects.filter(
            organisation=organisation, role=Role.ADMIN, user__is_active=True
        ).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("require_sso"):
            if start_url_for(self.organisation) is None:
                raise ValidationError(
                    _("Connect and enable an identity provider before requiring it.")
                )
            if not cleaned.get("break_glass"):
                self.add_error(
                    "break_glass",
                    _("Choose at least one admin who can still sign in with a password."),
                )
        return cleaned
