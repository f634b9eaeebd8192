import logging
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from budbringer.accounts import lockout
from budbringer.accounts.models import DigestCadence, Person
from budbringer.content.models import Topic
from budbringer.digests.planning import preferences_changed
from budbringer.lib.ids import ModelMultipleChoiceField
from budbringer.sources.models import SourceList
from budbringer.sso.policy import password_sign_in_allowed

_TIME_ZONES = sorted(zoneinfo.available_timezones())

log = logging.getLogger(__name__)


# What the page linked from every digest changes without a sign-in: what comes and when.
DIGEST_FIELDS = [
    "interface_language",
    "digest_cadence",
    "send_days",
    "digest_max_items",
    "quiet_from",
    "quiet_until",
    "on_holiday_until",
    "digests_on_holiday",
    "topics",
]
# Where digests go: changed only signed in, so that whoever holds a forwarded digest cannot
# have the person's next digests, and their signed links, sent to them.
DESTINATION_FIELDS = ["digest_channel", "chat_webhook_url"]


class DigestPreferencesForm(forms.ModelForm):
    """What a person decides about their digests; reachable from every digest, no sign-in,
    so never where they go (``DESTINATION_FIELDS``: the settings page, signed in)."""

    topics = ModelMultipleChoiceField(
        label=_("Topics you follow"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave topics and lists empty to see everything in your languages."),
    )
    followed_lists = ModelMultipleChoiceField(
        label=_("Lists you follow"),
        queryset=SourceList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    send_days = forms.TypedMultipleChoiceField(
        label=_("Days you want digests"),
        choices=list(WEEKDAYS.items()),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weekly digests come on the best of these days for you."),
    )

    class Meta:
        model = Person
        fields = DIGEST_FIELDS
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "on_holiday_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "quiet_from": _("Nothing is sent in your quiet hours. Leave both empty for none."),
            "on_holiday_until": _("Set this when you go away; it ends by itself."),
            "digests_on_holiday": _("Some people like to keep up on holiday. Your choice."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation
        self.fields["topics"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["followed_lists"].queryset = SourceList.objects.filter(
            organisation=organisation
        )
        self.fields["followed_lists"].initial = self.instance.followed_lists.all()

    def clean_send_days(self) -> list[int]:
        return sorted(self.cleaned_data["send_days"])

    def save(self, commit: bool = True) -> Person:
        """Save, and re-plan: the planned digest may no longer fit the new settings."""
        if not commit:
            return super().save(commit=False)
        with transaction.atomic():
            person = super().save()
            person.followed_lists.set(self.cleaned_data["followed_lists"])
            preferences_changed(person)
        return person


class PersonSettingsForm(DigestPreferencesForm):
    """What a person decides for themselves: language, reading, time zone, digests."""

    languages = forms.MultipleChoiceField(
        label=_("Languages you read"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, name) for name in _TIME_ZONES]
    )

    class Meta(DigestPreferencesForm.Meta):
        # DIGEST_FIELDS and DESTINATION_FIELDS, where to send next to how often and how much.
        fields = [
            "interface_language", "languages", "time_zone", "digest_cadence", "send_days",
            "digest_max_items", *DESTINATION_FIELDS, "quiet_from", "quiet_until",
            "on_holiday_until", "digests_on_holiday", "topics",
        ]  # fmt: skip
        widgets = {
            **DigestPreferencesForm.Meta.widgets,
            "chat_webhook_url": forms.URLInput(
                attrs={"placeholder": "https://hooks.slack.com/..."}
            ),
        }
        help_texts = {
            **DigestPreferencesForm.Meta.help_texts,
            "chat_webhook_url": _(
                "A Slack or Microsoft Teams incoming webhook, for digests in chat."
            ),
        }

    def save(self, commit: bool = True) -> Person:
        if "chat_webhook_url" in self.changed_data:
            # A new address: try it, whatever the old one answered.
            self.instance.chat_failed_at, self.instance.chat_failure = None, ""
        return super().save(commit)


class ThrottledPasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, with the current password checked by ``authenticate``: a
    wrong one counts toward the account's sign-in lock (accounts/lockout.py), so a session
    left open cannot be used to guess the password."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if authenticate(self.request, username=username, password=old_password) is None:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class IdentifyForm(forms.Form):
    """The sign-in page's first step: who is signing in, to know how."""

    username = forms.CharField(
        label=_("Work e-mail or user name"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}
        ),
    )


def login_name(typed: str) -> str:
    """The user name a typed sign-in name stands for. An e-mail address, in any case, finds
    the login named by it (invited, imported, SCIM and SSO people are) or else the one login
    with that address; anything else is taken as typed. So "Nora@Nordlys.no" from a phone
    that capitalises signs in, and wrong passwords count against the one account."""
    typed = typed.strip()
    if "@" not in typed:
        return typed
    logins = get_user_model().objects
    for match in ({"username__iexact": typed}, {"email__iexact": typed}):
        found = list(logins.filter(**match).values_list("username", flat=True)[:2])
        if len(found) == 1:
            return found[0]
    return typed


class SignInForm(auth_forms.AuthenticationForm):
    """The password step. People whose organisation requires single sign-on are refused
    here even with the right password (``sso.policy``)."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # The same words whether the address is unknown or the password wrong, as Django's.
        "invalid_login": _(
            "This e-mail or user name and this password do not match. Check the password "
            "(capitals count), or reset it below."
        ),
        "sso_required": _(
            "Your organisation signs you in with its single sign-on, not a password here."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The name the first step gave it, not Django's "Username".
        self.fields["username"].label = _("Work e-mail or user name")
        self.fields["username"].widget.attrs["autocapitalize"] = "none"

    def clean(self):
        if self.cleaned_data.get("username"):
            self.cleaned_data["username"] = login_name(self.cleaned_data["username"])
        return super().clean()

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not password_sign_in_allowed(user):
            raise ValidationError(self.error_messages["sso_required"], code="sso_required")


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class NewPasswordForm(auth_forms.SetPasswordForm):
    """The new password from a reset link. Whoever has the link read the account's mail,
    so its wrong sign-in passwords are forgotten: a lock someone else caused ends."""

    def save(self, commit: bool = True):
        user = super().save(commit)
        if commit:
            lockout.forget_failures(user)
            log.info("New password set with a reset link for account %s", user.pk)
        return user


class OrganisationSettingsForm(forms.Form):
    """The organisation's name and what new people get; checked by accounts.organisation."""

    name = forms.CharField(label=_("Organisation name"), max_length=200)
    languages = forms.MultipleChoiceField(
        label=_("Content languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What new people read until they choose themselves."),
        error_messages={"required": _("Choose at least one language.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[("", "—")] + [(name, name) for name in _TIME_ZONES],
        help_text=_("New people's time zone, for when their digests go out."),
        error_messages={"required": _("Choose a time zone.")},
    )
    digest_cadence = forms.ChoiceField(
        label=_("Digests for new people"),
        choices=[("", "—"), *DigestCadence.choices],
        help_text=_("How often new people get a digest; each person can change theirs."),
        error_messages={"required": _("Choose how often new people get a digest.")},
    )

    @classmethod
    def for_organisation(cls, organisation, data=None) -> "OrganisationSettingsForm":
        initial = {
            "name": organisation.name,
            "languages": organisation.languages,
            "time_zone": organisation.time_zone,
            "digest_cadence": organisation.digest_cadence,
        }
        return cls(data, initial=initial)


class EmailDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("E-mail domain"),
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "example.com", "autocapitalize": "none"}),
    )
