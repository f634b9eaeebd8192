"""The CSV import engine (people/importing.py): every row's outcome, the errors it
catches, Excel's files, all or nothing, and a re-import that changes nothing."""

import pytest
from django.contrib.auth.models import User

from budbringer.accounts.models import Department, Person, PersonStatus
from budbringer.people.importing import ImportFileError, import_people, preview_import

HEADER = "email,name,department,role,language,time_zone,manager_email\n"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode()


def outcomes(report) -> list[tuple[int, str, str]]:
    return [(row.row, row.email, row.kind) for row in report.rows]


def error_of(report, row: int) -> str:
    return next(outcome.error for outcome in report.rows if outcome.row == row)


@pytest.fixture
def file():
    return csv(
        "anna@nordlys.example,Anna Aas,Support,employee,en sv,Europe/Oslo,mona@nordlys.example",
        "mona@nordlys.example,Mona Moe,Support,leader,nb|en,Europe/Oslo,",
        "bob@example.com,Bob B.,Engineering,editor,en,Europe/Stockholm,alice@example.com",
        "lena@example.com,Lena,Sales,leader,en sv,Europe/Stockholm,",
    )


def test_the_dry_run_says_what_each_row_would_do_and_saves_nothing(cast, file):
    people, departments = Person.objects.count(), Department.objects.count()
    report = preview_import(cast.nordlys, file)
    assert outcomes(report) == [
        (2, "anna@nordlys.example", "new"),
        (3, "mona@nordlys.example", "new"),
        (4, "bob@example.com", "changed"),
        (5, "lena@example.com", "unchanged"),
    ]
    assert report.counts == {"new": 2, "changed": 1, "unchanged": 1, "error": 0}
    bob = report.rows[2]
    assert bob.changes == {
        "name": ("Bob", "Bob B."),
        "role": ("employee", "editor"),
        "languages": ("en, sv", "en"),
        "manager": ("", "alice@example.com"),
    }
    assert report.rows[0].changes["manager"] == ("", "mona@nordlys.example")
    assert (Person.objects.count(), Department.objects.count()) == (people, departments)
    assert not report.saved


def test_the_import_creates_invited_people_departments_and_managers_later_in_the_file(cast, file):
    report = import_people(cast.nordlys, file)
    assert report.saved and report.counts["new"] == 2
    anna = Person.objects.select_related("manager__user", "department", "user").get(
        user__email="anna@nordlys.example"
    )
    assert anna.organisation == cast.nordlys
    assert anna.name == "Anna Aas" and anna.role == "employee" and anna.languages == ["en", "sv"]
    assert anna.time_zone == "Europe/Oslo" and anna.department.name == "Support"
    assert anna.manager.user.email == "mona@nordlys.example"  # a row below hers
    assert anna.status == PersonStatus.INVITED and not anna.user.has_usable_password()
    assert anna.user.username == "anna@nordlys.example"
    assert Department.objects.filter(organisation=cast.nordlys, name="Support").count() == 1
    cast.bob.refresh_from_db()
    assert cast.bob.name == "Bob B." and cast.bob.role == "editor" and cast.bob.languages == ["en"]
    assert cast.bob.manager == cast.alice
    assert report.rows[0].person == anna


def test_importing_the_same_file_again_changes_nothing_and_writes_nothing(
    cast, file, django_assert_max_num_queries
):
    import_people(cast.nordlys, file)
    with django_assert_max_num_queries(8) as queries:
        report = import_people(cast.nordlys, file)
    assert all(row.kind == "unchanged" for row in report.rows) and not report.saved
    assert [sql for sql in (q["sql"] for q in queries.captured_queries) if is_write(sql)] == []


def is_write(sql):
    """Reads are SELECTs, on PostgreSQL also server-side cursors over one (iterator())."""
    read = sql.startswith("SELECT") or (sql.startswith("DECLARE") and "CURSOR FOR SELECT" in sql)
    return not read and "SAVEPOINT" not in sql


def test_a_person_of_the_file_may_be_the_manager_of_rows_above_and_below(cast):
    report = import_people(
        cast.nordlys,
        csv(
            "a@n.example,A,,employee,en,Europe/Oslo,c@n.example",
            "c@n.example,C,,leader,en,Europe/Oslo,",
            "d@n.example,D,,employee,en,Europe/Oslo,c@n.example",
        ),
    )
    assert report.saved
    c = Person.objects.get(user__email="c@n.example")
    assert sorted(p.user.email for p in c.reports.all()) == ["a@n.example", "d@n.example"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not-an-address,X,,employee,en,Europe/Oslo,", "not-an-address is not an e-mail address."),
        ("x@n.example,X,,boss,en,Europe/Oslo,", "boss is not a role"),
        ("x@n.example,X,,employee,en xx,Europe/Oslo,", "xx is not a language we serve"),
        ("x@n.example,X,,employee,en,Mars/Olympus,", "Mars/Olympus is not a time zone"),
        ("x@n.example,X,,employee,en,Europe/Oslo,nobody@n.example",
         "The manager nobody@n.example is not a person of this organisation."),
        ("x@n.example,X,,employee,en,Europe/Oslo,X@N.example", "cannot be their own manager"),
        ("charlie@example.com,C,,employee,en,Europe/Oslo,",
         "charlie@example.com already has a login in another organisation."),
        ("x@n.example,X,,employee,en,Europe/Oslo,,surplus", "more cells than the header"),
        ("x@n.example," + "N" * 201 + ",,employee,en,Europe/Oslo,", "longer than 200"),
        ("x@n.example,X,manager@bad,employee,en,Europe/Oslo,bad address",
         "bad address is not an e-mail address."),
    ],
)  # fmt: skip
def test_a_bad_row_is_an_error_with_its_reason_and_nothing_is_saved(cast, line, reason):
    file = csv("ok@n.example,Ok,Support,employee,en,Europe/Oslo,", line)
    people, users = Person.objects.count(), User.objects.count()
    report = import_people(cast.nordlys, file)
    assert outcomes(report)[0] == (2, "ok@n.example", "new")
    assert report.rows[1].kind == "error" and report.rows[1].row == 3
    assert reason in error_of(report, 3)
    assert not report.saved
    assert (Person.objects.count(), User.objects.count()) == (people, users)
    assert not Department.objects.filter(name="Support").exists()


