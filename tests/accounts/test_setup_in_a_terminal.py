"""`budbringer setup` in a terminal: it asks, shows defaults, asks again after a bad
answer, reads the password without echo, and creates the organisation and its admin."""

import os
import shutil
import sqlite3

import pytest

from tests.digests.test_kill import ROOT, python
from tests.terminal import Terminal

STRONG = "fjord-lights-over-tromso-42"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """An empty, migrated database file (migrating once for the module)."""
    path = tmp_path_factory.mktemp("setup") / "empty.sqlite3"
    python("-m", "budbringer", "migrate", "-v", "0", env=environment(path))
    return path


def environment(path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BUDBRINGER_ADMIN_PASSWORD", "DATABASE_URL")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "budbringer.settings",
        "DATABASE_URL": f"sqlite:///{path}",
        "BUDBRINGER_DATA_DIR": str(path.parent),
        "BUDBRINGER_BASE_URL": "https://budbringer.fjell.example",
        "SECRET_KEY": "setup-test",
        "PYTHONPATH": str(ROOT),
        "TERM": "dumb",
    }


@pytest.fixture
def database(migrated, tmp_path):
    path = tmp_path / "budbringer.sqlite3"
    shutil.copy(migrated, path)
    return path


def rows(path, sql):
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def test_asks_everything_with_defaults_and_again_after_bad_answers(database):
    terminal = Terminal(["-m", "budbringer", "setup"], env=environment(database), cwd=str(ROOT))
    terminal.expect("Organisation name: ")
    terminal.type("")  # no default: asked again
    terminal.expect("Give the organisation a name.")
    terminal.expect("Organisation name: ")
    terminal.type("Fjell Energi AS")
    terminal.expect("Slug (its short name in addresses) [fjell-energi-as]: ")
    terminal.type("Fjell Energi")
    terminal.expect("is not a slug")
    terminal.expect("[fjell-energi-as]: ")
    terminal.type("")  # the default
    terminal.expect("Your e-mail address: ")
    terminal.type("olga-at-fjell")
    terminal.expect("olga-at-fjell is not an e-mail address.")
    terminal.expect("Your e-mail address: ")
    terminal.type("Olga@Fjell.NO")
    terminal.expect("Your name [olga]: ")
    terminal.type("Olga Nordmann")
    terminal.expect("Password: ")
    terminal.type(STRONG)
    terminal.expect("Password (again): ")
    terminal.type("something else")
    terminal.expect("The passwords differ.")
    terminal.expect("Password: ")
    terminal.type("short")
    terminal.expect("Password (again): ")
    terminal.type("short")
    terminal.expect("too short")
    terminal.expect("Password: ")
    terminal.type(STRONG)
    terminal.expect("Password (again): ")
    terminal.type(STRONG)
    terminal.expect("Content languages, comma-separated [en]: ")
    terminal.type("nb, klingon")
    terminal.expect("klingon is not a language we serve")
    terminal.expect("[en]: ")
    terminal.type("nb, en")
    terminal.expect("Time zone [Europe/Stockholm]: ")
    terminal.type("Oslo")
    terminal.expect("Oslo is not a time zone")
    terminal.expect("[Europe/Stockholm]: ")
    terminal.type("Europe/Oslo")
    terminal.expect("E-mail domains, comma-separated [fjell.no]: ")
    terminal.type("fjell.no, not a domain")
    terminal.expect("is not an e-mail domain")
    terminal.expect("[fjell.no]: ")
    terminal.type("fjell.no, Fjell-Energi.no")
    status, shown = terminal.wait()
    assert status == 0, shown
    assert "Fjell Energi AS (fjell-energi-as) is ready" in shown
    assert "https://budbringer.fjell.example/accounts/login/" in shown
    assert "https://budbringer.fjell.example/start/" in shown
    assert STRONG not in shown  # typed without echo

    assert rows(
        database,
        "SELECT name, slug, languages, time_zone, digest_cadence FROM accounts_organisation",
    ) == [("Fjell Energi AS", "fjell-energi-as", '["nb", "en"]', "Europe/Oslo", "weekly")]
    assert rows(database, "SELECT domain FROM accounts_emaildomain ORDER BY domain") == [
        ("fjell-energi.no",),
        ("fjell.no",),
    ]
    assert rows(
        database,
        "SELECT u.username, u.email, u.is_staff, p.name, p.role, p.time_zone, p.languages "
        "FROM accounts_person p JOIN auth_user u ON u.id = p.user_id",
    ) == [
        (
            "olga@fjell.no",
            "olga@fjell.no",
            1,
            "Olga Nordmann",
            "admin",
            "Europe/Oslo",
            '["nb", "en"]',
        )
    ]
    # The password is the one typed (checked by Django itself, in the process's settings).
    check = (
        "from django.contrib.auth.models import User;"
        f"print(User.objects.get(username='olga@fjell.no').check_password('{STRONG}'))"
    )
    assert (
        python("-m", "budbringer", "shell", "-c", check, env=environment(database)).split()[-1]
        == "True"
    )


def test_stopping_half_way_saves_nothing(database):
    terminal = Terminal(["-m", "budbringer", "setup"], env=environment(database), cwd=str(ROOT))
    terminal.expect("Organisation name: ")
    terminal.type("Fjell Energi AS")
    terminal.expect("[fjell-energi-as]: ")
    os.write(terminal.fd, b"\x04")  # Ctrl-D: the end of input
    status, shown = terminal.wait()
    assert status == 1
    assert "nothing was saved" in shown
    assert rows(database, "SELECT count(*) FROM accounts_organisation") == [(0,)]
    assert rows(database, "SELECT count(*) FROM auth_user") == [(0,)]


def test_flags_given_are_the_defaults_shown(database):
    env = {**environment(database), "BUDBRINGER_ADMIN_PASSWORD": STRONG}
    terminal = Terminal(
        ["-m", "budbringer", "setup", "--organisation", "Havn Logistics", "--email",
         "hanne@havn.example", "--time-zone", "Europe/Amsterdam"],
        env=env,
        cwd=str(ROOT),
    )  # fmt: skip
    for prompt in (
        "Organisation name [Havn Logistics]: ",
        "[havn-logistics]: ",
        "Your e-mail address [hanne@havn.example]: ",
        "Your name [hanne]: ",
        # The password came from the environment: not asked.
        "Content languages, comma-separated [en]: ",
        "Time zone [Europe/Amsterdam]: ",
        "E-mail domains, comma-separated [havn.example]: ",
    ):
        terminal.expect(prompt)
        terminal.type("")
    status, shown = terminal.wait()
    assert status == 0, shown
    assert rows(database, "SELECT slug, time_zone FROM accounts_organisation") == [
        ("havn-logistics", "Europe/Amsterdam")
    ]
