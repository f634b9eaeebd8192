"""The one home for bringing people in and out: invitations, the CSV import, SCIM and
single sign-on all create, update, deactivate and reactivate people through here.

A person is keyed by their e-mail address within the organisation. A new person gets a
login without a usable password: they are *invited* until they first sign in (through
an invitation link, a password reset or single sign-on). Deactivating keeps every row
(their shares and clicks stay in the aggregate counts and their tracked links keep
redirecting); it only stops sign-in and everything that would reach them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from budbringer.accounts import roles
from budbringer.accounts.models import (
    CONTENT_LANGUAGES,
    Department,
    DigestCadence,
    Organisation,
    Person,
    validate_time_zone,
)
from budbringer.accounts.roles import Role
from budbringer.digests.models import Delivery, DeliveryStatus
from budbringer.digests.planning import preferences_changed
from budbringer.lib.names import one_line

INTERFACE_LANGUAGES = {code for code, _name in settings.LANGUAGES}
DEFAULT_LANGUAGES = ["en"]
DEFAULT_TIME_ZONE = "Europe/Stockholm"


class ProvisioningError(ValueError):
    """Input that cannot become a person; the message says why, for the person fixing it."""


@dataclass(frozen=True)
class PersonDetails:
    """What a source (a form, a CSV row, SCIM, an ID token) says about a person.

    ``None`` means "this source does not say": the stored value is kept (or, for a new
    person, the organisation's default is used). An empty department means none.
    """

    email: str
    name: str = ""
    department: str | None = None
    role: str | None = None
    languages: list[str] | None = None
    time_zone: str | None = None
    manager_email: str | None = None


@dataclass
class Outcome:
    """What provisioning did (or, in a dry run, would do) to one person."""

    kind: str  # "new", "changed" or "unchanged"
    person: Person | None = None
    # Field name -> (old, new), as people read them, for the dry run's table.
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


def normalise_email(email: str) -> str:
    """The form we store and compare: trimmed, lower case (mail systems treat the local
    part as case-insensitive in practice), and a valid address."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ProvisioningError(
            _("%(email)s is not an e-mail address.") % {"email": email}
        ) from None
    return email


def find_person(organisation: Organisation, email: str) -> Person | None:
    return (
        Person.objects.select_related("user", "department", "manager__user")
        .filter(organisation=organisation, user__email__iexact=email.strip())
        .first()
    )


def department_named(organisation: Organisation, name: str, *, create: bool) -> Department | None:
    """The organisation's department of this name (case-insensitive, as people read names),
    created when ``create`` (else None when there is none)."""
    name = one_line(name)
    if not name:
        return None
    department = Department.objects.filter(organisation=organisation, name__iexact=name).first()
    if department is None and create:
        department = Department(organisation=organisation, name=name)
        department.full_clean()
        department.save()
    return department


def check_details(details: PersonDetails) -> PersonDetails:
    """Validate and normalise every value the source gave; raise ProvisioningError."""
    email = normalise_email(details.email)
    name = one_line(details.name or "")
    if details.role is not None and details.role not in Role.values:
        raise ProvisioningError(
            _("%(role)s is not a role (use one of: %(roles)s).")
            % {"role": details.role, "roles": ", ".join(Role.values)}
        )
    languages = details.languages
    if languages is not None:
        languages = [code.strip().lower() for code in languages if code.strip()]
        unknown = [code for code in languages if code not in CONTENT_LANGUAGES]
        if unknown or not languages:
            raise ProvisioningError(
                _("%(codes)s is not a language we serve (use one of: %(known)s).")
                % {"codes": ", ".join(unknown) or "''", "known": ", ".join(CONTENT_LANGUAGES)}
            )
    time_zone = details.time_zone.strip() if details.time_zone is not None else None
    if time_zone is not None:
        try:
            validate_time_zone(time_zone)
        except ValidationError:
            raise ProvisioningError(
                _("%(zone)s is not a time zone (write it like Europe/Oslo).") % {"zone": time_zone}
            ) from None
    manager_email = details.manager_email
    if manager_email is not None and manager_email.strip():
        manager_email = normalise_email(manager_email)
        if manager_email == email:
            raise ProvisioningError(_("A person cannot be their own manager."))
    return dataclasses.replace(
        details,
        email=email,
        name=name,
        department=one_line(details.department) if details.department is not None else None,
        languages=languages,
        time_zone=time_zone,
        manager_email=manager_email,
    )


