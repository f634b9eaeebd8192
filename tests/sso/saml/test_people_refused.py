"""A valid assertion still does not sign in an address outside the organisation's domains,
or a deactivated person."""

from django.contrib.auth.models import User

from budbringer.accounts.models import Person
from tests.conftest import make_person
from tests.sso.saml.conftest import post, signed_in_as, start


def sign_in(client, idp, email):
    request = start(client)
    xml = idp.response(
        email, in_response_to=request.id, destination=request.acs, audience=request.audience,
        attributes={},
    )  # fmt: skip
    return post(client, xml)


def test_an_address_outside_the_domains_is_refused(client, connection, idp):
    response = sign_in(client, idp, "nora@elsewhere.example")
    assert response.status_code == 403
    assert "not an address of this organisation" in response.content.decode()
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="nora@elsewhere.example").exists()


def test_a_deactivated_person_is_refused(client, cast, connection, idp):
    person = make_person(cast.nordlys, "nora")
    person.user.email = "nora@nordlys.no"
    person.user.username = "nora@nordlys.no"
    person.user.is_active = False
    person.user.save()
    response = sign_in(client, idp, "nora@nordlys.no")
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()
    assert signed_in_as(client) is None
    assert not Person.objects.get(pk=person.pk).user.is_active
