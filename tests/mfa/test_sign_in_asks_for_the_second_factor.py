"""After a right password, a person with a second factor is not signed in until they give
it: an authenticator code, or a recovery code once; wrong codes are counted and end the
attempt; the step expires; the admin's sign-in page asks too."""

import datetime as dt

import time_machine
from axes.models import AccessAttempt

from budbringer.mfa import recovery
from tests.conftest import PASSWORD
from tests.mfa.helpers import confirmed_app


def password(client, username="bob", path="/accounts/login/?next=/lists/"):
    return client.post(path, {"username": username, "password": PASSWORD})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def next_step_code(phone):
    # The code of the next 30-second step: the one of this step was used to confirm.
    return phone.at(dt.datetime.now() + dt.timedelta(seconds=30))


def test_without_a_factor_the_password_signs_in(cast, client):
    response = password(client)
    assert response.status_code == 302 and response["Location"] == "/lists/"
    assert signed_in(client)


def test_with_an_app_the_password_leads_to_the_code(cast, client):
    _, phone = confirmed_app(cast.bob.user)
    response = password(client)
    assert response["Location"] == "/accounts/login/verify/"
    assert not signed_in(client)
    assert client.get("/lists/").status_code == 302  # still signed out

    page = client.get("/accounts/login/verify/")
    assert page.status_code == 200 and b"Second step" in page.content
    response = client.post("/accounts/login/verify/", {"code": next_step_code(phone)})
    assert response["Location"] == "/lists/"
    assert signed_in(client)


def test_a_recovery_code_signs_in_once(cast, client):
    confirmed_app(cast.bob.user)
    code = recovery.regenerate(cast.bob.user)[0]
    password(client)
    assert client.post("/accounts/login/verify/", {"code": code})["Location"] == "/lists/"
    client.logout()
    password(client)
    response = client.post("/accounts/login/verify/", {"code": code})
    assert response.status_code == 400 and not signed_in(client)


def test_wrong_codes_count_and_five_end_the_attempt(cast, client):
    _, phone = confirmed_app(cast.bob.user)
    password(client)
    for _ in range(4):
        response = client.post("/accounts/login/verify/", {"code": "12345"})
        assert response.status_code == 400
    assert AccessAttempt.objects.get(username="bob").failures_since_start == 4
    response = client.post("/accounts/login/verify/", {"code": "12345"})
    # The fifth wrong one: axes locks the account (its limit is 5), the attempt is over.
    assert response.status_code in (302, 429)
    response = client.post("/accounts/login/verify/", {"code": next_step_code(phone)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not signed_in(client)


def test_the_second_step_expires_after_five_minutes(cast, client):
    _, phone = confirmed_app(cast.bob.user)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        password(client)
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        response = client.post("/accounts/login/verify/", {"code": phone.now()})
    assert response["Location"] == "/accounts/login/"
    assert not signed_in(client)


def test_the_verify_page_without_a_password_first_is_the_sign_in(cast, client):
    assert client.get("/accounts/login/verify/")["Location"] == "/accounts/login/"
    assert client.post("/accounts/login/verify/passkey/options/").status_code == 403


def test_the_admin_sign_in_asks_too(cast, client):
    _, phone = confirmed_app(cast.erik.user)
    response = password(client, "erik", "/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/verify/"
    assert not signed_in(client)
    response = client.post("/accounts/login/verify/", {"code": next_step_code(phone)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
