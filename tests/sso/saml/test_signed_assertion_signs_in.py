"""A signed assertion from the organisation's IdP, in answer to our request, signs the
person in: provisioned just in time with department and role from the groups."""

from budbringer.accounts.models import Person
from budbringer.sso.models import SeenAssertion
from tests.sso.saml.conftest import post, signed_in_as, start

ATTRIBUTES = {
    "fullName": ["Nora Berg"],
    "department": ["Communications"],
    "groups": ["comms", "everyone"],
}


def test_a_new_person_is_signed_in_and_provisioned(client, connection, idp):
    request = start(client)
    assert request.acs == "http://127.0.0.1:8000/sso/saml/nordlys/acs/"
    assert request.audience == "http://127.0.0.1:8000/sso/saml/nordlys/metadata/"
    xml = idp.response(
        "Nora@Nordlys.no",
        in_response_to=request.id,
        destination=request.acs,
        audience=request.audience,
        attributes=ATTRIBUTES,
    )
    response = post(client, xml)

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "nora@nordlys.no"
    person = Person.objects.select_related("department", "user").get(
        user__username="nora@nordlys.no"
    )
    assert person.organisation == connection.organisation
    assert person.name == "Nora Berg"
    assert person.department.name == "Communications"
    assert person.role == "editor"
    assert person.user.last_login is not None
    assert SeenAssertion.objects.filter(connection=connection).count() == 1


def test_a_response_signed_as_a_whole_as_well_is_accepted(client, connection, idp):
    request = start(client)
    xml = idp.response(
        "nora@nordlys.no",
        in_response_to=request.id,
        destination=request.acs,
        audience=request.audience,
        attributes=ATTRIBUTES,
        sign_response=True,
    )
    assert post(client, xml).status_code == 302
    assert signed_in_as(client) == "nora@nordlys.no"


def sign_in(client, idp, email="nora@nordlys.no", attributes=ATTRIBUTES, start_at=""):
    request = start(client, query=start_at)
    xml = idp.response(
        email,
        in_response_to=request.id,
        destination=request.acs,
        audience=request.audience,
        attributes=attributes,
    )
    return post(client, xml)


def test_an_answer_without_the_name_keeps_the_name_we_have(client, connection, idp):
    sign_in(client, idp)
    client.logout()
    assert sign_in(client, idp, attributes={"groups": ["comms"]}).status_code == 302

    assert Person.objects.get(user__username="nora@nordlys.no").name == "Nora Berg"


def test_a_new_person_without_a_name_is_named_after_their_address(client, connection, idp):
    assert sign_in(client, idp, "ivar@nordlys.no", attributes={}).status_code == 302

    assert Person.objects.get(user__username="ivar@nordlys.no").name == "ivar"


def test_the_person_comes_back_to_the_page_they_asked_for(client, connection, idp):
    response = sign_in(client, idp, start_at="?next=/people/%3Fstatus%3Dinvited")
    assert response["Location"] == "/people/?status=invited"
    client.logout()
    # Another site is never a place to come back to.
    response = sign_in(client, idp, start_at="?next=https://evil.example/")
    assert response["Location"] == "/"
