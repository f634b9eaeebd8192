"""A provisioning run shaped like Microsoft Entra ID's, from its documentation:

- https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
  (the request/response examples: GET /Users?filter=userName eq "..." answered by an empty
  list, POST /Users, PATCH with "Replace" operations, PATCH active "False", POST /Groups,
  PATCH members "Add")
- https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
  (capitalised ops, string booleans, path-less replace values, the enterprise manager as a
  bare id)
"""

from budbringer.accounts.models import Person
from tests.scim.conftest import ENTERPRISE, GROUP, PATCH_OP, USER

TEST_USER = {
    "schemas": [USER, ENTERPRISE],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@nordlys.example",
    "active": True,
    "emails": [
        {"primary": True, "type": "work", "value": "Test_User_fd0ea19b@nordlys.example"}
    ],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "givenName familyName", "familyName": "familyName",
             "givenName": "givenName"},
    "roles": [],
    ENTERPRISE: {"department": "Marketing"},
}  # fmt: skip


def test_entra_creates_updates_and_deactivates_a_person(scim, cast):
    user_name = TEST_USER["userName"]
    # 1. Does the user exist? An empty list, not a 404.
    found = scim("GET", "Users", filter=f'userName eq "{user_name}"')
    assert found.status_code == 200
    assert found.body["totalResults"] == 0 and found.body.get("Resources", []) == []

    # 2. Create.
    created = scim("POST", "Users", TEST_USER)
    assert created.status_code == 201, created.body
    assert created["Content-Type"].startswith("application/scim+json")
    user_id = created.body["id"]
    assert created["Location"].endswith(f"/scim/v2/Users/{user_id}")
    person = Person.objects.select_related("user", "department").get(pk=user_id)
    assert person.organisation == cast.nordlys
    assert person.user.email == user_name.lower()
    assert person.department.name == "Marketing"
    assert person.status == "invited"
    assert created.body["userName"] == user_name
    assert created.body["externalId"] == TEST_USER["externalId"]
    assert created.body["meta"]["resourceType"] == "User"
    assert created.body["meta"]["location"].endswith(f"/Users/{user_id}")
    assert created.body["meta"]["version"].startswith('W/"')

    # 3. Now the filter finds them (by userName, externalId and e-mail).
    for query in (
        f'userName eq "{user_name.upper()}"',
        f'externalId eq "{TEST_USER["externalId"]}"',
        f'emails.value eq "{user_name.lower()}"',
    ):
        again = scim("GET", "Users", filter=query)
        assert again.body["totalResults"] == 1, query
        assert again.body["Resources"][0]["id"] == user_id

    # 4. Entra's update: capitalised ops, filtered e-mail path, name parts, the enterprise
    # extension with the manager as a bare id.
    patched = scim("PATCH", f"Users/{user_id}", {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Ada Lovelace"},
            {"op": "Replace", "path": "name.givenName", "value": "Ada"},
            {"op": "Replace", "path": "name.familyName", "value": "Lovelace"},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "ada@nordlys.example"},
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Engineering"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(cast.lena.pk)},
        ],
    })  # fmt: skip
    assert patched.status_code == 200, patched.body
    person.refresh_from_db()
    assert person.name == "Ada Lovelace"
    assert person.department == cast.engineering  # the existing one, not a second
    assert person.manager == cast.lena
    assert patched.body["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert {"value": "ada@nordlys.example", "type": "work", "primary": True} in patched.body[
        "emails"
    ]
    assert patched.body[ENTERPRISE]["manager"]["value"] == str(cast.lena.pk)

    # 5. Soft delete: "Replace" active with the string "False".
    off = scim("PATCH", f"Users/{user_id}", {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    })  # fmt: skip
    assert off.status_code == 200, off.body
    assert off.body["active"] is False
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert not person.user.is_active and person.deactivated_at is not None

    # 6. And back, path-less, as Entra sends it too.
    on = scim("PATCH", f"Users/{user_id}", {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "value": {"active": True}}],
    })  # fmt: skip
    assert on.body["active"] is True
    person.user.refresh_from_db()
    assert person.user.is_active


def test_entra_pushes_a_group_and_adds_a_member(scim, cast):
    found = scim("GET", "Groups", filter='displayName eq "Customer Success"',
                 excludedAttributes="members")  # fmt: skip
    assert found.body["totalResults"] == 0
    created = scim("POST", "Groups", {
        "schemas": [GROUP],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "Customer Success",
        "meta": {"resourceType": "Group"},
    })  # fmt: skip
    assert created.status_code == 201, created.body
    group_id = created.body["id"]
    assert created.body["displayName"] == "Customer Success"

    added = scim("PATCH", f"Groups/{group_id}", {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": str(cast.bob.pk)}]}],
    })  # fmt: skip
    assert added.status_code == 200, added.body
    cast.bob.refresh_from_db()
    assert cast.bob.department.name == "Customer Success"
    assert [m["value"] for m in added.body["members"]] == [str(cast.bob.pk)]

    # Entra removes a member with a value rather than a path filter.
    removed = scim("PATCH", f"Groups/{group_id}", {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Remove", "path": "members",
                        "value": [{"value": str(cast.bob.pk)}]}],
    })  # fmt: skip
    assert removed.status_code == 200, removed.body
    cast.bob.refresh_from_db()
    assert cast.bob.department is None
