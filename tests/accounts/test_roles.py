"""The role rules (accounts.roles): who may do what, and why_not_change's refusals."""

import pytest

from budbringer.accounts import roles
from budbringer.accounts.provisioning import deactivate_person
from budbringer.accounts.roles import Role


def test_each_rule_allows_its_roles_only(cast):
    people = {p.role: p for p in (cast.alice, cast.erik, cast.lena, cast.bob, cast.sara)}
    expected = {
        roles.may_edit: {Role.ADMIN, Role.EDITOR},
        roles.may_see_analytics: {Role.ADMIN, Role.LEADER},
        roles.may_see_individuals: {Role.ADMIN},
        roles.may_see_leads: {Role.ADMIN, Role.LEADER, Role.SALES},
        roles.may_see_all_leads: {Role.ADMIN, Role.LEADER},
        roles.may_administer: {Role.ADMIN},
    }
    for rule, allowed in expected.items():
        assert {role for role, person in people.items() if rule(person)} == allowed, rule
        assert not rule(None)


def test_a_deactivated_admin_may_nothing(cast):
    deactivate_person(cast.alice)
    assert not roles.may_administer(cast.alice)
    assert not roles.may_manage_person(cast.alice, cast.bob)


def test_only_an_admin_of_the_same_organisation_manages_a_person(cast):
    assert roles.may_manage_person(cast.alice, cast.bob)
    assert not roles.may_manage_person(cast.erik, cast.bob)
    assert not roles.may_manage_person(cast.charlie, cast.bob)
    why = roles.why_not_change(
        cast.charlie, cast.bob, role=Role.ADMIN, active=True, other_active_admins=1
    )
    assert why == "Only an admin of this organisation may change people."


@pytest.mark.parametrize(
    ("role", "active", "others", "refused"),
    [
        (Role.ADMIN, True, 0, None),  # no change to the admin role
        (Role.EDITOR, True, 1, "own"),
        (Role.ADMIN, False, 1, "own"),
        (Role.EDITOR, True, 0, "own"),
    ],
)
def test_nobody_takes_away_their_own_admin_role(cast, role, active, others, refused):
    why = roles.why_not_change(
        cast.alice, cast.alice, role=role, active=active, other_active_admins=others
    )
    assert (why and "own admin role" in why and "own") == refused


def test_the_organisation_keeps_one_active_admin(cast):
    cast.erik.role = Role.ADMIN
    change = dict(role=Role.EDITOR, active=True)
    assert roles.why_not_change(cast.alice, cast.erik, **change, other_active_admins=1) is None
    assert roles.why_not_change(cast.alice, cast.erik, **change, other_active_admins=0) == (
        "The organisation must keep at least one active admin."
    )
    # Changing others than admins never needs another admin.
    assert (
        roles.why_not_change(
            cast.alice, cast.bob, role=Role.SALES, active=False, other_active_admins=0
        )
        is None
    )
