"""accounts.provisioning, the one home for people: new, changed, unchanged; e-mail and
department names case-insensitive; errors that save nothing; the role rules with the
organisation's admins counted; refusals across organisations."""

import pytest

from budbringer.accounts.models import Department, Person
from budbringer.accounts.provisioning import (
    PersonDetails,
    ProvisioningError,
    change_person,
    check_details,
    deactivate_person,
    plan_person,
    provision_person,
    reactivate_person,
)
from budbringer.accounts.roles import Role


def test_new_then_unchanged_then_changed(cast):
    details = PersonDetails("Nina@Example.com", "Nina", department="sales", role="sales")
    new = provision_person(cast.nordlys, details)
    assert new.kind == "new"
    nina = new.person
    assert (nina.user.email, nina.department, nina.role) == (
        "nina@example.com",
        cast.sales,
        "sales",
    )
    assert not nina.user.has_usable_password()
    assert nina.status == "invited"
    assert provision_person(cast.nordlys, details).kind == "unchanged"
    changed = provision_person(cast.nordlys, PersonDetails("NINA@example.com", role="leader"))
    assert changed.kind == "changed"
    assert changed.changes == {"role": ("sales", "leader")}
    assert Person.objects.filter(user__email="nina@example.com").count() == 1


def test_departments_are_made_once_whatever_the_case(cast):
    provision_person(cast.nordlys, PersonDetails("a@example.com", department="Marketing"))
    provision_person(cast.nordlys, PersonDetails("b@example.com", department="MARKETING"))
    assert (
        Department.objects.filter(organisation=cast.nordlys, name__iexact="marketing").count() == 1
    )


@pytest.mark.parametrize(
    "details",
    [
        PersonDetails("not an address"),
        PersonDetails("x@example.com", role="pope"),
        PersonDetails("x@example.com", languages=["xx"]),
        PersonDetails("x@example.com", time_zone="Mars/Olympus"),
        PersonDetails("x@example.com", manager_email="x@example.com"),
        PersonDetails("x@example.com", manager_email="nobody@example.com"),
        PersonDetails("x@example.com", manager_email="charlie@example.com"),  # Havn's
    ],
)
def test_errors_save_nothing(cast, details):
    before = Person.objects.count()
    with pytest.raises(ProvisioningError):
        provision_person(cast.nordlys, details)
    assert Person.objects.count() == before


def test_a_login_of_another_organisation_is_refused(cast):
    with pytest.raises(ProvisioningError, match="another organisation"):
        provision_person(cast.nordlys, PersonDetails("CHARLIE@example.com"))
    assert Person.objects.get(pk=cast.charlie.pk).organisation == cast.havn


def test_the_dry_run_saves_nothing(cast):
    outcome = plan_person(cast.nordlys, check_details(PersonDetails("new@example.com", "New")))
    assert outcome.kind == "new"
    assert not Person.objects.filter(user__email="new@example.com").exists()


def change(actor, person, **fields):
    values = dict(
        role=person.role, department=person.department, manager=person.manager,
        languages=person.languages, time_zone=person.time_zone,
    )  # fmt: skip
    return change_person(actor, person, **{**values, **fields})


def test_change_person_applies_the_role_rules_with_the_admins_counted(cast):
    with pytest.raises(ProvisioningError, match="own admin role"):
        change(cast.alice, cast.alice, role=Role.EDITOR)
    change(cast.alice, cast.erik, role=Role.ADMIN)
    assert (
        change(cast.alice, Person.objects.get(pk=cast.erik.pk), role=Role.EDITOR).kind == "changed"
    )
    with pytest.raises(ProvisioningError, match="Only an admin"):
        change(cast.erik, cast.bob, role=Role.ADMIN)
    with pytest.raises(ProvisioningError, match="Only an admin"):
        change(cast.charlie, cast.bob, role=Role.SALES)
    assert Person.objects.get(pk=cast.bob.pk).role == Role.EMPLOYEE


def test_change_person_refuses_choices_of_another_organisation(cast):
    with pytest.raises(ProvisioningError):
        change(cast.alice, cast.bob, department=cast.havn_ops)
    with pytest.raises(ProvisioningError):
        change(cast.alice, cast.bob, manager=cast.charlie)
    with pytest.raises(ProvisioningError):
        change(cast.alice, cast.bob, manager=cast.bob)
    assert change(cast.alice, cast.bob, manager=cast.lena).person.manager == cast.lena


def test_deactivate_and_reactivate_under_the_rules(cast):
    with pytest.raises(ProvisioningError, match="deactivate yourself"):
        deactivate_person(cast.alice, actor=cast.alice)
    with pytest.raises(ProvisioningError, match="Only an admin"):
        deactivate_person(cast.bob, actor=cast.charlie)
    assert deactivate_person(cast.bob, actor=cast.alice)
    assert not deactivate_person(cast.bob, actor=cast.alice)  # already
    with pytest.raises(ProvisioningError):
        reactivate_person(cast.bob, actor=cast.erik)
    assert reactivate_person(cast.bob, actor=cast.alice)
    assert not reactivate_person(cast.bob)


def test_the_last_active_admin_cannot_be_deactivated(cast):
    cast.erik.role = Role.ADMIN
    cast.erik.save()
    deactivate_person(cast.erik, actor=cast.alice)  # alice stays
    erik = Person.objects.get(pk=cast.erik.pk)
    reactivate_person(erik, actor=cast.alice)
    deactivate_person(cast.alice, actor=erik)
    # Erik is now the only active admin; nobody may deactivate him, not even by SCIM's path
    # with an actor.
    with pytest.raises(ProvisioningError):
        deactivate_person(erik, actor=erik)