def _wanted(
    organisation: Organisation, details: PersonDetails, person: Person | None
) -> dict[str, object]:
    """The stored values the details ask for (only the fields they speak about)."""
    wanted: dict[str, object] = {}
    if details.name:
        wanted["name"] = details.name
    elif person is None:
        wanted["name"] = details.email.split("@")[0]
    if details.role is not None:
        wanted["role"] = details.role
    elif person is None:
        wanted["role"] = Role.EMPLOYEE
    if details.languages is not None:
        wanted["languages"] = details.languages
    elif person is None:
        wanted["languages"] = list(organisation.languages or DEFAULT_LANGUAGES)
    if details.time_zone is not None:
        wanted["time_zone"] = details.time_zone
    elif person is None:
        wanted["time_zone"] = organisation.time_zone or DEFAULT_TIME_ZONE
    return wanted


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def plan_person(
    organisation: Organisation,
    details: PersonDetails,
    *,
    managers: dict[str, str] | None = None,
) -> Outcome:
    """What ``provision_person`` would do, without saving anything (the dry run).

    ``details`` must have passed ``check_details``. ``managers`` maps e-mail addresses
    that will exist by then (rows of the same import) to names, for manager lookups.
    """
    person = find_person(organisation, details.email)
    if person is None and get_user_model().objects.filter(email__iexact=details.email).exists():
        raise ProvisioningError(
            _("%(email)s already has a login in another organisation.") % {"email": details.email}
        )
    wanted = _wanted(organisation, details, person)
    changes: dict[str, tuple[str, str]] = {}
    for name, value in wanted.items():
        old = getattr(person, name) if person is not None else None
        if old != value:
            changes[name] = (_shown(old), _shown(value))
    if details.department is not None:
        old = person.department.name if person is not None and person.department else ""
        if old.casefold() != details.department.casefold():
            changes["department"] = (old, details.department)
    if details.manager_email is not None:
        old = person.manager.user.email if person is not None and person.manager else ""
        new = details.manager_email or ""
        if new and new not in (managers or {}) and find_person(organisation, new) is None:
            raise ProvisioningError(
                _("The manager %(email)s is not a person of this organisation.") % {"email": new}
            )
        if old.lower() != new:
            changes["manager"] = (old, new)
    if person is None:
        return Outcome("new", None, changes)
    return Outcome("changed" if changes else "unchanged", person, changes)


@transaction.atomic
def provision_person(organisation: Organisation, details: PersonDetails) -> Outcome:
    """Create or update the person these details describe; the one place that does.

    Raises ProvisioningError (and saves nothing) when the details cannot be used.
    """
    details = check_details(details)
    outcome = plan_person(organisation, details)
    if outcome.kind == "unchanged":
        return outcome
    person = outcome.person
    wanted = _wanted(organisation, details, person)
    if person is None:
        User = get_user_model()
        user = User(username=details.email, email=details.email)
        user.set_unusable_password()
        user.save()
        languages = wanted["languages"]
        person = Person(
            user=user,
            organisation=organisation,
            interface_language=next(
                (code for code in languages if code in INTERFACE_LANGUAGES), "en"
            ),
            digest_cadence=organisation.digest_cadence or DigestCadence.WEEKLY,
        )
    for name, value in wanted.items():
        setattr(person, name, value)
    if details.department is not None:
        person.department = department_named(organisation, details.department, create=True)
    if details.manager_email is not None:
        person.manager = (
            find_person(organisation, details.manager_email) if details.manager_email else None
        )
    try:
        person.full_clean(exclude=["user"])
    except ValidationError as error:
        raise ProvisioningError(" ".join(error.messages)) from None
    person.save()
    if outcome.kind == "changed":
        preferences_changed(person)  # the time zone or languages may have changed
    outcome.person = person
    return outcome


