"""The people page at 10,000 people: how long its queries take on SQLite.

    .venv/bin/python benchmarks/people_list.py [--people 10000] [--runs 20]

Seeds a throwaway SQLite database (in a temporary directory) with one organisation of
that many people in 20 departments, a third of them signed in at some time in the last
half year, then renders /people/ through Django's test client as its admin: the default
page, a search, a department filter with sorting by last activity, and the last page.
Prints the median and the slowest time of each, and the number of queries.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 200


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "budbringer.settings"
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789"
    )
    os.environ.setdefault("BUDBRINGER_DATA_DIR", str(Path(database_url[10:]).parent))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(count: int):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from budbringer.accounts.models import Department, Organisation, Person

    organisation = Organisation.objects.create(name="Benchmark", slug="benchmark")
    departments = Department.objects.bulk_create(
        Department(organisation=organisation, name=f"Department {n}") for n in range(20)
    )
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            username=f"p{n}@example.com",
            email=f"p{n}@example.com",
            password="!",  # noqa: S106 (an unusable password, as invited people have)
            last_login=now - dt.timedelta(hours=n % 4000) if n % 3 == 0 else None,
            is_active=n % 50 != 0,
        )
        for n in range(count)
    )
    Person.objects.bulk_create(
        Person(
            user=user,
            organisation=organisation,
            department=departments[n % 20],
            name=f"Person {n:05}",
            role="admin" if n == 3 else "employee",
            languages=["en"],
        )
        for n, user in enumerate(users)
    )
    return organisation, departments, Person.objects.get(user=users[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(f"sqlite:///{folder}/people.sqlite3")
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        setup_test_environment()
        # No collectstatic for a throwaway run: plain static file names.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        _organisation, departments, admin = seed(args.people)
        print(f"seeded {args.people} people in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(admin.user)
        pages = {
            "default page": {},
            "search": {"q": "Person 0421"},
            "department, by last active": {"department": departments[7].pk, "sort": "last_active"},
            "last page": {"page": args.people // 50},
            "invited, by department": {"status": "invited", "sort": "department"},
        }
        slowest = 0.0
        for label, params in pages.items():
            client.get("/people/", params)  # warm
            times = []
            for _run in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get("/people/", params)
                    times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            query_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
            slowest = max(slowest, statistics.median(times))
            print(
                f"{label:30} median {statistics.median(times):6.1f} ms, max {max(times):6.1f} ms"
                f" (whole page), {len(queries.captured_queries)} queries {query_ms:5.1f} ms"
            )
        verdict = "within" if slowest <= GOAL_MS else "over"
        print(f"slowest median {slowest:.1f} ms: {verdict} the {GOAL_MS} ms goal")


if __name__ == "__main__":
    main()
