from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Person
from budbringer.content.models import Item
from budbringer.leads.models import LEAD_ROLES, Lead
from budbringer.lib.ids import ModelChoiceField, id_choice_formfield


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["name", "email", "company", "owner", "notes"]
        formfield_callback = id_choice_formfield
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people of this organisation who may work with leads can own one.
        self.fields["owner"].queryset = Person.objects.in_organisation(organisation).filter(
            role__in=LEAD_ROLES
        )
        self.fields["owner"].required = True


class LeadLinkForm(forms.Form):
    """A link to an item of the organisation, or to any http(s) address."""

    item = ModelChoiceField(queryset=Item.objects.none(), required=False, label=_("Item"))
    url = forms.URLField(
        required=False,
        max_length=2000,
        label=_("or an address"),
        validators=[URLValidator(schemes=["http", "https"])],
        assume_scheme="https",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = (
            Item.objects.in_organisation(organisation).shareable().order_by("title")
        )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("item")) == bool(cleaned.get("url")):
            raise forms.ValidationError(_("Choose an item or give an address, one of the two."))
        return cleaned
