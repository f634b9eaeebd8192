"""A SCIM DELETE of a user deactivates them and takes them out of SCIM (a GET is 404, as
RFC 7644 §3.6 asks); their row, and so every aggregate count and tracked link, stays.
A DELETE of a group deletes the department; its people stay, without a department."""

from budbringer.accounts.models import Department, Person
from tests.scim.conftest import USER, assert_error


def test_deleting_a_user_deactivates_and_hides_them(scim, cast):
    assert scim("DELETE", f"Users/{cast.bob.pk}").status_code == 204
    bob = Person.objects.select_related("user").get(pk=cast.bob.pk)
    assert not bob.user.is_active and bob.deactivated_at is not None
    assert bob.department == cast.engineering  # kept for the department reports
    assert_error(scim("GET", f"Users/{cast.bob.pk}"), 404)
    assert_error(scim("DELETE", f"Users/{cast.bob.pk}"), 404)
    assert scim("GET", "Users", filter='userName eq "bob@example.com"').body["totalResults"] == 0

    # Created again by the directory: the same person comes back, active.
    again = scim("POST", "Users", {"schemas": [USER], "userName": "bob@example.com"})
    assert again.status_code == 201, again.body
    assert again.body["id"] == str(cast.bob.pk)
    bob.user.refresh_from_db()
    assert bob.user.is_active


def test_deleting_a_group_deletes_the_department_and_keeps_its_people(scim, cast):
    assert scim("DELETE", f"Groups/{cast.engineering.pk}").status_code == 204
    assert not Department.objects.filter(pk=cast.engineering.pk).exists()
    cast.bob.refresh_from_db()
    assert cast.bob.department is None and cast.bob.user.is_active
    assert_error(scim("GET", f"Groups/{cast.engineering.pk}"), 404)