def test_an_address_twice_in_the_file_is_an_error_naming_the_first_row(cast):
    report = preview_import(
        cast.nordlys,
        csv(
            "x@n.example,X,,employee,en,Europe/Oslo,",
            "y@n.example,Y,,employee,en,Europe/Oslo,",
            "X@N.example ,X again,,employee,en,Europe/Oslo,",
        ),
    )
    assert [row.kind for row in report.rows] == ["new", "new", "error"]
    assert error_of(report, 4) == "x@n.example is also in row 2."


def test_excel_csv_utf8_with_bom_semicolons_quotes_and_crlf(cast):
    file = (
        "\ufeffE-mail;Name;Department;Role;Language;Time zone\r\n"
        'aase@nordlys.example;"Åse Ødegård; PhD";"Drift ""Nord""";employee;sv;Europe/Stockholm\r\n'
        "\r\n"
        'per@nordlys.example;Per;Drift "Nord";sales;;\r\n'
    ).encode("utf-8")
    report = import_people(cast.nordlys, file)
    assert outcomes(report) == [
        (2, "aase@nordlys.example", "new"),
        (4, "per@nordlys.example", "new"),
    ]
    åse = Person.objects.get(user__email="aase@nordlys.example")
    assert åse.name == "Åse Ødegård; PhD" and åse.department.name == 'Drift "Nord"'
    per = Person.objects.get(user__email="per@nordlys.example")
    assert per.department == åse.department and per.role == "sales"
    assert per.languages == ["en"] and per.time_zone == "Europe/Stockholm"  # the defaults


def test_empty_cells_keep_what_a_person_has_and_without_the_manager_column_managers_stay(cast):
    cast.bob.manager = cast.lena
    cast.bob.save()
    header = "email,name,department,role,language,time_zone\n"
    report = import_people(cast.nordlys, csv("BOB@example.com,,Engineering,,,", header=header))
    assert outcomes(report) == [(2, "bob@example.com", "unchanged")]
    cast.bob.refresh_from_db()
    assert cast.bob.manager == cast.lena and cast.bob.name == "Bob"


def test_an_empty_department_or_manager_cell_clears_it(cast):
    cast.bob.manager = cast.lena
    cast.bob.save()
    report = import_people(
        cast.nordlys, csv("bob@example.com,Bob,,employee,en sv,Europe/Stockholm,")
    )
    assert report.rows[0].changes == {
        "department": ("Engineering", ""),
        "manager": ("lena@example.com", ""),
    }
    cast.bob.refresh_from_db()
    assert cast.bob.department is None and cast.bob.manager is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook (.xlsx)"),
        ("email,name\n".encode("utf-16"), "UTF-16"),
        ("email,name,department,role,language,time_zone\nx@n.example,Bjørn,,,,\n".encode("latin-1"),
         "line 2 has a character in another encoding"),
        (b"email,name,role\nx@n.example,X,employee\n",
         "The columns department, language, time_zone are missing"),
        (b"x@n.example,X,,employee,en,Europe/Oslo\n", "The first line must name the columns"),
        (b"email,email,name,department,role,language,time_zone\n", "email appears more than once"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(cast, data, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        preview_import(cast.nordlys, data)


def test_the_file_size_and_the_number_of_rows_are_bounded(cast, settings):
    settings.PEOPLE_IMPORT_MAX_ROWS = 2
    three = csv(*(f"p{n}@n.example,P,,employee,en,Europe/Oslo," for n in range(3)))
    with pytest.raises(ImportFileError, match="more than 2 people"):
        preview_import(cast.nordlys, three)
    settings.PEOPLE_IMPORT_MAX_BYTES = 1024
    with pytest.raises(ImportFileError, match=r"larger than 0\.0 MB"):
        preview_import(cast.nordlys, b"x" * 1025)


def test_a_stale_preview_is_not_applied(cast, file):
    previewed = preview_import(cast.nordlys, file).fingerprint()
    cast.lena.name = "Lena Lie"
    cast.lena.save()
    report = import_people(cast.nordlys, file, previewed=previewed)
    assert report.stale and not report.saved
    assert not Person.objects.filter(user__email="anna@nordlys.example").exists()
    again = import_people(
        cast.nordlys, file, previewed=preview_import(cast.nordlys, file).fingerprint()
    )
    assert again.saved and not again.stale
