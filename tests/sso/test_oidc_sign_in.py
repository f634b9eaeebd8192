"""Signing in through a real OpenID provider (oidc-provider on 127.0.0.1): the whole code
flow with PKCE, just-in-time provisioning, group and department mapping, and the
refusals of a replayed state or code and of an address outside the domains."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from django.conf import settings

from budbringer.accounts.models import Person
from budbringer.accounts.roles import Role
from tests.sso.conftest import connect

CALLBACK = "/sso/oidc/callback/"


def sign_in_at_provider(auth_url: str, login: str) -> str:
    """Through the provider's own login page; the callback URL it sends the browser to."""
    with httpx.Client(follow_redirects=False, trust_env=False) as http:
        answer = http.get(auth_url)
        url = urljoin(auth_url, answer.headers["location"])
        page = http.get(url)
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
        fields = {"prompt": "login", "login": login, "password": "any"}
        answer = http.post(urljoin(url, action), data=fields)
        for _hop in range(5):
            url = urljoin(url, answer.headers["location"])
            if url.startswith(settings.BASE_URL + CALLBACK):
                return url
            answer = http.get(url)
    raise AssertionError("the provider never sent us back")


def start(client, address="nina@nordlys.example"):
    """Our sign-in page, step one, to the provider's authorization URL."""
    answer = client.post("/accounts/login/", {"username": address})
    assert answer.status_code == 200
    start_url = re.search(r'id="continue" href="([^"]+)"', answer.content.decode()).group(1)
    answer = client.get(start_url.replace("&amp;", "&"))
    assert answer.status_code == 302
    return answer["Location"]


def callback(client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path, parse_qs(parts.query))


@pytest.fixture
def nordlys_connected(cast, oidc_provider, local_provider_allowed):
    oidc_provider.add_account(
        "nina@nordlys.example",
        email="nina@nordlys.example",
        email_verified=True,
        name="Nina Berg",
        groups=["bb-editors", "everyone"],
        department="Marketing",
    )
    return connect(cast.nordlys, oidc_provider.issuer)


def test_a_new_person_is_provisioned_with_role_and_department(client, nordlys_connected):
    auth_url = start(client)
    query = parse_qs(urlsplit(auth_url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"]

    answer = callback(client, sign_in_at_provider(auth_url, "nina@nordlys.example"))

    assert answer.status_code == 302, answer.content
    assert answer["Location"] == "/for-you/"
    nina = Person.objects.get(user__username="nina@nordlys.example")
    assert (nina.organisation, nina.role) == (nordlys_connected.organisation, Role.EDITOR)
    assert nina.department.name == "Marketing"
    assert nina.name == "Nina Berg"
    assert nina.user.last_login is not None  # signed in: no longer "invited"
    assert client.get("/for-you/").status_code == 200


def test_a_replayed_state_is_refused(client, nordlys_connected):
    url = sign_in_at_provider(start(client), "nina@nordlys.example")
    assert callback(client, url).status_code == 302
    client.logout()

    again = callback(client, url)

    assert again.status_code == 403
    assert b"expired or was already used" in again.content


def test_a_replayed_code_is_refused_by_the_provider(client, nordlys_connected):
    first = sign_in_at_provider(start(client), "nina@nordlys.example")
    assert callback(client, first).status_code == 302
    client.logout()
    # A new sign-in of this browser (a state we issued), with the old code.
    new_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    code = parse_qs(urlsplit(first).query)["code"][0]

    answer = client.get(CALLBACK, {"state": new_state, "code": code})

    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_address_outside_the_domains_is_refused(client, nordlys_connected, oidc_provider):
    oidc_provider.add_account(
        "mallory", email="mallory@elsewhere.example", email_verified=True, name="M"
    )
    answer = callback(client, sign_in_at_provider(start(client), "mallory"))

    assert answer.status_code == 403
    assert b"is not an address of this organisation" in answer.content
    assert not Person.objects.filter(user__username="mallory@elsewhere.example").exists()


def test_an_unverified_address_is_refused(client, nordlys_connected, oidc_provider):
    oidc_provider.add_account(
        "unverified", email="uma@nordlys.example", email_verified=False, name="Uma"
    )
    answer = callback(client, sign_in_at_provider(start(client), "unverified"))

    assert answer.status_code == 403
    assert not Person.objects.filter(user__username="uma@nordlys.example").exists()


def test_login_with_the_organisation_slug_goes_to_its_provider(client, nordlys_connected):
    answer = client.get("/login/nordlys")
    assert answer["Location"] == "/sso/oidc/start/nordlys/"
    answer = client.get(answer["Location"])
    assert answer["Location"].startswith(nordlys_connected.issuer + "/auth?")


def test_login_with_the_slug_of_an_organisation_without_sso_says_so(client, cast):
    answer = client.get("/login/havn")
    assert answer.status_code == 404
    text = " ".join(answer.content.decode().split())
    assert "There is no single sign-on at this address." in text
    assert 'href="/accounts/login/"' in text
    assert "Havn" not in text
    # A slug of no organisation gets the same page: it tells nobody which slugs exist.
    unknown = client.get("/login/no-such-organisation")
    assert unknown.status_code == 404
    assert unknown.content == answer.content


def test_an_address_without_sso_gets_the_password_step(client, nordlys_connected):
    answer = client.post("/accounts/login/", {"username": "bob@example.com"})
    assert answer.status_code == 200
    assert b'name="password"' in answer.content
