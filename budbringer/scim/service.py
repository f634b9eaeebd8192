"""SCIM Users and Groups over our people and departments: plain functions that take the
organisation a token stands for and a parsed body, and return scim2-models resources or
raise a ``SCIMException`` (which the views answer as RFC 7644 §3.12 error JSON).

Every change to a person goes through ``accounts.provisioning``; this module only
translates. A person's SCIM ``id`` is their primary key, a group's is the department's.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    GroupMembership,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    Manager,
    Meta,
    Name,
    NotFoundException,
    PatchOp,
    SCIMException,
    ScimFilter,
    UniquenessException,
)

from budbringer.accounts import provisioning
from budbringer.accounts.departments import delete_department, rename_department
from budbringer.accounts.models import Department, Organisation, Person
from budbringer.accounts.organisation import takes_address
from budbringer.accounts.provisioning import PersonDetails, ProvisioningError
from budbringer.lib.ids import parse_id
from budbringer.scim.models import ScimDepartment, ScimIdentity
from budbringer.scim.schemas import MAX_RESULTS, POLICY, ScimUser

# ---------------------------------------------------------------------------------------
# Reading bodies


def _scim_error(error: PydanticValidationError) -> SCIMException:
    """The SCIM error a pydantic validation error stands for (RFC 7644 §3.12)."""
    first = error.errors()[0]
    detail = "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors()[:5]
    )
    kind = first["type"]
    if kind.startswith("scim_"):
        scim_type = (first.get("ctx") or {}).get("scim_type") or "invalidValue"
        exception = SCIMException(detail=detail)
        exception.scim_type = scim_type
        exception.status = int((first.get("ctx") or {}).get("status") or 400)
        return exception
    if kind in ("json_invalid", "json_type", "extra_forbidden", "model_type", "dict_type"):
        return InvalidSyntaxException(detail=detail)
    return InvalidValueException(detail=detail)


def read(model, payload: Any, context: Context):
    """The body validated as ``model`` in this SCIM context, or a SCIM error."""
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    try:
        return model.model_validate(payload, scim_ctx=context, scim_policy=POLICY)
    except PydanticValidationError as error:
        raise _scim_error(error) from None


def _entra_manager(payload: dict) -> dict:
    """Entra ID sends the enterprise manager as a bare id ("value": "26118915-..."),
    where RFC 7643 has a complex {"value": ...}; wrap it so the schema reads it."""
    for operation in payload.get("Operations") or []:
        if (
            isinstance(operation, dict)
            and str(operation.get("path", "")).lower().endswith(":user:manager")
            and isinstance(operation.get("value"), str)
        ):
            operation["value"] = {"value": operation["value"]}
    return payload


# ---------------------------------------------------------------------------------------
# Users


def _people(organisation: Organisation) -> QuerySet[Person]:
    """The organisation's people that SCIM sees: not those a SCIM DELETE took away."""
    return (
        Person.objects.in_organisation(organisation)
        .select_related("user", "department", "manager", "scim_identity")
        .exclude(scim_identity__deleted_at__isnull=False)
        .order_by("pk")
    )


def get_person(organisation: Organisation, user_id: str) -> Person:
    """The person with this SCIM id in this organisation, or 404 (another organisation's
    people are not found, whatever their id)."""
    pk = parse_id(user_id, Person)
    person = _people(organisation).filter(pk=pk).first() if pk is not None else None
    if person is None:
        raise NotFoundException(detail=f"No user {user_id}.")
    return person


def _identity(person: Person) -> ScimIdentity | None:
    try:
        return person.scim_identity
    except ScimIdentity.DoesNotExist:
        return None


def _version(resource) -> str:
    body = json.dumps(resource.model_dump(scim_ctx=Context.DEFAULT), sort_keys=True, default=str)
    return 'W/"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'


