"""An assertion signs in once: posted again (even with a fresh request of the same
browser, so InResponseTo is not what stops it) it is refused; expired records are pruned."""

import datetime as dt

from django.utils import timezone

from budbringer.sso.models import SeenAssertion
from budbringer.sso.saml.tasks import prune_seen_assertions
from tests.sso.saml.conftest import post, signed_in_as, start


def test_the_same_assertion_twice_is_refused(client, connection, idp):
    request = start(client)
    xml = idp.response(
        "nora@nordlys.no",
        in_response_to=request.id,
        destination=request.acs,
        audience=request.audience,
        attributes={},
    )
    assert post(client, xml).status_code == 302
    client.logout()
    client.cookies["budbringer_saml_request"] = client.cookies.get("budbringer_saml_request", "")
    # The attacker replays into a browser whose pending request has the same id: only the
    # replay record can stop it. The cookie was deleted after the sign-in, so restore one.
    from django.core import signing

    from budbringer.sso.saml import views

    client.cookies[views.REQUEST_COOKIE] = signing.dumps(
        {"org": "nordlys", "id": request.id}, salt=views._SALT
    )
    response = post(client, xml)
    assert response.status_code == 403
    assert "already used" in response.content.decode()
    assert signed_in_as(client) is None
    record = SeenAssertion.objects.get()
    assert record.keep_until > timezone.now() + dt.timedelta(minutes=4)


def test_records_are_kept_until_the_assertion_expires(connection):
    now = timezone.now()
    SeenAssertion.objects.create(connection=connection, assertion_id="old", keep_until=now)
    SeenAssertion.objects.create(
        connection=connection, assertion_id="new", keep_until=now + dt.timedelta(minutes=5)
    )
    assert prune_seen_assertions.call() == 1
    assert list(SeenAssertion.objects.values_list("assertion_id", flat=True)) == ["new"]
