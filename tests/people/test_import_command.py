"""`budbringer people import FILE --organisation SLUG [--dry-run] [--invite]`."""

import pytest
from django.core.management import CommandError, call_command

from budbringer.accounts.models import Person

FILE = (
    "email,name,department,role,language,time_zone\n"
    "anna@nordlys.example,Anna Aas,Support,employee,en,Europe/Oslo\n"
)


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(FILE)
    return path


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("people", "import", *map(str, args), stdout=out)
    return out.getvalue()


def test_the_dry_run_prints_every_row_and_saves_nothing(cast, path):
    output = run(path, "--organisation", "nordlys", "--dry-run")
    assert "row     2  new        anna@nordlys.example  name: - → Anna Aas" in output
    assert "1 new, 0 changed, 0 unchanged, 0 with errors. Dry run: nothing was saved." in output
    assert not Person.objects.filter(user__email="anna@nordlys.example").exists()


def test_the_import_saves_and_a_second_run_changes_nothing(cast, path):
    assert "Imported." in run(path, "--organisation", "nordlys")
    assert Person.objects.get(user__email="anna@nordlys.example").organisation == cast.nordlys
    assert "0 new, 0 changed, 1 unchanged" in run(path, "--organisation", "nordlys")


def test_bad_rows_exit_non_zero_with_the_errors(cast, path):
    path.write_text(FILE + "bad,B,,boss,en,Europe/Oslo\n")
    with pytest.raises(CommandError, match=r"(?s)Nothing was imported.*row     3  error      bad"):
        run(path, "--organisation", "nordlys")
    assert not Person.objects.filter(user__email="anna@nordlys.example").exists()


def test_a_bad_file_or_organisation_is_an_error(cast, path, tmp_path):
    with pytest.raises(CommandError, match="no organisation 'nowhere'"):
        run(path, "--organisation", "nowhere")
    (tmp_path / "x.csv").write_bytes(b"\xff\xfe e\x00")
    with pytest.raises(CommandError, match="UTF-16"):
        run(tmp_path / "x.csv", "--organisation", "nordlys")


def test_invite_invites_the_new_people_and_only_them(cast, path):
    output = run(path, "--organisation", "nordlys", "--invite")
    new = Person.objects.filter(organisation=cast.nordlys, invitation__isnull=False)
    assert new.count() >= 1
    assert f"{new.count()} invitations queued" in output
    assert not Person.objects.filter(pk=cast.alice.pk, invitation__isnull=False).exists()


def test_a_dry_run_invites_nobody(cast, path):
    run(path, "--organisation", "nordlys", "--dry-run", "--invite")
    assert not Person.objects.filter(invitation__isnull=False).exists()