def user_resource(person: Person, base_url: str) -> ScimUser:
    identity = _identity(person)
    email = person.user.email
    emails = (identity.emails if identity else None) or [
        {"value": email, "type": "work", "primary": True}
    ]
    name = None
    if identity and (identity.given_name or identity.family_name):
        name = Name(
            given_name=identity.given_name or None, family_name=identity.family_name or None
        )
    user = ScimUser(
        id=str(person.pk),
        external_id=(identity.external_id or None) if identity else None,
        user_name=identity.user_name if identity else email,
        display_name=(identity.display_name or None) if identity else person.name,
        name=name,
        active=person.user.is_active,
        emails=[Email.model_validate(entry) for entry in emails],
    )
    if person.department_id:
        user.groups = [
            GroupMembership(
                value=str(person.department_id),
                ref=f"{base_url}Groups/{person.department_id}",
                display=person.department.name,
            )
        ]
    if person.department_id or person.manager_id:
        user[EnterpriseUser] = EnterpriseUser(
            department=person.department.name if person.department_id else None,
            manager=Manager(
                value=str(person.manager_id), ref=f"{base_url}Users/{person.manager_id}"
            )
            if person.manager_id
            else None,
        )
    modified = max(filter(None, [person.created_at, identity.updated_at if identity else None]))
    user.meta = Meta(
        resource_type="User",
        created=person.created_at,
        last_modified=modified,
        location=f"{base_url}Users/{person.pk}",
    )
    user.meta.version = _version(user)
    return user


def _email_of(user: ScimUser) -> str:
    """The person's e-mail: the userName when it is one (as in Entra ID and Okta), else
    the primary (or first) of the e-mails."""
    try:
        return provisioning.normalise_email(user.user_name or "")
    except ProvisioningError:
        pass
    emails = sorted(user.emails or [], key=lambda e: not e.primary)
    if emails and emails[0].value:
        return provisioning.normalise_email(str(emails[0].value))
    raise InvalidValueException(
        detail="userName is not an e-mail address, and no e-mail is given: "
        "a person needs an e-mail address."
    )


def _display_name(user: ScimUser) -> str:
    if user.display_name:
        return user.display_name
    if user.name and user.name.formatted:
        return user.name.formatted
    if user.name:
        return " ".join(filter(None, [user.name.given_name, user.name.family_name]))
    return ""


def _manager_email(organisation: Organisation, manager: Manager | None) -> str:
    if manager is None or not manager.value:
        return ""
    try:
        return get_person(organisation, manager.value).user.email
    except NotFoundException:
        raise InvalidValueException(detail=f"The manager {manager.value} is no user.") from None


def _user_name_taken(organisation: Organisation, user_name: str, email: str, person=None) -> bool:
    people = Person.objects.in_organisation(organisation).exclude(
        scim_identity__deleted_at__isnull=False
    )
    if person is not None:
        people = people.exclude(pk=person.pk)
    return people.filter(
        Q(scim_identity__user_name__iexact=user_name)
        | Q(scim_identity__isnull=True, user__email__iexact=user_name)
        | Q(user__email__iexact=email)
    ).exists()


def _check_domain(organisation: Organisation, email: str) -> None:
    """An organisation that lists its e-mail domains gets people of those domains only."""
    if not takes_address(organisation, email):
        raise InvalidValueException(
            detail=f"{email} is not of an e-mail domain of this organisation."
        )


