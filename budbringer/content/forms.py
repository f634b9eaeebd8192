from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from budbringer.content.models import Item, ShareText, Topic
from budbringer.lib.ids import id_choice_formfield
from budbringer.lib.urls import canonical_url
from budbringer.sharing.networks import NETWORK_CHOICES


class ItemForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=2000, assume_scheme="https")
    approve = forms.BooleanField(label=_("Approve now"), required=False, initial=True)

    class Meta:
        model = Item
        fields = ["url", "title", "summary", "language", "topics", "expires_at"]
        formfield_callback = id_choice_formfield
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["topics"].queryset = Topic.objects.filter(organisation=organisation)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            canonical = canonical_url(url)
        except ValueError:
            raise forms.ValidationError(
                _("Enter an address that starts with http or https.")
            ) from None
        existing = Item.objects.filter(organisation=self.organisation, canonical_url=canonical)
        if existing.exists():
            raise forms.ValidationError(_("This article is already in Budbringer."))
        self.canonical_url = canonical
        return url


class ShareTextForm(forms.Form):
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("Any network")), *NETWORK_CHOICES], required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    text = forms.CharField(
        label=_("Suggested text"),
        max_length=ShareText._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, default_language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        # An untouched row must count as unchanged, so its language starts at what it shows.
        self.fields["language"].initial = default_language


class BaseShareTextFormSet(forms.BaseFormSet):
    def clean(self):
        seen = set()
        for form in self.forms:
            if not form.has_changed() or not form.is_valid():
                continue
            key = (form.cleaned_data["network"], form.cleaned_data["language"])
            if key in seen:
                raise forms.ValidationError(_("Write one suggested text per network and language."))
            seen.add(key)


ShareTextFormSet = forms.formset_factory(
    ShareTextForm, formset=BaseShareTextFormSet, extra=3, max_num=20, validate_max=True
)
