"""Everyone signed in changes their own password from Settings; the current password is
needed, and wrong ones count toward the sign-in lock; other sessions are signed out."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import PASSWORD

NEW = "a new fjord in the morning"


def change(client, old=PASSWORD, new=NEW, again=None):
    return client.post(
        "/settings/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def password_is(person, password) -> bool:
    return User.objects.get(pk=person.user.pk).check_password(password)


@pytest.mark.parametrize("who", ["alice", "erik", "lena", "bob", "sara"])
def test_every_role_changes_its_password_from_settings(cast, login, who):
    person = getattr(cast, who)
    client = login(person)
    settings_page = client.get("/settings/")
    assert b'href="/settings/password/"' in settings_page.content
    assert client.get("/settings/password/").status_code == 200

    response = change(client)
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert password_is(person, NEW)
    page = client.get("/settings/")  # still signed in here
    assert page.status_code == 200
    assert b"Your password is changed" in page.content


def test_other_sessions_are_signed_out(cast, login):
    elsewhere = Client()
    elsewhere.force_login(cast.bob.user)
    assert elsewhere.get("/for-you/").status_code == 200
    change(login(cast.bob))
    assert elsewhere.get("/for-you/")["Location"].startswith("/accounts/login/")


def test_signing_in_afterwards_takes_the_new_password(cast, login):
    change(login(cast.bob))
    fresh = Client()
    assert (
        fresh.post("/accounts/login/", {"username": "bob", "password": PASSWORD}).status_code == 200
    )
    assert fresh.post("/accounts/login/", {"username": "bob", "password": NEW}).status_code == 302


@pytest.mark.parametrize(
    ("old", "new", "again", "field"),
    [
        ("not my password", NEW, NEW, "old_password"),
        (PASSWORD, NEW, "something else entirely", "new_password2"),
        (PASSWORD, "password", "password", "new_password2"),  # too common, too short
        (PASSWORD, "bob", "bob", "new_password2"),
    ],
    ids=["wrong current", "not repeated", "common", "like the username"],
)
def test_bad_input_gives_a_form_error_and_changes_nothing(cast, login, old, new, again, field):
    response = change(login(cast.bob), old, new, again)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b"errorlist" in response.content
    assert password_is(cast.bob, PASSWORD)


def test_wrong_current_passwords_count_toward_the_sign_in_lock(cast, login):
    client = login(cast.bob)
    for n in range(4):
        assert change(client, old=f"guess {n}").status_code == 200
    locked = change(client, old="guess 4")
    assert locked.status_code == 429
    assert b"Too many wrong passwords" in locked.content
    assert change(client).status_code == 429  # the right one too, while locked
    assert password_is(cast.bob, PASSWORD)
    assert (
        Client().post("/accounts/login/", {"username": "bob", "password": PASSWORD}).status_code
        == 429
    )


def test_signed_out_people_are_sent_to_sign_in(db, client):
    response = client.get("/settings/password/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/password/"


def test_an_operator_without_a_person_changes_its_password_too(db, client):
    operator = User.objects.create_superuser("olga", "olga@example.com", PASSWORD)
    client.force_login(operator)
    response = change(client)
    assert response["Location"] == "/admin/"
    assert User.objects.get(pk=operator.pk).check_password(NEW)


def test_the_admins_password_change_is_ours(cast, login):
    """The admin's own form would not count wrong current passwords."""
    response = login(cast.erik).get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/password/"
