"""The people pages: admins see, invite, edit, deactivate and reactivate the people of
their organisation, and keep its departments. Every change goes through
``accounts.provisioning``, ``accounts.invitations`` or ``accounts.departments``."""

import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budbringer.accounts import departments, invitations, provisioning
from budbringer.accounts.access import admin_required
from budbringer.accounts.models import Department, Invitation, Person, PersonStatus
from budbringer.accounts.provisioning import PersonDetails, ProvisioningError
from budbringer.accounts.roles import Role
from budbringer.people.forms import (
    DepartmentNameForm,
    ImportFileForm,
    InviteForm,
    MergeForm,
    PersonForm,
)
from budbringer.people.importing import ImportFileError, import_people, preview_import
from budbringer.people.listing import AWAY_DAYS, NO_DEPARTMENT, PAGE_SIZE, PeopleQuery, people_for


def get_person_for(request: HttpRequest, person_id: int) -> Person:
    """A person of the signed-in admin's organisation, or 404."""
    return get_object_or_404(
        Person.objects.in_organisation(request.person.organisation).select_related(
            "user", "department", "manager__user", "organisation"
        ),
        pk=person_id,
    )


def get_department_for(request: HttpRequest, department_id: int) -> Department:
    return get_object_or_404(
        Department.objects.filter(organisation=request.person.organisation), pk=department_id
    )


@admin_required
def people_list(request: HttpRequest) -> HttpResponse:
    organisation = request.person.organisation
    query = PeopleQuery.from_params(request.GET)
    page = Paginator(people_for(organisation, query), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "params": params.urlencode(),
        "departments": Department.objects.filter(organisation=organisation),
        "roles": Role.choices,
        "statuses": PersonStatus.choices,
        "away_days": AWAY_DAYS,
        "no_department": NO_DEPARTMENT,
        "sorts": [
            ("name", _("Name")),
            ("department", _("Department")),
            ("role", _("Role")),
            ("last_active", _("Last active")),
        ],
    }
    return render(request, "people/list.html", context)


@admin_required
def person_invite(request: HttpRequest) -> HttpResponse:
    organisation = request.person.organisation
    form = InviteForm(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = data["department"]
        details = PersonDetails(
            email=data["email"],
            name=data["name"],
            role=data["role"],
            department=department.name if department else None,
        )
        try:
            if provisioning.find_person(organisation, data["email"]) is not None:
                raise ProvisioningError(_("%(email)s is a person here already.") % data)
            person = provisioning.provision_person(organisation, details).person
            invitations.invite(person, invited_by=request.person)
        except ProvisioningError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(name)s is invited; the e-mail is on its way.") % {"name": person.name}
            )
            return redirect("person_edit", person.pk)
    return render(request, "people/invite.html", {"form": form})


@admin_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for(request, person_id)
    organisation = person.organisation
    initial = {
        "name": person.name,
        "role": person.role,
        "department": person.department_id,
        "manager_email": person.manager.user.email if person.manager else "",
        "languages": person.languages,
        "time_zone": person.time_zone,
    }
    form = PersonForm(organisation, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            manager = None
            if data["manager_email"]:
                manager = provisioning.find_person(organisation, data["manager_email"])
                if manager is None:
                    raise ProvisioningError(
                        _("%(email)s is not a person of this organisation.")
                        % {"email": data["manager_email"]}
                    )
            outcome = provisioning.change_person(
                request.person,
                person,
                name=data["name"],
                role=data["role"],
                department=data["department"],
                manager=manager,
                languages=data["languages"],
                time_zone=data["time_zone"],
            )
        except ProvisioningError as error:
            form.add_error(None, str(error))
        else:
            if outcome.kind == "unchanged":
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Saved."))
            return redirect("person_edit", person.pk)
    context = {
        "person": person,
        "form": form,
        "invitation": Invitation.objects.filter(person=person).first(),
        "is_self": person.pk == request.person.pk,
    }
    return render(request, "people/edit.html", context)


def _act(request: HttpRequest, person_id: int, act, done: str) -> HttpResponse:
    person = get_person_for(request, person_id)
    try:
        act(person)
    except ProvisioningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"name": person.name})
    return redirect("person_edit", person.pk)


@require_POST
@admin_required
def person_deactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda person: provisioning.deactivate_person(person, actor=request.person),
        _("%(name)s is deactivated: they cannot sign in and receive nothing."),
    )


@require_POST
@admin_required
def person_reactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda person: provisioning.reactivate_person(person, actor=request.person),
        _("%(name)s is active again."),
    )


@require_POST
@admin_required
def person_resend_invitation(request: HttpRequest, person_id: int) -> HttpResponse:
    return _act(
        request,
        person_id,
        lambda person: invitations.invite(person, invited_by=request.person),
        _("A new invitation to %(name)s is on its way."),
    )


@admin_required
def department_list(request: HttpRequest) -> HttpResponse:
    organisation = request.person.organisation
    form = DepartmentNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = departments.create_department(organisation, form.cleaned_data["name"])
        except ProvisioningError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("%(name)s is added.") % {"name": department.name})
            return redirect("department_list")
    rows = Department.objects.filter(organisation=organisation).annotate(
        people_count=Count("people")
    )
    return render(request, "people/departments.html", {"form": form, "departments": rows})


@admin_required
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    department = get_department_for(request, department_id)
    rename = DepartmentNameForm(
        request.POST if "rename" in request.POST else None, initial={"name": department.name}
    )
    merge = MergeForm(department, request.POST if "merge" in request.POST else None)
    if rename.is_bound and rename.is_valid():
        try:
            departments.rename_department(department, rename.cleaned_data["name"])
        except ProvisioningError as error:
            rename.add_error("name", str(error))
        else:
            messages.success(request, _("Renamed."))
            return redirect("department_edit", department.pk)
    if merge.is_bound and merge.is_valid():
        into = merge.cleaned_data["into"]
        name = department.name
        try:
            moved = departments.merge_departments(department, into)
        except ProvisioningError as error:
            merge.add_error("into", str(error))
        else:
            messages.success(
                request,
                _("%(name)s is merged into %(into)s (%(count)s people moved).")
                % {"name": name, "into": into.name, "count": moved},
            )
            return redirect("department_list")
    context = {
        "department": department,
        "rename": rename,
        "merge": merge,
        "people_count": department.people.count(),
    }
    return render(request, "people/department.html", context)


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
