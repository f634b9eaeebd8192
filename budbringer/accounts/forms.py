import zoneinfo

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Person
from budbringer.content.models import Topic
from budbringer.digests.planning import replan
from budbringer.lib.ids import ModelMultipleChoiceField
from budbringer.sources.models import SourceList

_TIME_ZONES = sorted(zoneinfo.available_timezones())


DIGEST_FIELDS = [
    "interface_language",
    "digest_cadence",
    "send_days",
    "digest_max_items",
    "digest_channel",
    "chat_webhook_url",
    "quiet_from",
    "quiet_until",
    "on_holiday_until",
    "digests_on_holiday",
    "topics",
]


class DigestPreferencesForm(forms.ModelForm):
    """What a person decides about their digests; reachable from every digest, no sign-in."""

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
            "chat_webhook_url": forms.URLInput(
                attrs={"placeholder": "https://hooks.slack.com/..."}
            ),
        }
        help_texts = {
            "quiet_from": _("Nothing is sent in your quiet hours. Leave both empty for none."),
            "on_holiday_until": _("Set this when you go away; it ends by itself."),
            "digests_on_holiday": _("Some people like to keep up on holiday. Your choice."),
            "chat_webhook_url": _(
                "A Slack or Microsoft Teams incoming webhook, for digests in chat."
            ),
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
        """Save, and drop the planned digest, which may no longer fit the new settings (the
        next planning pass plans it again)."""
        person = self.instance
        if "chat_webhook_url" in self.changed_data:
            person.chat_failed_at, person.chat_failure = None, ""  # a new address: try it
        if not commit:
            return super().save(commit=False)
        with transaction.atomic():
            person = super().save()
            person.followed_lists.set(self.cleaned_data["followed_lists"])
            replan(person)
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
        fields = ["interface_language", "languages", "time_zone", *DIGEST_FIELDS[1:]]