def _save_user(
    organisation: Organisation,
    user: ScimUser,
    person: Person | None,
    *,
    department: str | None,
    manager_email: str | None,
) -> Person:
    """Create or update the person the SCIM user describes, then its identity and active."""
    try:
        email = _email_of(user)
    except ProvisioningError as error:
        raise InvalidValueException(detail=str(error)) from None
    user_name = (user.user_name or "").strip()
    if not user_name:
        raise InvalidValueException(detail="userName is required.")
    if _user_name_taken(organisation, user_name, email, person):
        raise UniquenessException(detail=f"A user with the userName {user_name} exists.")
    _check_domain(organisation, email)
    others = get_user_model().objects.filter(email__iexact=email)
    if person is not None:
        others = others.exclude(pk=person.user_id)
    if others.exists():  # a login of another organisation (said no more about it)
        raise UniquenessException(detail=f"{email} is taken.")
    try:
        if person is not None:
            provisioning.change_email(person, email)
        outcome = provisioning.provision_person(
            organisation,
            PersonDetails(
                email=email,
                name=_display_name(user)[:200],
                department=department,
                manager_email=manager_email,
            ),
        )
    except ProvisioningError as error:
        raise InvalidValueException(detail=str(error)) from None
    person = outcome.person
    ScimIdentity.objects.update_or_create(
        person=person,
        defaults={
            "external_id": (user.external_id or "")[:255],
            "user_name": user_name[:255],
            "display_name": (user.display_name or "")[:200],
            "given_name": ((user.name.given_name if user.name else None) or "")[:200],
            "family_name": ((user.name.family_name if user.name else None) or "")[:200],
            "emails": [
                e.model_dump(scim_ctx=Context.DEFAULT, exclude_none=True) for e in user.emails or []
            ],
            "deleted_at": None,
        },
    )
    if user.active is False:
        provisioning.deactivate_person(person)
    elif user.active is True:
        provisioning.reactivate_person(person)
    return _people(organisation).get(pk=person.pk)


def _enterprise(user: ScimUser) -> EnterpriseUser | None:
    return user[EnterpriseUser]


@transaction.atomic
def create_user(organisation: Organisation, payload: Any) -> Person:
    user = read(ScimUser, payload, Context.RESOURCE_CREATION_REQUEST)
    if user.active is None:
        user.active = True  # created means active unless the body says otherwise
    enterprise = _enterprise(user)
    # A person a SCIM DELETE took away comes back when the directory creates them again.
    returning = (
        Person.objects.in_organisation(organisation)
        .filter(scim_identity__deleted_at__isnull=False)
        .filter(
            Q(scim_identity__user_name__iexact=user.user_name or "")
            | Q(user__email__iexact=user.user_name or "")
        )
        .first()
    )
    return _save_user(
        organisation,
        user,
        returning,
        department=enterprise.department if enterprise and enterprise.department else None,
        manager_email=_manager_email(organisation, enterprise.manager) if enterprise else None,
    )


