"""Responses the ACS refuses, each with the refusal page, one log line and nobody signed
in: unsigned, signed by another key, wrong audience, wrong recipient, expired, without or
with another InResponseTo (unsolicited), and garbage."""

import datetime as dt
import logging
import re

import pytest
import time_machine

from budbringer.accounts.models import Person
from tests.sso.saml.conftest import post, signed_in_as, start
from tests.sso.saml.idp import TestIdP

EMAIL = "nora@nordlys.no"


def refused(client, response, caplog):
    assert response.status_code == 403
    assert "You could not be signed in" in response.content.decode()
    assert signed_in_as(client) is None
    assert not Person.objects.filter(user__username=EMAIL).exists()
    lines = [r.getMessage() for r in caplog.records if r.name == "budbringer.sso.saml.views"]
    assert len(lines) == 1 and lines[0].startswith("saml sign-in refused: org=nordlys")
    assert EMAIL not in lines[0]
    return lines[0]


@pytest.fixture
def request_(client, connection):
    return start(client)


def answer(idp, request, **changes):
    fields = {
        "in_response_to": request.id,
        "destination": request.acs,
        "audience": request.audience,
        "attributes": {},
    }
    return idp.response(EMAIL, **{**fields, **changes})


def test_an_unsigned_assertion_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_, sign_assertion=False)
    assert "Signature" not in xml
    refused(client, post(client, xml), caplog)


def test_an_unsigned_assertion_in_a_signed_response_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_, sign_assertion=False, sign_response=True)
    refused(client, post(client, xml), caplog)


def test_an_assertion_signed_by_another_key_is_refused(client, idp, request_, caplog, tmp_path):
    (tmp_path / "impostor").mkdir()
    impostor = TestIdP(base_url=idp.base_url, folder=tmp_path / "impostor")  # same entity id
    refused(client, post(client, answer(impostor, request_)), caplog)


def test_a_tampered_signed_assertion_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_).replace(EMAIL, "alice@nordlys.no")
    assert "alice@nordlys.no" in xml
    refused(client, post(client, xml), caplog)


def test_another_audience_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_, audience="https://other.example.com/sp")
    refused(client, post(client, xml), caplog)


def test_another_recipient_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_, destination="https://other.example.com/acs")
    refused(client, post(client, xml), caplog)


def test_an_expired_assertion_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_)  # valid for 5 minutes
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)):
        # the request cookie lasts 10 minutes, so only the assertion's time is wrong
        refused(client, post(client, xml), caplog)


def test_an_answer_to_another_request_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_, in_response_to="id-not-ours")
    refused(client, post(client, xml), caplog)


def test_an_unsolicited_response_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_, in_response_to=None)
    assert "InResponseTo" not in xml
    refused(client, post(client, xml), caplog)


def test_a_response_without_our_request_cookie_is_refused(client, idp, request_, caplog):
    xml = answer(idp, request_)
    client.cookies.pop("budbringer_saml_request")
    line = refused(client, post(client, xml), caplog)
    assert "no_outstanding_request" in line


@pytest.mark.parametrize("body", ["", "not base64 !!", "PGZvbz48L2Zvbz4=", "A" * 600_000])
def test_garbage_is_refused(client, request_, caplog, body):
    response = client.post("/sso/saml/nordlys/acs/", {"SAMLResponse": body})
    refused(client, response, caplog)


def test_refusals_are_logged_at_warning(client, idp, request_, caplog):
    caplog.set_level(logging.WARNING)
    line = refused(client, post(client, answer(idp, request_, sign_assertion=False)), caplog)
    assert re.search(r"reason=\w+", line)
