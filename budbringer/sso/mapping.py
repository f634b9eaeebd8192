"""From what an identity provider says (ID-token claims, SAML attributes) to the details
``accounts.provisioning`` keeps, and the one check every single sign-on goes through."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from budbringer.accounts.models import Organisation, Person
from budbringer.accounts.organisation import is_own_address
from budbringer.accounts.provisioning import (
    PersonDetails,
    ProvisioningError,
    find_person,
    normalise_email,
    provision_person,
)
from budbringer.accounts.roles import Role

# When a person is in groups for several roles, the first of these wins.
ROLE_STRENGTH = [Role.ADMIN, Role.EDITOR, Role.LEADER, Role.SALES, Role.EMPLOYEE]


class SignInRefused(Exception):
    """The provider vouched for someone who may not sign in here; the message says why,
    for the person (it never names another organisation)."""


def _values(attributes: Mapping[str, object], name: str) -> list[str]:
    value = attributes.get(name) if name else None
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


def role_from_groups(role_groups: Mapping[str, str], groups: Iterable[str]) -> str | None:
    """The strongest role any of the groups gives, or None when none is mapped (the
    stored role is then kept, so an admin's choice is not undone at each sign-in)."""
    given = {role_groups[g] for g in groups if g in role_groups}
    return next((role for role in ROLE_STRENGTH if role in given), None)


def details_from(connection, email: str, name: str, attributes: Mapping[str, object]):
    """PersonDetails from the provider's attributes under the connection's mapping."""
    department = None
    if connection.department_attribute:
        found = _values(attributes, connection.department_attribute)
        department = found[0] if found else None
    role = role_from_groups(
        connection.role_groups or {}, _values(attributes, connection.groups_attribute)
    )
    return PersonDetails(email=email, name=name, department=department, role=role)


def person_signing_in(
    organisation: Organisation, connection, email: str, name: str, attributes
) -> Person:
    """The person the provider vouched for, provisioned just in time or updated from the
    mapping. Refused: addresses outside the organisation's domains, deactivated people
    (deactivation is an admin's or the directory's decision, not undone by a sign-in)."""
    try:
        email = normalise_email(email)
    except ProvisioningError:
        raise SignInRefused(
            _("Your identity provider did not give a valid e-mail address.")
        ) from None
    if not is_own_address(organisation, email):
        raise SignInRefused(
            _("%(email)s is not an address of this organisation's domains.") % {"email": email}
        )
    existing = find_person(organisation, email)
    if existing is not None and not existing.user.is_active:
        raise SignInRefused(_("Your account here is deactivated. Ask your admin."))
    try:
        outcome = provision_person(organisation, details_from(connection, email, name, attributes))
    except ProvisioningError as error:
        raise SignInRefused(str(error)) from None
    return outcome.person or existing
