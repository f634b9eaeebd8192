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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
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
NAME_MAX_LENGTH = Person._meta.get_field("name").max_length
PLANNED_FIELDS = (
    "organisation_id", "name", "role", "languages", "time_zone", "user__email",
    "department__name", "manager__user__email",
)  # fmt: skip
# Rows per statement in the batch path: below every database's limit of parameters.
BATCH_SIZE = 500


class ProvisioningError(ValueError):
    """Input that cannot become a person; the message says why, for the person fixing it."""


class BatchRefused(ProvisioningError):
    """Some people of a batch cannot be provisioned, so none was; ``results`` holds each
    one's Outcome or ProvisioningError, in the batch's order."""

    def __init__(self, results: list[Outcome | ProvisioningError]):
        self.results = results
        errors = sum(isinstance(result, ProvisioningError) for result in results)
        super().__init__(_("%(count)s of them cannot be provisioned.") % {"count": errors})


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
    if len(name) > NAME_MAX_LENGTH:
        raise ProvisioningError(
            _("The name is longer than %(count)s characters.") % {"count": NAME_MAX_LENGTH}
        )
    department = one_line(details.department) if details.department is not None else None
    if department is not None and len(department) > NAME_MAX_LENGTH:
        raise ProvisioningError(
            _("The department's name is longer than %(count)s characters.")
            % {"count": NAME_MAX_LENGTH}
        )
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
        department=department,
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


def _login_elsewhere(organisation: Organisation, emails: Iterable[str]) -> set[str]:
    """Those of ``emails`` (normalised) that are logins (e-mail or username) of no person
    of this organisation: another organisation's people, or logins without a person."""
    emails = list(emails)
    taken: set[str] = set()
    users = get_user_model().objects.exclude(person__organisation=organisation)
    for start in range(0, len(emails), BATCH_SIZE):
        chunk = emails[start : start + BATCH_SIZE]
        for email, username in (
            users.annotate(email_lower=Lower("email"), username_lower=Lower("username"))
            .filter(Q(email_lower__in=chunk) | Q(username_lower__in=chunk))
            .values_list("email_lower", "username_lower")
        ):
            taken.update({email, username})
    return taken.intersection(emails)


def _plan(
    organisation: Organisation,
    details: PersonDetails,
    person: Person | None,
    *,
    login_elsewhere: bool,
    manager_known: Callable[[str], bool],
) -> Outcome:
    """The dry run's rules, on what the caller looked up (one person, or a whole batch)."""
    if person is None and login_elsewhere:
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
        if new and not manager_known(new):
            raise ProvisioningError(
                _("The manager %(email)s is not a person of this organisation.") % {"email": new}
            )
        if old.lower() != new:
            changes["manager"] = (old, new)
    if person is None:
        return Outcome("new", None, changes)
    return Outcome("changed" if changes else "unchanged", person, changes)


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
    return _plan(
        organisation,
        details,
        person,
        login_elsewhere=person is None and bool(_login_elsewhere(organisation, [details.email])),
        manager_known=lambda email: (
            email in (managers or {}) or find_person(organisation, email) is not None
        ),
    )


def _new_person(organisation: Organisation, user, wanted: dict[str, object]) -> Person:
    """A person not saved yet, with the organisation's defaults for what sources do not say."""
    languages = wanted["languages"]
    return Person(
        user=user,
        organisation=organisation,
        interface_language=next((code for code in languages if code in INTERFACE_LANGUAGES), "en"),
        digest_cadence=organisation.digest_cadence or DigestCadence.WEEKLY,
    )


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
        person = _new_person(organisation, user, wanted)
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


