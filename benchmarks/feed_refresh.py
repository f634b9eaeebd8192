"""Refreshing 1,000 feeds of 50 items: the whole pipeline against bare feedparser.

Run from the repository root:

    .venv/bin/python benchmarks/feed_refresh.py            # SQLite, about a minute
    .venv/bin/python benchmarks/feed_refresh.py --postgres postgres://postgres@127.0.0.1:5432

What it does, in one run:

1. Writes 1,000 RSS 2.0 feeds of 50 items each into a temporary folder: titles and
   HTML bodies (paragraphs, links, an image, a tracking pixel and a script to remove) in
   English, Swedish, Norwegian, Danish and Dutch; one in ten items is a press release
   that also appears, re-wrapped, in other feeds, so near-duplicate clustering has work.
2. Serves them from a separate process (Python's http.server on 127.0.0.1, which answers
   If-Modified-Since with 304) so the server does not share this process's GIL.
3. Baseline: `feedparser.parse` of the same bytes, in this process, one feed after another.
4. Pipeline: a fresh database, one organisation with ten keyword topics and 1,000
   sources, then one `refresh_due_sources()` pass: concurrent fetches through the safe
   fetcher, parsing, sanitising, canonical URLs, language detection, topics, near-duplicate
   clustering and the inserts. The items stored are counted, not assumed.
5. A second pass with every source due again: every server answers 304.

Prints items per second for both, their ratio, the 304 pass's time and the peak memory of
this process. Results are in docs/benchmarks.md.
"""

import argparse
import gc
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
FEEDS = 1000
ITEMS = 50

# Everyday words of each language (none of them a topic keyword) ...
_WORDS = {
    "en": "the new company service data team project people quarter contract region launch "
    "results industry year through with about more their which would market grid",
    "sv": "och att det som en på är för med har av till den inte företaget ny tjänst teamet "
    "projekt människor kvartal avtal region lansering resultat branschen året elnät",
    "nb": "og i det som en på er for med har av til den ikke selskapet ny tjeneste teamet "
    "prosjekt mennesker kvartal avtale regionen lansering resultater bransjen året",
    "da": "og at det som en på er for med har af til den ikke virksomheden ny tjeneste "
    "holdet projekt mennesker kvartal aftale regionen lancering resultater branchen året",
    "nl": "de en het van een in is voor met heeft op aan niet bedrijf nieuwe dienst team "
    "project mensen kwartaal contract regio lancering resultaten branche jaar",
}
# ... and topic words, inflected, which about a third of the items mention.
_TOPIC_WORDS = {
    "en": "energy hydrogen wind solar cloud security customers growth partners reports",
    "sv": "energin vätgasen vindkraft solen molnet säkerheten kunderna tillväxten",
    "nb": "energien hydrogenet vinden solen skyen sikkerheten kundene veksten",
    "da": "energien brinten vinden solen skyen sikkerheden kunderne væksten",
    "nl": "energie waterstof wind zon cloud beveiliging klanten groei partners",
}
WORDS = {language: text.split() for language, text in _WORDS.items()}
TOPIC_WORDS = {language: text.split() for language, text in _TOPIC_WORDS.items()}
TOPICS = {
    "Energy": "energy\nenergi\nenergie",
    "Hydrogen": "hydrogen\nvätgas\nbrint\nwaterstof",
    "Wind": "wind\nvind",
    "Solar": "solar\nsol\nzon",
    "Cloud": "cloud\nmolnet\nskyen",
    "Security": "security\nsäkerhet\nsikkerhet\nsikkerhed\nbeveiliging",
    "Customers": "customer\nkunder\nkunde\nklant",
    "Growth": "growth\ntillväxt\nvekst\nvækst\ngroei",
    "Partners": "partner",
    "Reports": "report\nrapport",
}


