"""One fetch pass end to end: local feed server -> safe fetcher -> pipeline -> database."""

import datetime as dt
import threading
from email.utils import format_datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from budbringer.content.models import ApprovalState, Item, Topic
from budbringer.sources.models import FetchOutcome, Source
from budbringer.sources.refresh import refresh_due_sources, refresh_sources
from tests.sources.feedserver import Reply

pytestmark = pytest.mark.django_db(transaction=True)

PRESS_RELEASE = (
    "Nordlys Systems today announced that its data centres along the Sognefjord now run "
    "entirely on hydroelectric power, cutting the emissions of every customer workload "
    "hosted there to close to zero. The move follows two years of work with local power "
    "producers and a new cooling design that uses fjord water all year round. Customers "
    "in Norway, Sweden and Denmark can move their workloads without changing contracts, "
    "and the first of them have already done so during the autumn."
)


def rss(items: list[tuple[str, str, str]], title: str = "Test feed") -> bytes:
    """items: (title, link, description HTML)."""
    published = format_datetime(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{published}</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for t, link, html in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
        f"</title><link>https://site.example.com/</link>{entries}</channel></rss>"
    ).encode()


ENGLISH = "Our new hydrogen project in the North Sea starts delivering power to customers."
SWEDISH = "Vårt nya vätgasprojekt i Nordsjön börjar leverera el till kunderna i Sverige."


@pytest.fixture
def allow_local():
    with override_settings(FETCH_ALLOW=["127.0.0.1"]):
        yield


def add_source(cast, url: str, **fields) -> Source:
    return Source.objects.create(
        organisation=cast.nordlys, title=fields.pop("title", url), feed_url=url, **fields
    )


def test_a_pass_stores_new_items_cleaned_with_language_and_topics(cast, feed_server, allow_local):
    Topic.objects.create(organisation=cast.nordlys, name="Hydrogen", keywords="hydrogen\nvätgas")
    feed = rss([
        ("Hydrogen in the North Sea", "https://site.example.com/a?utm_source=rss#top",
         f"<p>{ENGLISH}</p><script>alert(1)</script><img src=x onerror=alert(1)>"),
        ("Vätgas i Nordsjön", "https://site.example.com/b", f"<p>{SWEDISH}</p>"),
    ])  # fmt: skip
    source = add_source(cast, feed_server.route("/feed.xml", body=feed))
    # The cast's other sources (made-up sites) are paused: paused sources are never due.
    Source.objects.exclude(pk=source.pk).update(is_active=False)

    summary = refresh_due_sources()

    assert (summary.sources, summary.new_items, summary.failed) == (1, 2, 0)
    items = {i.title: i for i in Item.objects.filter(source=source)}
    english, swedish = items["Hydrogen in the North Sea"], items["Vätgas i Nordsjön"]
    assert english.canonical_url == "https://site.example.com/a"
    assert (english.language, swedish.language) == ("en", "sv")
    assert "<script" not in english.content_html and "onerror" not in english.content_html
    assert ENGLISH in english.content_html
    assert {t.name for t in english.topics.all()} == {"Hydrogen"}
    assert {t.name for t in swedish.topics.all()} == {"Hydrogen"}  # "vätgasprojekt"
    assert english.approval_state == ApprovalState.APPROVED  # auto-approve is the default
    source.refresh_from_db()
    assert source.last_outcome == FetchOutcome.OK
    assert (source.items_found, source.last_new_items, source.failure_count) == (2, 2, 0)
    assert source.site_url == "https://site.example.com/"
    assert source.next_fetch_at > timezone.now() + dt.timedelta(minutes=25)


