"""A SCIM client on the Django test client: Nordlys's token, and Havn's for the outsider."""

import json

import pytest

from budbringer.scim.tokens import issue_token

SCIM = "application/scim+json"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    def __init__(self, client, secret):
        self.client = client
        self.secret = secret

    def __call__(self, method, path, body=None, *, secret=None, raw=None, **params):
        headers = {}
        token = self.secret if secret is None else secret
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        url = "/scim/v2/" + path
        if params:
            from urllib.parse import urlencode

            url += "?" + urlencode(params)
        kwargs = {"content_type": SCIM, "headers": headers}
        if data is not None:
            kwargs["data"] = data
        response = getattr(self.client, method.lower())(url, **kwargs)
        response.body = json.loads(response.content) if response.content else None
        return response


@pytest.fixture
def scim(client, cast):
    _token, secret = issue_token(cast.nordlys, "Entra ID", cast.alice)
    return Scim(client, secret)


@pytest.fixture
def havn_scim(client, cast):
    _token, secret = issue_token(cast.havn, "Okta", cast.charlie)
    return Scim(client, secret)


def assert_error(response, status, scim_type=None):
    assert response.status_code == status, response.body
    assert response["Content-Type"].startswith(SCIM)
    assert response.body["schemas"] == [ERROR]
    assert response.body["status"] == str(status)
    if scim_type:
        assert response.body.get("scimType") == scim_type, response.body
