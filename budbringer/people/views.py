"""The people-admin pages."""

import hashlib

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from budbringer.accounts.access import admin_required
from budbringer.people.forms import ImportFileForm
from budbringer.people.importing import ImportFileError, import_people, preview_import

# The uploaded file between its preview and the import: its text and hash (so that the
# import applies the file that was previewed; the page posts the hash back).
UPLOAD_KEY = "people_import_upload"


@admin_required
def people_import(request):
    """Upload: the dry run of every row. "Import": exactly that preview, or nothing."""
    organisation = request.person.organisation
    if request.method == "POST" and "apply" in request.POST:
        return _apply(request)
    form = ImportFileForm(request.POST or None, request.FILES or None)
    report = upload = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"]
        try:
            report = preview_import(organisation, data)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            upload = hashlib.sha256(data).hexdigest()
            request.session[UPLOAD_KEY] = {"sha256": upload, "text": data.decode("utf-8")}
    return render(
        request,
        "people/import.html",
        {"form": form, "report": report, "upload": upload},
    )


def _apply(request):
    stored = request.session.get(UPLOAD_KEY)
    if not stored or stored["sha256"] != request.POST.get("upload"):
        messages.error(request, _("That preview is no longer here; upload the file again."))
        return redirect("people_import")
    data = stored["text"].encode("utf-8")
    report = import_people(request.person.organisation, data, previewed=request.POST.get("plan"))
    if report.stale or report.errors:
        # People changed since the preview: show the new one, keep the file.
        messages.error(request, _("People changed since the preview. Here is the new one."))
        return render(
            request,
            "people/import.html",
            {"form": ImportFileForm(), "report": report, "upload": stored["sha256"]},
        )
    del request.session[UPLOAD_KEY]
    counts = report.counts
    messages.success(
        request,
        _("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % counts,
    )
    return redirect("people_import")
