"""/ServiceProviderConfig, /Schemas and /ResourceTypes say what we support and keep."""

from tests.scim.conftest import ENTERPRISE, GROUP, USER


def test_the_configuration_announces_patch_and_filter_but_not_bulk(scim):
    config = scim("GET", "ServiceProviderConfig")
    assert config.status_code == 200
    assert config["Content-Type"].startswith("application/scim+json")
    assert config.body["patch"] == {"supported": True}
    assert config.body["filter"]["supported"] is True
    assert config.body["bulk"]["supported"] is False
    assert config.body["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_schemas_list_only_the_attributes_we_keep(scim):
    schemas = {s["id"]: s for s in scim("GET", "Schemas").body["Resources"]}
    assert set(schemas) == {USER, ENTERPRISE, GROUP}
    user = {a["name"] for a in schemas[USER]["attributes"]}
    assert user == {"userName", "name", "displayName", "active", "emails", "groups"}
    assert scim("GET", f"Schemas/{ENTERPRISE}").body["id"] == ENTERPRISE


def test_resource_types_are_users_and_groups(scim):
    types = scim("GET", "ResourceTypes").body["Resources"]
    assert [(t["name"], t["endpoint"]) for t in types] == [("User", "/Users"), ("Group", "/Groups")]
    assert types[0]["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    assert scim("GET", "ResourceTypes/Group").body["schema"] == GROUP


def test_attributes_and_excluded_attributes_choose_what_comes_back(scim, cast):
    only = scim("GET", f"Users/{cast.bob.pk}", attributes="userName")
    assert set(only.body) == {"schemas", "id", "userName"}
    group = scim("GET", f"Groups/{cast.engineering.pk}", excludedAttributes="members")
    assert "members" not in group.body and group.body["displayName"] == "Engineering"
    full = scim("GET", f"Groups/{cast.engineering.pk}")
    assert {m["value"] for m in full.body["members"]} == {str(cast.erik.pk), str(cast.bob.pk)}
