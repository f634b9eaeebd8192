"""Hostile or broken requests get RFC 7644 §3.12 error JSON and change nothing."""

import pytest
from django.contrib.auth.models import User

from budbringer.accounts.models import Person
from budbringer.scim.tokens import revoke_token
from budbringer.scim.views import MAX_BODY_BYTES
from tests.scim.conftest import ENTERPRISE, PATCH_OP, USER, assert_error


def new_user(user_name="nina@nordlys.example", **extra):
    return {"schemas": [USER], "userName": user_name, "active": True, **extra}


@pytest.mark.parametrize("secret", ["", "bbscim_not-a-token", "bb_an-api-token"])
def test_a_missing_or_unknown_token_is_401(scim, secret):
    response = scim("GET", "Users", secret=secret or False)
    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(scim, cast):
    from budbringer.scim.models import ScimToken

    revoke_token(ScimToken.objects.get(organisation=cast.nordlys))
    assert_error(scim("GET", "Users"), 401)


def test_another_organisations_people_and_departments_are_not_found(havn_scim, cast):
    people = Person.objects.count()
    assert_error(havn_scim("GET", f"Users/{cast.bob.pk}"), 404)
    assert_error(havn_scim("PUT", f"Users/{cast.bob.pk}", new_user()), 404)
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active",
                                                   "value": False}]}  # fmt: skip
    assert_error(havn_scim("PATCH", f"Users/{cast.bob.pk}", body), 404)
    assert_error(havn_scim("DELETE", f"Users/{cast.bob.pk}"), 404)
    assert_error(havn_scim("GET", f"Groups/{cast.sales.pk}"), 404)
    assert_error(havn_scim("DELETE", f"Groups/{cast.sales.pk}"), 404)
    listed = havn_scim("GET", "Users", filter='userName eq "bob@example.com"')
    assert listed.body["totalResults"] == 0
    everyone = havn_scim("GET", "Users")
    assert [r["id"] for r in everyone.body["Resources"]] == [str(cast.charlie.pk)]
    cast.bob.user.refresh_from_db()
    assert cast.bob.user.is_active and Person.objects.count() == people
    # Adding Nordlys's bob to a Havn group is refused too.
    body = {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": str(cast.bob.pk)}]}]}  # fmt: skip
    assert_error(havn_scim("PATCH", f"Groups/{cast.havn_ops.pk}", body), 400, "invalidValue")
    cast.bob.refresh_from_db()
    assert cast.bob.department == cast.engineering


@pytest.mark.parametrize("raw", ["{", "not json", "[1, 2]", '"a string"'])
def test_malformed_json_is_invalid_syntax(scim, raw):
    assert_error(scim("POST", "Users", raw=raw), 400, "invalidSyntax")


def test_unknown_attributes_are_invalid_syntax_and_save_nothing(scim):
    users = User.objects.count()
    assert_error(scim("POST", "Users", new_user(favouriteColour="blue")), 400, "invalidSyntax")
    assert User.objects.count() == users


def test_a_value_of_the_wrong_type_is_invalid_value(scim):
    assert_error(scim("POST", "Users", new_user(active="perhaps")), 400, "invalidValue")


def test_a_user_without_an_email_is_invalid_value(scim):
    assert_error(scim("POST", "Users", new_user(user_name="nina")), 400, "invalidValue")


def test_a_patch_of_an_unknown_path_is_invalid_path(scim, cast):
    body = {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "shoeSize", "value": 42}]}  # fmt: skip
    assert_error(scim("PATCH", f"Users/{cast.bob.pk}", body), 400, "invalidPath")


def test_an_unknown_manager_is_invalid_value_and_changes_nothing(scim, cast):
    body = {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "displayName", "value": "Robert"},
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": "999999"}]}  # fmt: skip
    assert_error(scim("PATCH", f"Users/{cast.bob.pk}", body), 400, "invalidValue")
    cast.bob.refresh_from_db()
    assert cast.bob.name == "Bob" and cast.bob.manager is None


@pytest.mark.parametrize(
    "query", ['userName sw "a"', "userName eq", 'title eq "x"', 'userName eq "a" or id eq "1"']
)
def test_filters_we_cannot_answer_are_invalid_filter(scim, query):
    assert_error(scim("GET", "Users", filter=query), 400, "invalidFilter")


def test_a_duplicate_user_name_is_409_uniqueness(scim, cast):
    assert scim("POST", "Users", new_user()).status_code == 201
    users = User.objects.count()
    assert_error(scim("POST", "Users", new_user("NINA@nordlys.example")), 409, "uniqueness")
    # A person who is there already (imported, or signed up) is the same person.
    assert_error(scim("POST", "Users", new_user("bob@example.com")), 409, "uniqueness")
    # Another organisation's login is taken too, whatever this organisation may know.
    assert_error(scim("POST", "Users", new_user("charlie@example.com")), 409, "uniqueness")
    assert User.objects.count() == users


def test_a_duplicate_group_name_is_409_uniqueness(scim, cast):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "SALES"}
    assert_error(scim("POST", "Groups", body), 409, "uniqueness")


def test_a_body_too_large_is_413(scim):
    users = User.objects.count()
    body = new_user(displayName="x" * (MAX_BODY_BYTES + 1))
    assert_error(scim("POST", "Users", body), 413)
    assert User.objects.count() == users


def test_unknown_ids_and_endpoints_are_404(scim):
    assert_error(scim("GET", "Users/999999"), 404)
    assert_error(scim("GET", "Users/not-a-number"), 404)
    assert_error(scim("GET", "Users/99999999999999999999999"), 404)
    assert_error(scim("GET", "Devices"), 404)
    assert_error(scim("GET", "Schemas/urn:nothing"), 404)
