from django import forms
from django.utils.translation import gettext_lazy as _

from budbringer.content.language import CONTENT_LANGUAGES
from budbringer.lib.ids import ModelMultipleChoiceField
from budbringer.lib.names import validate_one_line
from budbringer.sources.adding import http_url
from budbringer.sources.models import ListKind, Source, SourceKind, SourceList
from budbringer.sources.opml import MAX_BYTES

LANGUAGE_CHOICES = [("", _("Tell from each item")), *CONTENT_LANGUAGES]


class FindFeedForm(forms.Form):
    url = forms.URLField(
        label=_("Feed or website address"),
        max_length=Source._meta.get_field("feed_url").max_length,
        assume_scheme="https",
        help_text=_("A feed's address, or a site's: Budbringer finds the feed a site advertises."),
    )


class SourceForm(forms.Form):
    """What an editor decides about a source; the feed itself decides the rest."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Source._meta.get_field("title").max_length,
        validators=[validate_one_line],
    )
    lists = ModelMultipleChoiceField(
        label=_("Lists"),
        queryset=SourceList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    language = forms.ChoiceField(
        label=_("Usual language"),
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("Used for items too short to tell their language from."),
    )
    auto_approve = forms.BooleanField(
        label=_("Approve new items automatically"),
        required=False,
        help_text=_("Otherwise new items wait for an editor."),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = SourceList.objects.filter(organisation=organisation)


class NewSourceForm(SourceForm):
    # The feed found in the preview step, fetched again on save.
    feed_url = forms.CharField(widget=forms.HiddenInput, max_length=2000)

    def clean_feed_url(self) -> str:
        url = http_url(self.cleaned_data["feed_url"])
        if not url:
            raise forms.ValidationError(_("Enter an address that starts with http or https."))
        return url


class SourceChangeForm(SourceForm):
    is_active = forms.BooleanField(
        label=_("Fetch this source"),
        required=False,
        help_text=_("Untick to pause it: nothing new is fetched, its items stay."),
    )

    def __init__(self, *args, source: Source, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": source.title,
                "lists": list(source.lists.all()),
                "kind": source.kind,
                "language": source.language,
                "auto_approve": source.auto_approve,
                "is_active": source.is_active,
            },
        )
        super().__init__(*args, organisation=source.organisation, **kwargs)


class ListForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=SourceList._meta.get_field("name").max_length,
        validators=[validate_one_line],
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ListKind.choices, initial=ListKind.CUSTOM)

    def __init__(self, *args, organisation, source_list: SourceList | None = None, **kwargs):
        if source_list is not None:
            kwargs.setdefault("initial", {"name": source_list.name, "kind": source_list.kind})
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.source_list = source_list

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = SourceList.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.source_list is not None:
            taken = taken.exclude(pk=self.source_list.pk)
        if taken.exists():
            raise forms.ValidationError(_("There is a list with this name already."))
        return name


class OpmlImportForm(forms.Form):
    file = forms.FileField(
        label=_("OPML file"),
        help_text=_("Exported from a feed reader (Feedly, Inoreader, NetNewsWire, ...)."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB, which no list of feeds needs to be.")
                % {"size": MAX_BYTES // (1024 * 1024)}
            )
        return upload.read(MAX_BYTES + 1)