@transaction.atomic
def deactivate_person(person: Person, *, actor: Person | None = None) -> bool:
    """Stop sign-in and everything that would reach the person; keep every row.
    Returns False when they were deactivated already.

    ``actor``: the admin doing it on the people pages, under the role rules (not
    themselves, and the organisation keeps one active admin); SCIM and SSO pass none.
    """
    if actor is not None:
        why = refusal(actor, person, role=person.role, active=False)
        if why:
            raise ProvisioningError(why)
    user = person.user
    if not user.is_active:
        return False
    user.is_active = False  # Django refuses sign-in and drops their sessions' logins
    user.save(update_fields=["is_active"])
    person.deactivated_at = timezone.now()
    person.save(update_fields=["deactivated_at"])
    preferences_changed(person)  # drops the planned digest; planning skips inactive people
    Delivery.objects.filter(digest__person=person, status=DeliveryStatus.PLANNED).update(
        status=DeliveryStatus.FAILED, error="The person was deactivated."
    )
    return True


@transaction.atomic
def reactivate_person(person: Person, *, actor: Person | None = None) -> bool:
    """Let a deactivated person sign in and receive digests again (``actor`` as above)."""
    if actor is not None and not roles.may_manage_person(actor, person):
        raise ProvisioningError(_("Only an admin of this organisation may change people."))
    user = person.user
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    person.deactivated_at = None
    person.save(update_fields=["deactivated_at"])
    return True


def other_active_admins(person: Person) -> int:
    """Active admins of the person's organisation besides them (for ``roles.why_not_change``)."""
    return (
        Person.objects.in_organisation(person.organisation_id)
        .active()
        .filter(role=Role.ADMIN)
        .exclude(pk=person.pk)
        .count()
    )


def refusal(actor: Person, person: Person, *, role: str, active: bool) -> str | None:
    """Why ``actor`` may not give ``person`` this role and state (the role rules, with
    the organisation's other admins counted), or None."""
    return roles.why_not_change(
        actor, person, role=role, active=active, other_active_admins=other_active_admins(person)
    )


@transaction.atomic
def change_person(
    actor: Person,
    person: Person,
    *,
    role: str,
    department: Department | None,
    manager: Person | None,
    languages: list[str],
    time_zone: str,
    name: str = "",
) -> Outcome:
    """An admin's edit of another person (the people pages): the role rules first, then
    the same checks and saving as every other source. Raises ProvisioningError."""
    # Lock the organisation's admins, so two admins demoting each other at once cannot
    # both see the other one still there.
    list(
        Person.objects.select_for_update()
        .filter(organisation_id=person.organisation_id, role=Role.ADMIN)
        .values_list("pk")
    )
    person.refresh_from_db()
    why = refusal(actor, person, role=role, active=person.user.is_active)
    if why:
        raise ProvisioningError(why)
    if department is not None and department.organisation_id != person.organisation_id:
        raise ProvisioningError(_("Choose a department of this organisation."))
    if manager is not None and (
        manager.organisation_id != person.organisation_id or manager.pk == person.pk
    ):
        raise ProvisioningError(_("Choose another person of this organisation as the manager."))
    details = PersonDetails(
        email=person.user.email,
        name=name,
        role=role,
        department=department.name if department else "",
        manager_email=manager.user.email if manager else "",
        languages=languages,
        time_zone=time_zone,
    )
    return provision_person(person.organisation, details)


@transaction.atomic
def change_email(person: Person, email: str) -> bool:
    """Give the person a new e-mail address (and so a new username): a directory renamed
    them. Refused when another login has the address. Returns False when it is the same."""
    email = normalise_email(email)
    user = person.user
    if user.email.lower() == email:
        return False
    User = get_user_model()
    taken = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
    if taken.exclude(pk=user.pk).exists():
        raise ProvisioningError(_("%(email)s already has a login.") % {"email": email})
    user.email = email
    user.username = email
    user.save(update_fields=["email", "username"])
    return True


def rename_department(department: Department, name: str) -> None:
    """Rename a department; the people in it stay in it."""
    department.name = one_line(name)
    try:
        department.full_clean()
    except ValidationError as error:
        raise ProvisioningError(" ".join(error.messages)) from None
    department.save(update_fields=["name"])


@transaction.atomic
def delete_department(department: Department) -> int:
    """Delete a department; its people keep their rows and have no department. Returns
    how many people were in it."""
    people = Person.objects.filter(department=department).update(department=None)
    department.delete()
    return people
