"""Who may see and change what: the one home of the role rules.

Views (``accounts.access``), the Django admin (``budbringer.admin``), the API and the
people pages all ask these functions; none of them compares roles itself. A rule takes
the acting person (and, where it matters, the person acted on) and answers yes or no.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # pragma: no cover
    from budbringer.accounts.models import Person


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    LEADER = "leader", _("Leader")
    EMPLOYEE = "employee", _("Employee")
    SALES = "sales", _("Sales")


# Curate sources, lists, items and share texts (the editor pages and the Django admin).
EDITING_ROLES = frozenset({Role.ADMIN, Role.EDITOR})
# See the analytics dashboard (groups; individuals only with INDIVIDUALS_ROLES).
ANALYTICS_ROLES = frozenset({Role.ADMIN, Role.LEADER})
# See what one person did, and groups under five people apart.
INDIVIDUALS_ROLES = frozenset({Role.ADMIN})
# Work with leads and hold them.
LEAD_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SALES})
# See every lead of the organisation, not only their own.
ALL_LEADS_ROLES = frozenset({Role.ADMIN, Role.LEADER})
# Run the organisation: people, departments, sign-in, digests' defaults, API tokens.
ADMIN_ROLES = frozenset({Role.ADMIN})


# API tokens are made by admins and read for the organisation as an admin would.
API_TOKEN_ROLE = Role.ADMIN


def _role(person: Person | None) -> str | None:
    if person is None or not person.user.is_active:
        return None
    return person.role


def may_edit(person: Person | None) -> bool:
    return _role(person) in EDITING_ROLES


def may_see_analytics(person: Person | None) -> bool:
    return _role(person) in ANALYTICS_ROLES


def may_see_individuals(person: Person | None) -> bool:
    """Whether analytics may show what one person did. Others see groups under five
    active people only merged (``analytics.filters.hides_group``)."""
    return _role(person) in INDIVIDUALS_ROLES


def api_sees_individuals() -> bool:
    """Whether the API lists what one person did (shares with person ids) and shows groups
    under five apart: as the role its tokens read with may."""
    return API_TOKEN_ROLE in INDIVIDUALS_ROLES


def may_see_leads(person: Person | None) -> bool:
    return _role(person) in LEAD_ROLES


def may_see_all_leads(person: Person | None) -> bool:
    return _role(person) in ALL_LEADS_ROLES


def may_administer(person: Person | None) -> bool:
    """People, departments, sign-in methods, SCIM tokens, API tokens, digest defaults."""
    return _role(person) in ADMIN_ROLES


def may_manage_person(actor: Person | None, target: Person) -> bool:
    """Invite, edit, deactivate or reactivate ``target``: an admin of the same organisation."""
    return may_administer(actor) and actor.organisation_id == target.organisation_id


def why_not_change(
    actor: Person, target: Person, *, role: str, active: bool, other_active_admins: int
) -> str | None:
    """The reason ``actor`` may not give ``target`` this role and state, or None.

    Nobody takes away their own admin role or deactivates themselves (a lone admin would
    lock the organisation out), and an organisation always keeps one active admin
    (``other_active_admins`` counts the active admins besides ``target``).
    """
    if not may_manage_person(actor, target):
        return str(_("Only an admin of this organisation may change people."))
    losing_admin = (
        target.role == Role.ADMIN and target.user.is_active and (role != Role.ADMIN or not active)
    )
    if not losing_admin:
        return None
    if target.pk == actor.pk:
        return str(_("You cannot take away your own admin role or deactivate yourself."))
    if other_active_admins == 0:
        return str(_("The organisation must keep at least one active admin."))
    return None
