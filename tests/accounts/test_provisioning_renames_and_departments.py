"""accounts.provisioning's helpers for directories: a new e-mail address (a rename in the
directory), renaming a department, deleting one (its people stay, without it)."""

import pytest

from budbringer.accounts import departments, provisioning
from budbringer.accounts.models import Department
from budbringer.accounts.provisioning import ProvisioningError


def test_a_new_email_is_the_new_username(cast):
    assert provisioning.change_email(cast.bob, " Robert@Nordlys.example ") is True
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.email == cast.bob.user.username == "robert@nordlys.example"
    assert provisioning.change_email(cast.bob, "robert@nordlys.example") is False


def test_an_email_of_another_login_is_refused(cast):
    with pytest.raises(ProvisioningError):
        provisioning.change_email(cast.bob, "charlie@example.com")
    with pytest.raises(ProvisioningError):
        provisioning.change_email(cast.bob, "not an address")
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.email == "bob@example.com"


def test_renaming_a_department_keeps_its_people_and_refuses_a_taken_name(cast):
    departments.rename_department(cast.engineering, "  R&D  ")
    cast.bob.refresh_from_db()
    assert cast.bob.department.name == "R&D"
    with pytest.raises(ProvisioningError):
        departments.rename_department(cast.engineering, "sales")


def test_deleting_a_department_keeps_its_people(cast):
    assert departments.delete_department(cast.engineering) == 2
    assert not Department.objects.filter(name="Engineering").exists()
    cast.bob.refresh_from_db()
    cast.erik.refresh_from_db()
    assert cast.bob.department is None and cast.erik.department is None