class _Batch:
    """What a batch needs, looked up in a few queries instead of a few per person: the
    organisation's people and departments, and which addresses are logins elsewhere."""

    def __init__(self, organisation: Organisation, people: Sequence[PersonDetails]):
        self.organisation = organisation
        self.people = {
            person.user.email.lower(): person
            for person in Person.objects.select_related("user", "department", "manager__user")
            .filter(organisation=organisation)
            # Only what planning compares: whole rows made loading 10,000 people most
            # of an import's time.
            .only(*PLANNED_FIELDS)
            .iterator(chunk_size=2000)
        }
        self.incoming = {details.email for details in people}
        self.elsewhere = _login_elsewhere(organisation, self.incoming - self.people.keys())
        self.departments = {
            department.name.casefold(): department
            for department in Department.objects.filter(organisation=organisation)
        }

    def plan(self, details: PersonDetails) -> Outcome:
        return _plan(
            self.organisation,
            details,
            self.people.get(details.email),
            login_elsewhere=details.email in self.elsewhere,
            manager_known=lambda email: email in self.incoming or email in self.people,
        )

    def plan_all(self, people: Sequence[PersonDetails]) -> list[Outcome | ProvisioningError]:
        results: list[Outcome | ProvisioningError] = []
        for details in people:
            try:
                results.append(self.plan(details))
            except ProvisioningError as error:
                results.append(error)
        return results


def plan_people(
    organisation: Organisation, people: Sequence[PersonDetails]
) -> list[Outcome | ProvisioningError]:
    """``plan_person`` for many people at once (an import), in a few queries: each one's
    Outcome, or the ProvisioningError that stops them, in order. Managers may be people
    of the batch as well as people of the organisation. ``people`` must have passed
    ``check_details`` and hold each e-mail address once."""
    return _Batch(organisation, people).plan_all(people)


@transaction.atomic
def provision_people(organisation: Organisation, people: Sequence[PersonDetails]) -> list[Outcome]:
    """``provision_person`` for many people at once, all or nothing, under the same rules
    (``plan_people``'s), with rows written in bulk: 10,000 people in seconds, not minutes.

    Raises BatchRefused (and saves nothing) when any of them cannot be provisioned.
    People who are unchanged are not written at all.
    """
    batch = _Batch(organisation, people)
    results = batch.plan_all(people)
    if any(isinstance(result, ProvisioningError) for result in results):
        raise BatchRefused(results)
    outcomes: list[Outcome] = results  # type: ignore[assignment]  (no errors, checked above)

    # 1. Departments named for the first time, created once each.
    wanted_departments: dict[str, str] = {}
    for details in people:
        if details.department and details.department.casefold() not in batch.departments:
            wanted_departments.setdefault(details.department.casefold(), details.department)
    for department in Department.objects.bulk_create(
        Department(organisation=organisation, name=name) for name in wanted_departments.values()
    ):
        batch.departments[department.name.casefold()] = department

    # 2. New people: their logins (no usable password: invited) and then them.
    new = [
        (details, outcome)
        for details, outcome in zip(people, outcomes, strict=True)
        if outcome.kind == "new"
    ]
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(username=details.email, email=details.email, password=make_password(None))
            for details, _outcome in new
        ],
        batch_size=BATCH_SIZE,
    )
    created = []
    for (details, outcome), user in zip(new, users, strict=True):
        wanted = _wanted(organisation, details, None)
        person = _new_person(organisation, user, wanted)
        for name, value in wanted.items():
            setattr(person, name, value)
        if details.department:
            person.department = batch.departments[details.department.casefold()]
        outcome.person = person
        created.append(person)
    Person.objects.bulk_create(created, batch_size=BATCH_SIZE)
    for person in created:
        batch.people[person.user.email.lower()] = person

    # 3. Changed people: only the fields that change.
    changed: list[Person] = []
    fields: set[str] = set()
    for details, outcome in zip(people, outcomes, strict=True):
        if outcome.kind != "changed":
            continue
        person = outcome.person
        for name, value in _wanted(organisation, details, person).items():
            setattr(person, name, value)
        if "department" in outcome.changes:
            person.department = (
                batch.departments[details.department.casefold()] if details.department else None
            )
        fields.update(name for name in outcome.changes if name != "manager")
        changed.append(person)
    if changed and fields:
        Person.objects.bulk_update(changed, sorted(fields), batch_size=BATCH_SIZE)

    # 4. Managers last: they may be people created in step 2.
    managed = []
    for details, outcome in zip(people, outcomes, strict=True):
        if "manager" in outcome.changes:
            person = outcome.person
            person.manager = batch.people[details.manager_email] if details.manager_email else None
            managed.append(person)
    Person.objects.bulk_update(managed, ["manager"], batch_size=BATCH_SIZE)

    for person in changed:
        preferences_changed(person)  # the time zone or languages may have changed
    return outcomes


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
