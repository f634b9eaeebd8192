"""The people pages' forms: they parse and check input; provisioning does the rest."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from budbringer.accounts.models import Department, Organisation
from budbringer.accounts.roles import Role
from budbringer.lib.ids import ModelChoiceField
from budbringer.lib.names import validate_one_line

_TIME_ZONES = sorted(zoneinfo.available_timezones())


def _department_field() -> ModelChoiceField:
    return ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("No department"),
    )


class PersonForm(forms.Form):
    """An admin's edit of a person: what the organisation decides about them."""

    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_one_line])
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = _department_field()
    manager_email = forms.EmailField(
        label=_("Manager's e-mail"),
        required=False,
        help_text=_("A person of the organisation. Leave empty for none."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages they read"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, name) for name in _TIME_ZONES]
    )

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, validators=[validate_one_line]
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)
    department = _department_field()

    def __init__(self, organisation: Organisation, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation)


class DepartmentNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_one_line])


class MergeForm(forms.Form):
    into = ModelChoiceField(
        label=_("Merge into"), queryset=Department.objects.none(), empty_label=None
    )

    def __init__(self, department: Department, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Department.objects.filter(
            organisation_id=department.organisation_id
        ).exclude(pk=department.pk)


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (Excel: “CSV UTF-8”), separated by commas or semicolons."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        limit = settings.PEOPLE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": f"{limit / 1024 / 1024:.1f}"}
            )
        return upload.read(limit + 1)
