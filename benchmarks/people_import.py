"""The people import with 10,000 generated rows (50 departments, a manager for every ten
people, half of the managers further down the file): the dry run, the import and the
re-import of the same file, timed, on SQLite (and PostgreSQL with --database-url).

Run from the repository root:

    .venv/bin/python benchmarks/people_import.py
    .venv/bin/python benchmarks/people_import.py --database-url postgres://postgres@127.0.0.1:5432/bench_import

Each database starts empty (migrated afresh). The baselines, measured in the same run:
reading the CSV alone (``people.importing.read_rows``), and a plain ``bulk_create`` of the
same logins and people (no checks, no departments, no managers) in a throwaway organisation.
Results are in docs/benchmarks.md.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["employee"] * 6 + ["sales", "editor", "leader", "admin"]
ZONES = ["Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Amsterdam"]
LANGUAGES = ["en", "en sv", "nb|en", "da", "nl en"]


def generated_csv(rows: int) -> bytes:
    lines = ["email;name;department;role;language;time_zone;manager_email"]
    for n in range(rows):
        group = n // 10
        # The manager of ten is the last of them in even groups (further down the file),
        # the first in odd ones.
        lead = group * 10 + (9 if group % 2 == 0 else 0)
        manager = f"person{lead:05d}@bench.example" if n != lead and lead < rows else ""
        lines.append(
            f"person{n:05d}@bench.example;Person {n:05d};Department {n % 50:02d};"
            f"{ROLES[n % len(ROLES)]};{LANGUAGES[n % len(LANGUAGES)]};{ZONES[n % len(ZONES)]};"
            f"{manager}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def run(database_url: str, rows: int) -> list[tuple[str, float]]:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "budbringer.settings"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
    os.environ["BUDBRINGER_PEOPLE_IMPORT_MAX_ROWS"] = str(rows)
    os.environ["BUDBRINGER_PEOPLE_IMPORT_MAX_BYTES"] = str(200 * rows + 1024)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction

    from budbringer.accounts.models import Organisation, Person
    from budbringer.people.importing import import_people, preview_import, read_rows

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    data = generated_csv(rows)
    organisation = Organisation.objects.create(name="Benchmark AB", slug="bench")
    results = []
    _columns_rows, seconds = timed(lambda: read_rows(data))
    results.append(("baseline: reading the CSV alone", seconds))

    def plain_bulk_create():
        with transaction.atomic():
            other = Organisation.objects.create(name="Baseline", slug="baseline")
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"b{n}@x.example",
                        email=f"b{n}@x.example",
                        password=make_password(None),
                    )
                    for n in range(rows)
                ],
                batch_size=500,
            )
            Person.objects.bulk_create(
                [
                    Person(user=user, organisation=other, name=f"B {n}", languages=["en"])
                    for n, user in enumerate(users)
                ],
                batch_size=500,
            )
            transaction.set_rollback(True)

    _none, seconds = timed(plain_bulk_create)
    results.append(("baseline: plain bulk_create of the logins and people", seconds))
    report, seconds = timed(lambda: preview_import(organisation, data))
    assert report.counts["new"] == rows, report.counts
    results.append(("dry run", seconds))
    report, seconds = timed(lambda: import_people(organisation, data))
    assert report.saved and report.counts["new"] == rows, report.counts
    results.append(("import", seconds))
    report, seconds = timed(lambda: import_people(organisation, data))
    assert report.counts["unchanged"] == rows and not report.saved, report.counts
    results.append(("re-import (all unchanged)", seconds))
    assert (
        Person.objects.filter(organisation=organisation, manager__isnull=False).count()
        == rows - rows // 10
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="also on this (PostgreSQL) database; it is emptied")
    parser.add_argument("--only", help=argparse.SUPPRESS)  # one database per process
    args = parser.parse_args()
    if args.only:
        for name, seconds in run(args.only, args.rows):
            print(f"{name}\t{seconds:.2f}")
        return
    import subprocess

    folder = tempfile.mkdtemp(prefix="bench-import-")
    databases = {"SQLite": f"sqlite:///{folder}/bench.sqlite3"}
    if args.database_url:
        databases["PostgreSQL"] = args.database_url
    print(f"{args.rows:,} rows\n")
    print("| database | step | seconds | x baseline (bulk_create) |")
    print("| --- | --- | ---: | ---: |")
    for label, url in databases.items():
        output = subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--only", url],
            check=True, capture_output=True, text=True,
            env={**os.environ, "BUDBRINGER_DATA_DIR": folder},
        ).stdout  # fmt: skip
        steps = [line.split("\t") for line in output.strip().splitlines()]
        baseline = float(steps[1][1])
        for name, seconds in steps:
            print(f"| {label} | {name} | {float(seconds):.2f} | {float(seconds) / baseline:.1f} |")


if __name__ == "__main__":
    main()
