from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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
