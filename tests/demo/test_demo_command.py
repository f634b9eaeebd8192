import io
import re

import pytest
from django.core.management import CommandError, call_command

from budbringer.accounts.models import Organisation, Person
from tests.conftest import make_person


def _run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def test_no_serve_loads_and_prints_the_logins(db):
    output = _run_demo()

    organisation = Organisation.objects.get(slug="nordlys")
    assert organisation.people.count() == 40
    table = {
        match[0]: (match[1], match[2])
        for match in re.findall(
            r"^  (\w+)\s+(Admin|Editor|Leader|Employee|Sales)\s+(.+)$", output, re.M
        )
    }
    assert table == {
        "admin": ("Admin", "Marketing"),
        "editor": ("Editor", "Marketing"),
        "leader": ("Leader", "Sales"),
        "anna": ("Employee", "Engineering"),
        "lars": ("Sales", "Sales"),
    }
    assert "and 35 more" in output
    assert "budbringer-demo" in output
    assert "http://127.0.0.1:8000/l/welcome" in output


def test_port_shows_in_the_printed_addresses(db):
    out = io.StringIO()
    call_command("demo", "--no-serve", "--port", "8765", stdout=out)
    assert "http://127.0.0.1:8765/l/welcome" in out.getvalue()


def test_every_demo_login_signs_in_with_the_printed_password(client, db):
    password = re.search(r"Password for every login: (\S+)", _run_demo())[1]

    def signs_in(username: str, password: str) -> bool:
        # Through the sign-in form: authentication needs a request (the sign-in throttle).
        response = client.post("/accounts/login/", {"username": username, "password": password})
        client.logout()
        return response.status_code == 302

    for username in ("admin", "editor", "leader", "anna", "lars", "silje"):
        assert signs_in(username, password), username
    assert not signs_in("anna", "wrong")


def test_signing_in_through_the_form_reaches_for_you(client, db):
    password = re.search(r"Password for every login: (\S+)", _run_demo())[1]

    response = client.post("/accounts/login/", {"username": "anna", "password": password})

    assert response["Location"] == "/for-you/"
    page = client.get("/for-you/")
    assert page.status_code == 200
    assert len(page.context["cards"]) > 0


def test_a_taken_login_name_is_a_clear_error(db):
    other = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    make_person(other, "admin")

    with pytest.raises(CommandError, match="admin"):
        _run_demo()

    assert not Organisation.objects.filter(slug="nordlys").exists()
    assert Person.objects.count() == 1