def test_known_urls_are_not_stored_twice_and_unapproved_sources_wait(
    cast, feed_server, allow_local
):
    feed = rss([("One", "https://site.example.com/1", f"<p>{ENGLISH}</p>")])
    first = add_source(cast, feed_server.route("/a.xml", body=feed))
    second = add_source(cast, feed_server.route("/b.xml", body=feed), auto_approve=False)

    refresh_sources([first.pk])
    refresh_sources([first.pk, second.pk])

    assert Item.objects.filter(canonical_url="https://site.example.com/1").count() == 1
    second.refresh_from_db()
    assert (second.items_found, second.last_new_items) == (1, 0)

    refresh_sources([second.pk])  # a new URL on the source that needs approval
    feed_server.route("/b.xml", body=rss([("Two", "https://site.example.com/2", ENGLISH)]))
    refresh_sources([second.pk])
    assert Item.objects.get(canonical_url="https://site.example.com/2").approval_state == (
        ApprovalState.PENDING
    )


def test_a_failing_source_gets_plain_words_and_backoff_and_blocks_no_one(
    cast, feed_server, allow_local
):
    good = add_source(
        cast, feed_server.route("/good.xml", body=rss([("A", "https://s.example/a", ENGLISH)]))
    )
    missing = add_source(cast, feed_server.url("/missing.xml"))
    busy = add_source(
        cast,
        feed_server.route("/busy.xml", status=503, headers={"Retry-After": "7200"}),
    )
    not_a_feed = add_source(
        cast, feed_server.route("/page", body=b"<!doctype html><title>Hi</title><p>Hello</p>")
    )
    before = timezone.now()

    summary = refresh_sources([good.pk, missing.pk, busy.pk, not_a_feed.pk])

    assert (summary.new_items, summary.failed) == (1, 3)
    for source in (missing, busy, not_a_feed):
        source.refresh_from_db()
        assert source.last_outcome == FetchOutcome.FAILED
        assert source.failure_count == 1
        assert source.last_error and "Traceback" not in source.last_error
    assert "404" in missing.last_error
    assert busy.next_fetch_at >= before + dt.timedelta(hours=2)
    assert "feed" in not_a_feed.last_error.lower()

    refresh_sources([missing.pk])
    missing.refresh_from_db()
    assert missing.failure_count == 2
    good.refresh_from_db()
    assert good.last_outcome == FetchOutcome.OK


def test_an_unchanged_feed_is_asked_conditionally_and_answers_304(cast, feed_server, allow_local):
    feed = rss([("A", "https://site.example.com/a", ENGLISH)])
    source = add_source(cast, feed_server.route("/feed.xml", body=feed, headers={"ETag": '"v1"'}))
    refresh_sources([source.pk])
    summary = refresh_sources([source.pk])

    assert summary.not_modified == 1
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.last_outcome == FetchOutcome.NOT_MODIFIED
    assert feed_server.requests[-1].header("If-None-Match") == '"v1"'


def test_the_same_press_release_on_two_sites_is_shown_once(cast, feed_server, allow_local):
    cast.bob.languages = ["en"]
    cast.bob.save()
    first = add_source(cast, feed_server.route("/one.xml", body=rss([
        ("Nordlys goes hydro", "https://one.example.com/hydro", f"<p>{PRESS_RELEASE}</p>"),
    ])))  # fmt: skip
    second = add_source(cast, feed_server.route("/two.xml", body=rss([
        ("Press release: Nordlys goes hydro", "https://two.example.com/news/77",
         f"<p>Published by Two News.</p><p>{PRESS_RELEASE}</p><p>Contact: press@two.example</p>"),
    ])))  # fmt: skip

    refresh_sources([first.pk])
    summary = refresh_sources([second.pk])

    assert summary.near_duplicates == 1
    original = Item.objects.get(canonical_url="https://one.example.com/hydro")
    repeat = Item.objects.get(canonical_url="https://two.example.com/news/77")
    assert repeat.duplicate_of == original
    # The ranker gets both in one cluster and selects at most one of a cluster.
    from budbringer.relevance.service import load

    clusters = {i.id: i.cluster for i in load(cast.nordlys, timezone.now())[0]}
    assert clusters[repeat.pk] == clusters[original.pk] == original.pk