def sentence(rng: random.Random, language: str, words: int) -> str:
    chosen = [rng.choice(WORDS[language]) for _ in range(words)]
    if rng.random() < 0.04:  # about a third of the items, with their 8-14 sentences
        chosen[rng.randrange(words)] = rng.choice(TOPIC_WORDS[language])
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def press_releases(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    releases = []
    for _ in range(count):
        language = rng.choice(list(WORDS))
        body = " ".join(sentence(rng, language, rng.randint(8, 16)) for _ in range(14))
        releases.append((language, sentence(rng, language, 6), body))
    return releases


def item_xml(rng, feed_no, item_no, language, title, body, published) -> str:
    paragraphs = [body[i : i + 400] for i in range(0, len(body), 400)]
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    html += (
        f'<p><a href="/more/{item_no}" onclick="track()">Read more</a> '
        f'<img src="https://cdn.example.com/img/{feed_no}-{item_no}.jpg" alt="photo"></p>'
        '<img src="https://pixel.example.com/open.gif" width="1" height="1">'
        "<script>alert(1)</script>"
    )
    link = f"https://feed{feed_no}.example.com/{item_no}/{uuid.UUID(int=rng.getrandbits(128))}"
    return (
        f"<item><title>{escape(title)}</title><link>{link}?utm_source=rss</link>"
        f"<guid>{link}</guid><pubDate>{format_datetime(published)}</pubDate>"
        f"<description>{escape(html)}</description></item>"
    )


def write_feeds(folder: Path, seed: int = 7) -> list[bytes]:
    import datetime as dt

    rng = random.Random(seed)
    releases = press_releases(rng, 200)
    now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    bodies = []
    for feed_no in range(FEEDS):
        language = list(WORDS)[feed_no % len(WORDS)]
        items = []
        for item_no in range(ITEMS):
            published = now - dt.timedelta(hours=feed_no % 24 + item_no * 7)
            if rng.random() < 0.1:
                r_language, title, body = rng.choice(releases)
                wrapped = f"{sentence(rng, r_language, 8)} {body}"
                items.append(item_xml(rng, feed_no, item_no, r_language, title, wrapped, published))
            else:
                title = sentence(rng, language, rng.randint(5, 10))
                body = " ".join(sentence(rng, language, rng.randint(8, 16)) for _ in range(8))
                items.append(item_xml(rng, feed_no, item_no, language, title, body, published))
        xml = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {feed_no}</title><link>https://feed{feed_no}.example.com/</link>"
            f"<description>Benchmark feed {feed_no}</description><language>{language}</language>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()
        (folder / f"feed{feed_no}.xml").write_bytes(xml)
        bodies.append(xml)
    return bodies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/feed0.xml", timeout=1).read()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the feed server did not start")


def bare_feedparser(bodies: list[bytes]) -> tuple[float, int]:
    import feedparser

    started = time.perf_counter()
    entries = sum(len(feedparser.parse(body).entries) for body in bodies)
    return time.perf_counter() - started, entries


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["BUDBRINGER_DATA_DIR"] = str(data_dir)
    os.environ["BUDBRINGER_FETCH_ALLOW"] = "127.0.0.1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "budbringer.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_sources(port: int) -> int:
    from budbringer.accounts.models import Organisation
    from budbringer.content.models import Topic
    from budbringer.sources.models import Source

    organisation = Organisation.objects.create(name="Benchmark", slug="benchmark")
    Topic.objects.bulk_create(
        Topic(organisation=organisation, name=name, keywords=keywords)
        for name, keywords in TOPICS.items()
    )
    Source.objects.bulk_create(
        Source(
            organisation=organisation,
            title=f"Feed {n}",
            feed_url=f"http://127.0.0.1:{port}/feed{n}.xml",
        )
        for n in range(FEEDS)
    )
    return organisation.pk


def run_pass():
    from budbringer.sources.refresh import refresh_due_sources

    started = time.perf_counter()
    summary = refresh_due_sources(limit=FEEDS)
    return time.perf_counter() - started, summary


def make_all_due() -> None:
    from django.utils import timezone

    from budbringer.sources.models import Source

    Source.objects.update(next_fetch_at=timezone.now())


def create_database(server_url: str) -> tuple[str, str]:
    import psycopg

    name = f"budbringer_bench_{os.getpid()}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}", name


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server (no database name)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="budbringer-feed-bench-"))
    database = None
    server = None
    try:
        feeds = work / "feeds"
        feeds.mkdir()
        bodies = write_feeds(feeds)
        size = sum(map(len, bodies))
        print(f"{FEEDS} feeds x {ITEMS} items, {size / 1e6:.1f} MB of XML")

        gc.collect()
        bare_seconds, bare_entries = bare_feedparser(bodies)
        print(
            f"bare feedparser.parse: {bare_entries} entries in {bare_seconds:.1f} s, "
            f"{bare_entries / bare_seconds:,.0f} items/s"
        )

        database_url = None
        if args.postgres:
            database_url, database = create_database(args.postgres.rstrip("/"))
        setup_django(work / "data", database_url)
        server, port = start_server(feeds)
        make_sources(port)

        from budbringer.content.models import Item

        seconds, summary = run_pass()
        stored = Item.objects.count()
        clustered = Item.objects.filter(duplicate_of__isnull=False).count()
        print(
            f"pipeline pass: {summary.sources} sources, {stored} items stored "
            f"({clustered} as near-duplicates), {summary.failed} failed, in {seconds:.1f} s, "
            f"{stored / seconds:,.0f} items/s"
        )
        ratio = (seconds / stored) / (bare_seconds / bare_entries)
        print(f"pipeline / bare time per item: {ratio:.2f}x")
        topics = Item.topics.through.objects.count()
        print(f"topics given: {topics} ({topics / stored:.2f} per item)")
        make_all_due()
        seconds_304, summary_304 = run_pass()
        print(
            f"second pass: {summary_304.not_modified} of {summary_304.sources} answered 304 "
            f"in {seconds_304:.1f} s; {Item.objects.count() - stored} items added"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:.0f} MB")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if database is not None:
            from django.db import connections

            connections.close_all()
            drop_database(args.postgres.rstrip("/"), database)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
