"""`budbringer setup --no-input`: flags and the environment; bad values refused, with
nothing saved."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from budbringer.accounts.models import EmailDomain, Organisation, Person, Role

STRONG = "fjord-lights-over-tromso-42"
FLAGS = ["--no-input", "--organisation", "Fjell Energi AS", "--email", "olga@fjell.no"]


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("BUDBRINGER_ADMIN_PASSWORD", STRONG)


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Person.objects.count(),
        Organisation.objects.count(),
        EmailDomain.objects.count(),
    )


def test_creates_the_organisation_and_its_admin(db, password, capsys, settings, client):
    settings.BASE_URL = "https://budbringer.fjell.example"
    call_command(
        "setup", *FLAGS, "--name", "Olga N", "--slug", "fjell", "--languages", "nb,en",
        "--time-zone", "Europe/Oslo", "--domain", "fjell.no", "--domain", "@Fjell-Energi.NO",
    )  # fmt: skip
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.slug) == ("Fjell Energi AS", "fjell")
    assert organisation.languages == ["nb", "en"]
    assert organisation.time_zone == "Europe/Oslo"
    assert organisation.digest_cadence == "weekly"
    assert sorted(organisation.email_domains.values_list("domain", flat=True)) == [
        "fjell-energi.no", "fjell.no",
    ]  # fmt: skip
    person = Person.objects.select_related("user").get()
    assert (person.name, person.role, person.time_zone) == ("Olga N", Role.ADMIN, "Europe/Oslo")
    assert person.user.username == person.user.email == "olga@fjell.no"
    assert person.user.is_staff and not person.user.is_superuser
    assert person.user.check_password(STRONG)
    shown = capsys.readouterr().out
    assert "https://budbringer.fjell.example/accounts/login/" in shown
    assert "https://budbringer.fjell.example/start/" in shown
    # The admin signs in with the e-mail address and lands on the checklist.
    response = client.post("/accounts/login/", {"username": "olga@fjell.no", "password": STRONG})
    assert response["Location"] == "/start/"


def test_defaults_slug_name_languages_and_time_zone(db, password):
    call_command("setup", *FLAGS)
    organisation = Organisation.objects.get()
    assert organisation.slug == "fjell-energi-as"
    assert (organisation.languages, organisation.time_zone) == (["en"], "Europe/Stockholm")
    assert not organisation.email_domains.exists()  # none unless given
    assert Person.objects.get().name == "olga"


def test_password_from_a_file(db, tmp_path, monkeypatch):
    monkeypatch.delenv("BUDBRINGER_ADMIN_PASSWORD", raising=False)
    secret = tmp_path / "password"
    secret.write_text(STRONG + "\n")
    call_command("setup", *FLAGS, "--password-file", str(secret))
    assert User.objects.get().check_password(STRONG)


def test_no_password_option_on_the_command_line(db, password):
    with pytest.raises(CommandError, match="unrecognized arguments"):
        call_command("setup", *FLAGS, "--password", STRONG)


def test_without_a_password_it_says_where_to_give_one(db, monkeypatch):
    monkeypatch.delenv("BUDBRINGER_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="BUDBRINGER_ADMIN_PASSWORD or give --password-file"):
        call_command("setup", *FLAGS)
    assert counts() == (0, 0, 0, 0)


def test_without_organisation_or_email_it_says_which(db, password):
    with pytest.raises(CommandError, match="Give --organisation and --email"):
        call_command("setup", "--no-input")


def test_a_taken_slug_is_refused_and_nothing_saved(cast, password):
    before = counts()
    with pytest.raises(CommandError, match=r"slug nordlys already\. Nothing was saved\."):
        call_command("setup", *FLAGS, "--slug", "nordlys")
    assert counts() == before


def test_a_domain_of_another_organisation_is_refused_without_naming_it(cast, password):
    EmailDomain.objects.create(organisation=cast.havn, domain="havn.example")
    before = counts()
    with pytest.raises(CommandError) as refused:
        call_command("setup", *FLAGS, "--domain", "fjell.no", "--domain", "HAVN.example")
    assert "havn.example belongs to another organisation" in str(refused.value)
    assert "Havn Logistics" not in str(refused.value)
    assert counts() == before


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--slug", "Fjell Energi"], "is not a slug"),
        (["--languages", "nb,klingon"], "klingon is not a language we serve"),
        (["--time-zone", "Oslo"], "Oslo is not a time zone"),
        (["--domain", "fjell"], "is not an e-mail domain"),
        (["--domain", "olga@fjell.no"], "is not an e-mail domain"),
        (["--name", "Olga\r\nN"], "line"),
        (["--email", "not-an-address"], "is not an e-mail address"),
        (["--email", "alice@example.com"], "already has a login"),  # the cast's alice
        (["--organisation", "Fjell\x00Energi"], "character"),
    ],
)
def test_bad_values_are_refused_and_nothing_saved(cast, password, flags, message):
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("setup", *FLAGS, *flags)
    assert counts() == before


@pytest.mark.parametrize("weak", ["short", "password123", "olga@fjell.no"])
def test_weak_passwords_are_refused_and_nothing_saved(db, monkeypatch, weak):
    monkeypatch.setenv("BUDBRINGER_ADMIN_PASSWORD", weak)
    with pytest.raises(CommandError):
        call_command("setup", *FLAGS)
    assert counts() == (0, 0, 0, 0)


def test_a_failure_after_the_organisation_was_made_saves_nothing(db, password, monkeypatch):
    """One transaction: when the admin cannot be made, the organisation goes too."""
    from budbringer.accounts import provisioning

    def refuse(*args, **kwargs):
        raise provisioning.ProvisioningError("Refused for the test.")

    monkeypatch.setattr("budbringer.accounts.management.commands.setup.provision_person", refuse)
    with pytest.raises(CommandError, match=r"Refused for the test\. Nothing was saved\."):
        call_command("setup", *FLAGS, "--domain", "fjell.no")
    assert counts() == (0, 0, 0, 0)
