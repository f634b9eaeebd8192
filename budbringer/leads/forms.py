from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Person
from budbringer.content.models import Item
from budbringer.leads.lookups import lead_holders, possible_owners, reads_notes, sees_all_leads
from budbringer.leads.models import Lead
from budbringer.lib.ids import ModelChoiceField, id_choice_formfield


class LeadForm(forms.ModelForm):
    """A lead's name, e-mail, company and, for its owner, notes (``lookups.reads_notes``).

    A new lead is the adder's own; leaders and admins may give it to someone else who may
    own leads. An existing lead changes owner only by being handed over (``HandOverForm``).
    """

    class Meta:
        model = Lead
        fields = ["name", "email", "company", "owner", "notes"]
        formfield_callback = id_choice_formfield
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, person: Person, instance: Lead | None = None, **kwargs):
        if instance is None:
            instance = Lead(organisation=person.organisation, owner=person)
        super().__init__(*args, instance=instance, **kwargs)
        lead = self.instance
        if lead.pk is None and sees_all_leads(person):
            self.fields["owner"].queryset = lead_holders(person.organisation_id)
            self.fields["owner"].required = True
            self.fields["owner"].label_from_instance = owner_label
        else:
            del self.fields["owner"]
        if lead.pk is not None and not reads_notes(person, lead):
            del self.fields["notes"]


def owner_label(person: Person) -> str:
    return f"{person.name} ({person.get_role_display()})"


class HandOverForm(forms.Form):
    """The lead's new owner: someone of the organisation who may own leads."""

    new_owner = ModelChoiceField(
        queryset=Person.objects.none(), label=_("New owner"), empty_label=_("Choose a person")
    )

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = possible_owners(lead)
        self.fields["new_owner"].label_from_instance = owner_label


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
