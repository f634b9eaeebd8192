"""A provisioning run shaped like Okta's, from its SCIM 2.0 reference:

- https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20
  (GET /Users?filter=userName eq "..."&startIndex=1&count=100 answered by an empty list,
  POST /Users, PUT /Users/{id} with the full profile, PATCH {"op": "replace", "value":
  {"active": false}} to deactivate; the connection test GET /Users?startIndex=1&count=2)
"""

from budbringer.accounts.models import Person
from tests.scim.conftest import PATCH_OP, USER

OKTA_USER = {
    "schemas": [USER],
    "userName": "ingrid.berg@nordlys.example",
    "name": {"givenName": "Ingrid", "familyName": "Berg"},
    "emails": [{"primary": True, "value": "ingrid.berg@nordlys.example", "type": "work"}],
    "displayName": "Ingrid Berg",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": True,
}


def test_okta_creates_replaces_and_deactivates_a_person(scim, cast):
    test = scim("GET", "Users", startIndex="1", count="2")
    assert test.status_code == 200 and test.body["itemsPerPage"] == 2

    found = scim("GET", "Users", filter=f'userName eq "{OKTA_USER["userName"]}"',
                 startIndex="1", count="100")  # fmt: skip
    assert (
        found.body
        == {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0,
            "startIndex": 1,
            "itemsPerPage": 0,
        }
        or found.body.get("Resources", []) == []
    )

    created = scim("POST", "Users", OKTA_USER)
    assert created.status_code == 201, created.body
    user_id = created.body["id"]
    assert "password" not in created.body  # never returned (nor kept)
    person = Person.objects.select_related("user").get(pk=user_id)
    assert person.name == "Ingrid Berg" and not person.user.has_usable_password()

    replaced = scim("PUT", f"Users/{user_id}", {
        **OKTA_USER, "id": user_id, "displayName": "Ingrid Berg-Dahl",
        "name": {"givenName": "Ingrid", "familyName": "Berg-Dahl"},
    })  # fmt: skip
    assert replaced.status_code == 200, replaced.body
    assert replaced.body["name"]["familyName"] == "Berg-Dahl"
    person.refresh_from_db()
    assert person.name == "Ingrid Berg-Dahl"

    off = scim("PATCH", f"Users/{user_id}", {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    })  # fmt: skip
    assert off.status_code == 200 and off.body["active"] is False
    person.user.refresh_from_db()
    assert not person.user.is_active

    # Okta reactivates with a PUT carrying active true.
    back = scim("PUT", f"Users/{user_id}", {**OKTA_USER, "id": user_id})
    assert back.body["active"] is True


def test_paging_walks_every_person_once(scim, cast):
    seen, start = [], 1
    while True:
        page = scim("GET", "Users", startIndex=str(start), count="2")
        seen += [r["id"] for r in page.body.get("Resources", [])]
        if not page.body.get("Resources"):
            break
        start += page.body["itemsPerPage"]
    nordlys = Person.objects.filter(organisation=cast.nordlys).values_list("pk", flat=True)
    assert sorted(seen, key=int) == sorted(map(str, nordlys), key=int)
    assert page.body["totalResults"] == len(nordlys)
