import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from budbringer.accounts.models import Organisation, Person, Role

STRONG = "fjord-lights-over-tromsø-42"


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("BUDBRINGER_ADMIN_PASSWORD", STRONG)


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Person.objects.count(), Organisation.objects.count()


def test_creates_organisation_and_admin(db, password, capsys, client):
    call_command("createadmin", "olga", "--organisation", "Fjell Energi AS", "--name", "Olga N")
    person = Person.objects.select_related("user", "organisation").get(user__username="olga")
    assert person.name == "Olga N"
    assert person.role == Role.ADMIN
    assert person.languages == ["en"]
    assert (person.organisation.name, person.organisation.slug) == (
        "Fjell Energi AS", "fjell-energi-as",
    )  # fmt: skip
    assert person.user.is_staff
    assert not person.user.is_superuser
    assert person.user.check_password(STRONG)
    assert "olga is an admin of Fjell Energi AS (new organisation)" in capsys.readouterr().out
    # The password works for signing in, and the admin reaches the Django admin.
    response = client.post("/accounts/login/", {"username": "olga", "password": STRONG})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_joins_an_existing_organisation(cast, password, capsys):
    before = Organisation.objects.count()
    call_command("createadmin", "nils", "--organisation", "Nordlys")
    assert Person.objects.get(user__username="nils").organisation == cast.nordlys
    assert Organisation.objects.count() == before
    assert "(new organisation)" not in capsys.readouterr().out


def test_superuser_flag_makes_an_operator(db, password):
    call_command("createadmin", "root", "--organisation", "Ops", "--superuser")
    assert User.objects.get(username="root").is_superuser


def test_taken_username_is_refused_and_nothing_saved(cast, password):
    before = counts()
    with pytest.raises(CommandError, match="taken"):
        call_command("createadmin", "alice", "--organisation", "Somewhere New")
    assert counts() == before


@pytest.mark.parametrize("weak", ["short", "password123", "12345678901", "olga"])
def test_weak_password_is_refused_and_nothing_saved(db, monkeypatch, weak):
    monkeypatch.setenv("BUDBRINGER_ADMIN_PASSWORD", weak)
    before = counts()
    with pytest.raises(CommandError):
        call_command("createadmin", "olga", "--organisation", "Fjell Energi AS")
    assert counts() == before


def test_without_password_and_terminal_it_stops(db, monkeypatch):
    monkeypatch.delenv("BUDBRINGER_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="BUDBRINGER_ADMIN_PASSWORD"):
        call_command("createadmin", "olga", "--organisation", "Fjell Energi AS")
    assert counts() == (0, 0, 0)
