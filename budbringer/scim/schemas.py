"""What our SCIM service speaks, described with scim2-models: the resource models we read
and write, and what /Schemas, /ResourceTypes and /ServiceProviderConfig publish.

We publish only the attributes we keep, so a client (and scim2-tester) knows what it
gets back. Requests may still carry the other attributes of RFC 7643's User (Entra ID
and Okta send title, phone numbers, addresses...): they are read and dropped. Attributes
that no schema defines are refused (400 invalidSyntax).
"""

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    Required,
    ResourceType,
    Schema,
    SchemaExtension,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    User,
)

ScimUser = User[EnterpriseUser]
ENTERPRISE = str(EnterpriseUser.__schema__)
MAX_RESULTS = 200  # per page of a list; also what the configuration announces

# What Entra ID sends, accepted (the scim2-models policy names Entra for both): a
# "remove" whose value says which members to remove, and a path filter such as
# emails[type eq "work"].value that matches no entry yet (it creates the entry).
POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

# Attribute -> the sub-attributes we keep (None: a simple attribute).
KEPT_USER = {
    "userName": None,
    "name": {"givenName", "familyName"},
    "displayName": None,
    "active": None,
    "emails": {"value", "type", "primary"},
    "groups": {"value", "$ref", "display"},
}
# The manager's and the members' display names are left out: they are ours to say (the
# person's name), so a client comparing what it wrote with what it reads would differ.
KEPT_ENTERPRISE = {"department": None, "manager": {"value", "$ref"}}
KEPT_GROUP = {"displayName": None, "members": {"value", "$ref"}}


def _kept(schema: Schema, kept: dict[str, set[str] | None]) -> Schema:
    attributes = []
    for attribute in schema.attributes or []:
        if attribute.name not in kept:
            continue
        sub = kept[attribute.name]
        if sub is not None and attribute.sub_attributes:
            attribute = attribute.model_copy(
                update={"sub_attributes": [a for a in attribute.sub_attributes if a.name in sub]}
            )
        attributes.append(attribute)
    return schema.model_copy(update={"attributes": attributes})


def published_schemas() -> list[Schema]:
    user = _kept(User.to_schema(), KEPT_USER)
    # A person needs an e-mail address: announced as required, so a client that does not
    # use an e-mail as userName knows to send one (a userName that is one is enough).
    # And a person is always active or not: a body without "active" creates an active one,
    # and "active" cannot be removed, only set.
    user.attributes = [
        a.model_copy(update={"required": Required.true}) if a.name == "active" else a
        for a in user.attributes
    ]
    user.attributes = [
        a.model_copy(
            update={
                "required": Required.true,
                "sub_attributes": [
                    sub.model_copy(update={"required": Required.true})
                    if sub.name == "value"
                    else sub
                    for sub in a.sub_attributes or []
                ],
            }
        )
        if a.name == "emails"
        else a
        for a in user.attributes
    ]
    return [
        user,
        _kept(EnterpriseUser.to_schema(), KEPT_ENTERPRISE),
        _kept(Group.to_schema(), KEPT_GROUP),
    ]


def resource_types() -> list[ResourceType]:
    return [
        ResourceType(
            id="User",
            name="User",
            description="A person of the organisation",
            endpoint="/Users",
            schema_=str(User.__schema__),
            schema_extensions=[SchemaExtension(schema_=ENTERPRISE, required=False)],
        ),
        ResourceType(
            id="Group",
            name="Group",
            description="A department of the organisation",
            endpoint="/Groups",
            schema_=str(Group.__schema__),
        ),
    ]


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A SCIM token made on the organisation's SCIM page",
                primary=True,
            )
        ],
    )
