import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Person
from budbringer.content.models import Topic
from budbringer.sources.models import SourceList

_TIME_ZONES = sorted(zoneinfo.available_timezones())


class PersonSettingsForm(forms.ModelForm):
    """What a person decides for themselves: language, reading, time zone, digests."""

    languages = forms.MultipleChoiceField(
        label=_("Languages you read"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, name) for name in _TIME_ZONES]
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics you follow"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave topics and lists empty to see everything in your languages."),
    )
    followed_lists = forms.ModelMultipleChoiceField(
        label=_("Lists you follow"),
        queryset=SourceList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = ["interface_language", "languages", "time_zone", "digest_cadence", "topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.instance.organisation
        self.fields["topics"].queryset = Topic.objects.filter(organisation=organisation)
        self.fields["followed_lists"].queryset = SourceList.objects.filter(
            organisation=organisation
        )
        self.fields["followed_lists"].initial = self.instance.followed_lists.all()

    def save(self, commit: bool = True) -> Person:
        person = super().save(commit=commit)
        if commit:
            person.followed_lists.set(self.cleaned_data["followed_lists"])
        return person
