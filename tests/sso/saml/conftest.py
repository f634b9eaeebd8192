"""A Nordlys SAML connection to a real pysaml2 IdP, and helpers that walk the protocol
through Django's test client: start (our AuthnRequest), then POST a response to the ACS."""

import os
import re
import shutil
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from budbringer.accounts.models import EmailDomain
from budbringer.sso.saml.connections import save_connection
from budbringer.sso.saml.metadata import read_metadata
from budbringer.sso.saml.protocol import sp_metadata
from tests.sso.saml.idp import TestIdP, encode


@pytest.fixture(autouse=True)
def _xmlsec():
    if shutil.which("xmlsec1"):
        return
    if os.environ.get("BUDBRINGER_REQUIRE_XMLSEC") == "1":
        pytest.fail("xmlsec1 is not installed; BUDBRINGER_REQUIRE_XMLSEC=1 makes that a failure")
    pytest.skip("xmlsec1 is not installed (apt-get install xmlsec1)")


@pytest.fixture
def idp(tmp_path):
    return TestIdP(folder=tmp_path)


def connect(organisation, idp: TestIdP, **mapping):
    mapping = {
        "enabled": True,
        "email_attribute": "",
        "name_attribute": "fullName",
        "department_attribute": "department",
        "groups_attribute": "groups",
        "role_groups": {"comms": "editor", "sellers": "sales"},
        **mapping,
    }
    connection = save_connection(organisation, read_metadata(idp.metadata()), **mapping)
    idp.trust(sp_metadata(connection))
    return connection


@pytest.fixture
def connection(cast, idp):
    EmailDomain.objects.create(organisation=cast.nordlys, domain="nordlys.no")
    return connect(cast.nordlys, idp)


@dataclass
class Request:
    id: str
    acs: str
    audience: str


def start(client, slug="nordlys", query="") -> Request:
    """Our AuthnRequest as the IdP reads it (its id, where to answer, for whom)."""
    response = client.get(f"/sso/saml/{slug}/login/{query}")
    assert response.status_code == 302, response.status_code
    query = parse_qs(urlsplit(response["Location"]).query)
    return Request(*TestIdP.request_id_of(query["SAMLRequest"][0]))


def post(client, xml: str, slug="nordlys"):
    return client.post(f"/sso/saml/{slug}/acs/", {"SAMLResponse": encode(xml)})


def signed_in_as(client):
    from django.contrib.auth import get_user

    user = get_user(client)
    return user.username if user.is_authenticated else None


def assertion_of(xml: str) -> str:
    return re.search(r"<(\w+):Assertion .*?</\1:Assertion>", xml, re.S).group(0)
