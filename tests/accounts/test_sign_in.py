from django.contrib.auth import get_user_model

from tests.conftest import PASSWORD


def test_sign_in_page_asks_who_first_then_the_password(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' not in response.content
    response = client.post("/accounts/login/", {"username": "bob"})
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b'value="bob"' in response.content


def test_right_password_signs_in_and_goes_to_for_you(client, cast):
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/for-you/"
    assert client.get("/for-you/").status_code == 200


def test_wrong_password_gives_an_error_and_no_session(client, cast):
    response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b"errorlist" in response.content
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_within_the_site(client, cast):
    response = client.post(
        "/accounts/login/?next=/settings/", {"username": "bob", "password": PASSWORD}
    )
    assert response["Location"] == "/settings/"
    client.logout()
    response = client.post(
        "/accounts/login/?next=https://evil.example/", {"username": "bob", "password": PASSWORD}
    )
    assert response["Location"] == "/for-you/"


def test_signed_in_person_is_sent_on_from_the_sign_in_page(cast, login):
    response = login(cast.bob).get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/for-you/"


def test_sign_out_needs_post(cast, login):
    client = login(cast.bob)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/for-you/").status_code == 302


def test_an_address_in_any_case_signs_in(client, cast):
    """Invited, imported and SSO people have their address as user name; phones capitalise
    the first letter. A person with a user name of their own signs in with their address."""
    User = get_user_model()
    nora = User.objects.create_user("nora@nordlys.no", "nora@nordlys.no", PASSWORD)
    response = client.post(
        "/accounts/login/", {"username": " Nora@Nordlys.NO ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(nora.pk)
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": "BOB@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.bob.user.pk)


def test_wrong_passwords_in_any_case_count_against_the_one_account(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for typed in ("bob@example.com", "Bob@Example.com", "BOB@EXAMPLE.COM"):
        client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    # Locked: the right password is refused now, whichever way the address is typed.
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429
