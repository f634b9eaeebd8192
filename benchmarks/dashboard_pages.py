"""The analytics dashboard with 1,000,000 clicks, 100,000 people and 50,000 shares: p50 and p95
of every page and CSV export, on SQLite or PostgreSQL.

Run from the repository root:

    .venv/bin/python benchmarks/dashboard_pages.py          # SQLite, /tmp/bench-dashboard.sqlite3
    .venv/bin/python benchmarks/dashboard_pages.py --postgres postgres://postgres@127.0.0.1:5432

1. Seeds (once; the database is kept for reruns, ``--reseed`` starts again): one organisation
   with 50 departments (one leader each), 100,000 people, 20 sources in 2 lists, 2,000 items,
   50,000 shares over the last 90 days, each with its tracked link, and 1,000,000 clicks on
   those links (kinds: 70 % unique, 15 % repeat, 15 % machines and pending) after their
   share. Bulk inserts through the database cursor (executemany in chunks).
2. Refreshes the click roll-up from scratch (``analytics.rollup.refresh(full=True)``), timed,
   as the worker's periodic refresh keeps it; on PostgreSQL then ``VACUUM ANALYZE``, as
   autovacuum would after so many writes.
3. Times each page ``--requests`` times with Django's test client, signed in as the admin
   (and the dashboard once more as a leader): p50 and p95 in milliseconds. What is timed is
   the whole request (view, queries, template, streamed CSV body). Nothing is cached between
   requests: on SQLite each request opens its own connection, as under ``budbringer serve``
   (an empty page cache; the operating system's file cache stays warm), and the first
   request of each page, left out, only warms that file cache and Python's imports.

Results are in docs/benchmarks.md.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["unique"] * 70 + ["repeat"] * 15 + ["bot", "preview", "probe", "scanner", "pending"] * 3
NETWORKS = ["linkedin"] * 5 + ["x"] * 2 + ["facebook", "xing", "email"]
GOAL_MS = 300
PASSWORD = "benchmark-only"  # noqa: S105 (a throwaway database)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "budbringer.settings"
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-secret-key-not-for-production-use-0123456789"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def chunks(rows, size=20_000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed(people: int, shares: int, clicks: int, rng: random.Random) -> None:
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from budbringer.accounts.models import Department, Organisation, Person, Role
    from budbringer.content.models import ApprovalState, Item
    from budbringer.links.models import Click, TrackedLink
    from budbringer.sharing.models import Share
    from budbringer.sharing.sharing import note_first_shares
    from budbringer.sources.models import Source, SourceList

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        organisation = Organisation.objects.create(name="Benchmark AB", slug="bench")
        departments = Department.objects.bulk_create(
            Department(organisation=organisation, name=f"Department {n:02d}") for n in range(50)
        )
        lists = SourceList.objects.bulk_create(
            SourceList(organisation=organisation, name=name) for name in ("Company", "Market")
        )
        sources = []
        for number in range(20):
            source = Source.objects.create(
                organisation=organisation,
                title=f"Blog {number}",
                feed_url=f"https://b{number}.example/",
            )
            source.lists.add(lists[number % 2])
            sources.append(source)
        items = Item.objects.bulk_create(
            Item(
                organisation=organisation,
                source=sources[n % 20],
                title=f"News number {n}: the fjord data centre runs on hydro power",
                url=f"https://b{n % 20}.example/news/{n}",
                canonical_url=f"https://b{n % 20}.example/news/{n}",
                language="en",
                approval_state=ApprovalState.APPROVED,
                approved_at=now,
                published_at=now - dt.timedelta(days=90),
            )
            for n in range(2000)
        )
        User.objects.create_user("admin", password=PASSWORD)
        leader_user = User.objects.create_user("leader", password=PASSWORD)
        admin = Person(
            user=User.objects.get(username="admin"), organisation=organisation, name="Admin",
            role=Role.ADMIN, languages=["en"],
        )  # fmt: skip
        leader = Person(
            user=leader_user, organisation=organisation, name="Leader", role=Role.LEADER,
            department=departments[0], languages=["en"],
        )  # fmt: skip
        Person.objects.bulk_create([admin, leader])
        person_ids = []
        for start in range(0, people, 10_000):
            users = User.objects.bulk_create(
                User(username=f"p{n}", password="!")  # noqa: S106 (unusable)
                for n in range(start, min(people, start + 10_000))
            )
            created = Person.objects.bulk_create(
                Person(
                    user=user,
                    organisation=organisation,
                    name=f"Person {user.username}",
                    department=departments[index % 50],
                    role=Role.LEADER if start == 0 and index < 49 else Role.EMPLOYEE,
                    languages=["en"],
                )
                for index, user in enumerate(users)
            )
            person_ids += [person.pk for person in created]
        # They joined before the shares began, as a company's people have once it has run
        # Budbringer a while: weekly participation counts each week's people by that.
        Person.objects.filter(organisation=organisation).update(
            created_at=now - dt.timedelta(days=365)
        )
    print(f"people: {time.perf_counter() - started:.1f} s", flush=True)

    # Shares: a quarter of the people share, some often; one link per share.
    sharers = rng.sample(person_ids, len(person_ids) // 4)
    link_rows, share_times = [], []
    seen = set()
    while len(link_rows) < shares:
        person, item, network = rng.choice(sharers), rng.choice(items).pk, rng.choice(NETWORKS)
        if (person, item, network) in seen:
            continue
        seen.add((person, item, network))
        link_rows.append((person, item, network))
        share_times.append(now - dt.timedelta(seconds=rng.uniform(0, 90 * 86400)))
    with transaction.atomic():
        links = TrackedLink.objects.bulk_create(
            (
                TrackedLink(
                    organisation=organisation, person_id=person, item_id=item, network=network,
                    target_url=f"https://b.example/{item}",
                )
                for person, item, network in link_rows
            ),
            batch_size=5000,
        )  # fmt: skip
        Share.objects.bulk_create(
            (
                Share(
                    organisation=organisation, person_id=person, item_id=item, network=network,
                    link=link,
                )
                for (person, item, network), link in zip(link_rows, links, strict=True)
            ),
            batch_size=5000,
        )  # fmt: skip
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Share._meta.db_table)
            cursor.executemany(
                f"UPDATE {table} SET created_at = %s WHERE link_id = %s",  # noqa: S608 (our table name)
                [(at, link.pk) for at, link in zip(share_times, links, strict=True)],
            )
        note_first_shares(Person.objects.filter(organisation=organisation))
    print(f"shares: {time.perf_counter() - started:.1f} s", flush=True)

    # Clicks after their share, until now.
    columns = (
        "organisation_id, link_id, clicked_at, network, referrer_host, user_agent_family, "
        "kind, visitor_hash"
    )
    table = connection.ops.quote_name(Click._meta.db_table)
    insert = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, '', 'Chrome', %s, %s)"  # noqa: S608
    rows = []
    for _ in range(clicks):
        index = rng.randrange(len(links))
        shared_at = share_times[index]
        at = shared_at + (now - shared_at) * rng.random() ** 3
        rows.append(
            (
                organisation.pk,
                links[index].pk,
                at,
                link_rows[index][2],
                rng.choice(KINDS),
                f"{rng.getrandbits(64):016x}",
            )
        )
    for part in chunks(rows):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, part)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"clicks: {time.perf_counter() - started:.1f} s", flush=True)


def pages(department_id: int) -> list[tuple[str, str]]:
    from budbringer.analytics.tables import TABLES

    found = [
        ("admin", "/analytics/"),
        ("leader", "/analytics/"),
        ("admin", f"/analytics/?period=90&department={department_id}"),
        ("admin", "/analytics/?period=7&network=linkedin"),
    ]
    found += [("admin", f"/analytics/export/{table}.csv") for table in TABLES]
    return found


def time_pages(requests: int) -> list[tuple[str, str, float, float]]:
    from django.test import Client

    from budbringer.accounts.models import Department, Person

    clients = {}
    for username in ("admin", "leader"):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(Person.objects.get(user__username=username).user)
        clients[username] = client
    department = Department.objects.order_by("name").first()
    results = []
    for who, url in pages(department.pk):
        timings = []
        for _ in range(requests + 1):
            started = time.perf_counter()
            response = clients[who].get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code == 200, (url, response.status_code)
            timings.append((time.perf_counter() - started) * 1000)
        timings = sorted(timings[1:])  # the first warms caches
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        results.append((who, url, statistics.median(timings), p95))
        print(f"{who:6} {url:55} p50 {results[-1][2]:8.1f} ms  p95 {p95:8.1f} ms", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="server URL without database")
    parser.add_argument("--sqlite", default="/tmp/bench-dashboard.sqlite3")
    parser.add_argument("--database-name", default="bench_dashboard", help="on PostgreSQL")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--shares", type=int, default=50_000)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="seed, time nothing")
    args = parser.parse_args()

    if args.postgres:
        import psycopg

        name = args.database_name
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists and args.reseed:
                admin.execute(f'DROP DATABASE "{name}"')
                exists = None
            if not exists:
                admin.execute(f'CREATE DATABASE "{name}"')
        database_url = f"{args.postgres}/{name}"
    else:
        if args.reseed and os.path.exists(args.sqlite):
            os.remove(args.sqlite)
        database_url = f"sqlite:///{args.sqlite}"
    setup_django(database_url)
    from django.core.management import call_command

    from budbringer.accounts.models import Organisation

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as `budbringer serve` does
    if not Organisation.objects.filter(slug="bench").exists():
        seed(args.people, args.shares, args.clicks, random.Random(7))
    if args.seed_only:
        return
    from budbringer.analytics.rollup import refresh

    started = time.perf_counter()
    refreshed = refresh(full=True)
    print(
        f"full roll-up refresh: {time.perf_counter() - started:.1f} s "
        f"({refreshed.days} days, {refreshed.rows} rows)",
        flush=True,
    )
    started = time.perf_counter()
    refresh()
    print(f"incremental refresh: {time.perf_counter() - started:.2f} s", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does after bulk writes (the seed, migrations, the full refresh):
        # fresh statistics, and a visibility map so that index-only scans stay index-only.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    results = time_pages(args.requests)
    worst = max(p95 for *_, p95 in results)
    print(
        f"worst p95 {worst:.1f} ms: goal (< {GOAL_MS} ms) {'met' if worst < GOAL_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