@transaction.atomic
def replace_user(organisation: Organisation, person: Person, payload: Any) -> Person:
    """PUT: the attributes we keep are replaced. A department or manager left out is kept
    (Okta's PUT carries only the attributes mapped in Okta; group membership may have set
    the department)."""
    user = read(ScimUser, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    enterprise = _enterprise(user)
    return _save_user(
        organisation,
        user,
        person,
        department=enterprise.department if enterprise and enterprise.department else None,
        manager_email=(
            _manager_email(organisation, enterprise.manager)
            if enterprise and enterprise.manager
            else None
        ),
    )


@transaction.atomic
def patch_user(organisation: Organisation, person: Person, payload: Any, base_url: str) -> Person:
    """PATCH: the operations applied (by scim2-models) to the user as we show it, then the
    result saved as a replacement; department and manager change only when the patch
    changed them."""
    if isinstance(payload, dict):
        payload = _entra_manager(payload)
    patch = read(PatchOp[ScimUser], payload, Context.RESOURCE_PATCH_REQUEST)
    before = user_resource(person, base_url)
    after = before.model_copy(deep=True)
    try:
        patch.patch(after, scim_policy=POLICY)
    except PydanticValidationError as error:
        raise _scim_error(error) from None
    old, new = _enterprise(before) or EnterpriseUser(), _enterprise(after) or EnterpriseUser()
    department = None
    if (old.department or "") != (new.department or ""):
        department = new.department or ""
    manager_email = None
    if (old.manager.value if old.manager else None) != (new.manager.value if new.manager else None):
        manager_email = _manager_email(organisation, new.manager)
    return _save_user(
        organisation, after, person, department=department, manager_email=manager_email
    )


@transaction.atomic
def delete_user(person: Person) -> None:
    """Deactivated, and no longer a SCIM resource; every row (and so every aggregate count
    and tracked link) stays. Erasure is an admin's decision (`budbringer person erase`)."""
    provisioning.deactivate_person(person)
    ScimIdentity.objects.update_or_create(
        person=person,
        defaults={"deleted_at": timezone.now()},
        create_defaults={"user_name": person.user.email, "deleted_at": timezone.now()},
    )


# ---------------------------------------------------------------------------------------
# Lists and filters

# SCIM attribute (lower case, as RFC 7644 §3.4.2.2 compares names) -> our lookup.
USER_FILTERS = {
    "id": lambda v: Q(pk=parse_id(v, Person) or 0),
    "username": lambda v: (
        Q(scim_identity__user_name__iexact=v) | Q(scim_identity__isnull=True, user__email__iexact=v)
    ),
    "externalid": lambda v: Q(scim_identity__external_id=v),
    "emails.value": lambda v: Q(user__email__iexact=v),
    "emails": lambda v: Q(user__email__iexact=v),
    "displayname": lambda v: Q(name__iexact=v),
}
GROUP_FILTERS = {
    "id": lambda v: Q(pk=parse_id(v, Department) or 0),
    "displayname": lambda v: Q(name__iexact=v),
    "externalid": lambda v: Q(scim_department__external_id=v),
}


def filtered(queryset: QuerySet, model, filter_text: str | None, lookups: dict) -> QuerySet:
    """The rows a filter of the form ``attribute eq "value"`` picks (what Entra ID and Okta
    send); a filter we cannot answer is a 400 invalidFilter, never an unfiltered list."""
    if not filter_text:
        return queryset
    try:
        node = ScimFilter[model](filter_text).ast
    except (ValueError, SCIMException) as error:
        raise InvalidFilterException(detail=f"The filter cannot be read: {error}") from None
    attr_path = getattr(node, "attr_path", None)
    op = str(getattr(node, "op", ""))
    key = ""
    if attr_path is not None:
        key = attr_path.attr.lower() + (
            f".{attr_path.sub_attr.lower()}" if attr_path.sub_attr else ""
        )
    if op not in ("eq", "CompareOperator.eq") or key not in lookups:
        raise InvalidFilterException(
            detail='Only filters of the form attribute eq "value" on '
            + ", ".join(sorted(lookups))
            + " are supported."
        )
    return queryset.filter(lookups[key](str(node.value)))


def page(queryset: QuerySet, start_index: str | None, count: str | None) -> tuple[list, int, int]:
    """RFC 7644 §3.4.2.4: 1-based startIndex (below 1 reads as 1), count at most our
    maximum (negative reads as 0)."""
    try:
        start = max(1, int(start_index)) if start_index else 1
        size = min(MAX_RESULTS, max(0, int(count))) if count else MAX_RESULTS
    except ValueError:
        raise InvalidValueException(detail="startIndex and count are numbers.") from None
    total = queryset.count()
    return list(queryset[start - 1 : start - 1 + size]), start, total


def list_users(organisation: Organisation, query, base_url: str) -> ListResponse:
    people = filtered(_people(organisation), ScimUser, query.get("filter"), USER_FILTERS)
    rows, start, total = page(people, query.get("startIndex"), query.get("count"))
    return ListResponse[ScimUser](
        total_results=total,
        start_index=start,
        items_per_page=len(rows),
        resources=[user_resource(person, base_url) for person in rows],
    )


# ---------------------------------------------------------------------------------------
# Groups (departments)


def _departments(organisation: Organisation) -> QuerySet[Department]:
    return (
        Department.objects.filter(organisation=organisation)
        .select_related("scim_department")
        .order_by("pk")
    )


def get_department(organisation: Organisation, group_id: str) -> Department:
    pk = parse_id(group_id, Department)
    department = _departments(organisation).filter(pk=pk).first() if pk is not None else None
    if department is None:
        raise NotFoundException(detail=f"No group {group_id}.")
    return department


def group_resource(department: Department, base_url: str, *, members: bool = True) -> Group:
    try:
        identity = department.scim_department
    except ScimDepartment.DoesNotExist:
        identity = None
    group = Group(
        id=str(department.pk),
        external_id=(identity.external_id or None) if identity else None,
        display_name=department.name,
    )
    if members:
        people = (
            _people(department.organisation)
            .filter(department=department)
            .values_list("pk", flat=True)
        )
        group.members = [
            GroupMember(value=str(pk), ref=f"{base_url}Users/{pk}") for pk in people
        ] or None
    group.meta = Meta(
        resource_type="Group",
        created=identity.created_at if identity else None,
        last_modified=identity.updated_at if identity else None,
        location=f"{base_url}Groups/{department.pk}",
    )
    return group


def _member_ids(group: Group) -> set[str]:
    return {str(member.value) for member in group.members or [] if member.value}


def _set_members(organisation: Organisation, department: Department, wanted: set[str]) -> None:
    """People listed join the department (leaving their old one: a person has one); people
    of the department not listed leave it."""
    current = set(
        map(str, _people(organisation).filter(department=department).values_list("pk", flat=True))
    )
    try:
        for pk in sorted(wanted - current):
            person = get_person(organisation, pk)
            provisioning.provision_person(
                organisation, PersonDetails(email=person.user.email, department=department.name)
            )
        for pk in sorted(current - wanted):
            person = get_person(organisation, pk)
            provisioning.provision_person(
                organisation, PersonDetails(email=person.user.email, department="")
            )
    except NotFoundException:
        raise InvalidValueException(detail="A member is not a user of this organisation.") from None
    except ProvisioningError as error:
        raise InvalidValueException(detail=str(error)) from None


def _save_group(organisation: Organisation, group: Group, department: Department | None):
    name = " ".join((group.display_name or "").split())
    if not name:
        raise InvalidValueException(detail="displayName is required.")
    clash = Department.objects.filter(organisation=organisation, name__iexact=name)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if clash.exists():
        raise UniquenessException(detail=f"A group named {name} exists.")
    try:
        if department is None:
            department = provisioning.department_named(organisation, name, create=True)
        elif department.name != name:
            rename_department(department, name)
    except ProvisioningError as error:
        raise InvalidValueException(detail=str(error)) from None
    except ValidationError as error:
        raise InvalidValueException(detail=" ".join(error.messages)) from None
    ScimDepartment.objects.update_or_create(
        department=department, defaults={"external_id": (group.external_id or "")[:255]}
    )
    _set_members(organisation, department, _member_ids(group))
    return _departments(organisation).get(pk=department.pk)


@transaction.atomic
def create_group(organisation: Organisation, payload: Any) -> Department:
    group = read(Group, payload, Context.RESOURCE_CREATION_REQUEST)
    return _save_group(organisation, group, None)


@transaction.atomic
def replace_group(organisation: Organisation, department: Department, payload: Any):
    group = read(Group, payload, Context.RESOURCE_REPLACEMENT_REQUEST)
    return _save_group(organisation, group, department)


@transaction.atomic
def patch_group(organisation: Organisation, department: Department, payload: Any, base_url: str):
    patch = read(PatchOp[Group], payload, Context.RESOURCE_PATCH_REQUEST)
    group = group_resource(department, base_url)
    try:
        patch.patch(group, scim_policy=POLICY)
    except PydanticValidationError as error:
        raise _scim_error(error) from None
    return _save_group(organisation, group, department)


def delete_group(department: Department) -> None:
    """The department goes; its people stay, with no department."""
    delete_department(department)


def list_groups(organisation: Organisation, query, base_url: str, *, members: bool):
    departments = filtered(_departments(organisation), Group, query.get("filter"), GROUP_FILTERS)
    rows, start, total = page(departments, query.get("startIndex"), query.get("count"))
    return ListResponse[Group](
        total_results=total,
        start_index=start,
        items_per_page=len(rows),
        resources=[group_resource(d, base_url, members=members) for d in rows],
    )
