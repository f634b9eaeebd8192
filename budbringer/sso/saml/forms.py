from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budbringer.lib.guarded_http import FetchError, fetch
from budbringer.sso.saml.connections import ConnectionError_, parse_role_groups
from budbringer.sso.saml.metadata import MAX_BYTES, MetadataError, read_metadata


class SamlConnectionForm(forms.Form):
    """The admin's SAML settings; ``provider`` is the parsed metadata, or None to keep it."""

    metadata_xml = forms.CharField(
        label=gettext_lazy("Identity provider metadata (XML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Paste it, upload the file or give its URL; all empty keeps the current one."
        ),
    )
    metadata_file = forms.FileField(
        label=gettext_lazy("…or upload the metadata file"), required=False
    )
    metadata_url = forms.URLField(
        label=gettext_lazy("…or its URL"), required=False, assume_scheme="https"
    )
    enabled = forms.BooleanField(label=gettext_lazy("People may sign in with SAML"), required=False)
    email_attribute = forms.CharField(
        label=gettext_lazy("E-mail attribute"),
        required=False,
        help_text=gettext_lazy("Empty: the NameID (format emailAddress) is the e-mail address."),
    )
    name_attribute = forms.CharField(label=gettext_lazy("Name attribute"), required=False)
    department_attribute = forms.CharField(
        label=gettext_lazy("Department attribute"),
        required=False,
        help_text=gettext_lazy("Empty: departments are left as they are."),
    )
    groups_attribute = forms.CharField(label=gettext_lazy("Groups attribute"), required=False)
    role_groups = forms.CharField(
        label=gettext_lazy("Roles by group"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One per line: group = role (admin, editor, leader, sales, employee)."
        ),
    )

    def clean_role_groups(self):
        try:
            return parse_role_groups(self.cleaned_data["role_groups"])
        except ConnectionError_ as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        document = None
        if data.get("metadata_file"):
            upload = data["metadata_file"]
            if upload.size > MAX_BYTES:
                self.add_error("metadata_file", _("The metadata is larger than 1 MB."))
                return data
            document = upload.read()
        elif (data.get("metadata_xml") or "").strip():
            document = data["metadata_xml"].strip()
        elif data.get("metadata_url"):
            try:  # through the address-guarded fetcher: no private addresses, bounded size
                document = fetch(data["metadata_url"], max_bytes=MAX_BYTES).body
            except FetchError as error:
                self.add_error("metadata_url", error.message)
                return data
        data["provider"] = None
        if document is not None:
            try:
                data["provider"] = read_metadata(document)
            except MetadataError as error:
                self.add_error(None, str(error))
        return data