def test_two_passes_at_once_fetch_each_source_once(cast, feed_server, allow_local):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises the claims anyway; the race matters on PostgreSQL")
    sources = [
        add_source(cast, feed_server.route(f"/f{n}.xml", Reply(body=rss([]), delay=0.05)))
        for n in range(12)
    ]
    Source.objects.exclude(pk__in=[s.pk for s in sources]).update(is_active=False)
    results = []

    def run():
        results.append(refresh_due_sources())
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sources for r in results) == 12
    assert sorted(feed_server.paths_requested()) == sorted(f"/f{n}.xml" for n in range(12))


def test_fetch_command_runs_one_source_and_says_what_happened(
    cast, feed_server, allow_local, capsys
):
    source = add_source(
        cast, feed_server.route("/f.xml", body=rss([("A", "https://s.example/a", ENGLISH)]))
    )
    call_command("fetch", source_ids=[source.pk])
    assert "1 sources fetched: 1 new items" in capsys.readouterr().out

    missing = add_source(cast, feed_server.url("/nothing.xml"))
    with pytest.raises(CommandError, match="could not be fetched"):
        call_command("fetch", source_ids=[missing.pk])
    assert "404" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No source with the id 999999"):
        call_command("fetch", source_ids=[999999])


def test_large_passes_parse_in_child_processes_with_the_same_result(
    cast, feed_server, allow_local, monkeypatch
):
    import budbringer.sources.refresh as refresh

    monkeypatch.setattr(refresh, "PROCESSES_FROM", 1)
    feeds = [
        ("/en.xml", rss([("Hydrogen", "https://site.example.com/en", f"<p>{ENGLISH}</p>")])),
        ("/sv.xml", rss([("Vätgas", "https://site.example.com/sv", f"<p>{SWEDISH}</p>")])),
    ]
    sources = [add_source(cast, feed_server.route(path, body=body)) for path, body in feeds]
    used = []
    real_pool = refresh._parser_pool

    def watched_pool():
        pool = real_pool()
        used.append(pool)
        return pool

    monkeypatch.setattr(refresh, "_parser_pool", watched_pool)
    with override_settings(FETCH_PROCESSES=1):
        summary = refresh_sources([s.pk for s in sources])
        refresh._forget_parser_pool()

    assert used and used[0] is not None
    assert (summary.new_items, summary.failed) == (2, 0)
    stored = dict(Item.objects.filter(source__in=sources).values_list("title", "language"))
    assert stored == {"Hydrogen": "en", "Vätgas": "sv"}
    html = Item.objects.get(title="Hydrogen").content_html
    assert html.startswith("<p>Our new hydrogen project")


def test_hostile_and_broken_documents_served_over_http_fail_alone_or_are_read(
    cast, feed_server, allow_local
):
    from tests.sources.test_parse_refuses_entities import BILLION_LAUGHS

    laughs = add_source(cast, feed_server.route("/laughs.xml", body=BILLION_LAUGHS))
    broken_xml = rss([("Still readable", "https://site.example.com/broken", ENGLISH)]).replace(
        b"</channel>", b"<unclosed></channel>"
    )
    malformed = add_source(cast, feed_server.route("/broken.xml", body=broken_xml))
    swedish = rss([("Vätgas på väg", "https://site.example.com/vatgas", SWEDISH)])
    wrong_charset = add_source(
        cast,
        feed_server.route(  # UTF-8 bytes, declared Latin-1 by the server
            "/charset.xml",
            body=swedish,
            headers={"Content-Type": "application/rss+xml; charset=iso-8859-1"},
        ),
    )

    summary = refresh_sources([laughs.pk, malformed.pk, wrong_charset.pk])

    laughs.refresh_from_db()
    assert laughs.last_outcome == FetchOutcome.FAILED
    assert "entit" in laughs.last_error
    assert Item.objects.filter(canonical_url="https://site.example.com/broken").exists()
    assert Item.objects.get(canonical_url="https://site.example.com/vatgas").title == (
        "Vätgas på väg"
    )
    assert (summary.new_items, summary.failed) == (2, 1)
