"""One fetch pass: claim the sources that are due, download them concurrently, store items.

1. Claim: in one transaction, the due sources get a lease (their next fetch moves a few
   minutes ahead), so a second pass running at the same time, on another worker or by
   hand, skips them.
2. Download: threads fetch each feed and prepare it (parse, sanitise, normalise, detect
   languages). Parsing is CPU-bound Python, which threads cannot run in parallel, so in
   a pass of many sources the threads hand it to child processes, one per core, and
   detect languages themselves (lingua runs in Rust; its models load once, here).
   Nothing in a thread touches the database, and every error becomes a plain-words
   message on that source alone: a failing source never blocks the others.
3. Store: this thread stores the new items of each finished download as it arrives and
   writes the source's state and its next fetch time: the feed's own freshness when it
   is healthy, an exponential backoff with jitter when it fails, never sooner than its
   server's Retry-After.
"""

import datetime as dt
import logging
import multiprocessing
import random
import threading
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from budbringer.content.ingest import Ingest
from budbringer.lib.guarded_http import FetchError, FetchResult, fetch
from budbringer.sources.models import FetchOutcome, Source
from budbringer.sources.parsing import FeedError
from budbringer.sources.pipeline import PreparedFeed, assign_languages, prepare_feed

log = logging.getLogger(__name__)

# Long enough for one pass to finish with every source it claimed.
LEASE = dt.timedelta(minutes=15)
LONGEST_WAIT = dt.timedelta(days=1)
# How far a server's Retry-After may push the next fetch out.
LONGEST_RETRY_AFTER = dt.timedelta(days=7)
PASS_SIZE = 1000
# Below this many sources, starting child processes costs more than it saves.
PROCESSES_FROM = 20

_parsers: ProcessPoolExecutor | None = None
_parsers_lock = threading.Lock()


def _parser_pool() -> Executor | None:
    """The child processes that parse feeds, started on first need and kept for the next
    pass; None when switched off (BUDBRINGER_FETCH_PROCESSES=0)."""
    global _parsers
    if settings.FETCH_PROCESSES == 0:
        return None
    with _parsers_lock:
        if _parsers is None:
            # spawn, not fork: the worker has threads, and a forked child could inherit
            # a lock that one of them held.
            _parsers = ProcessPoolExecutor(
                max_workers=settings.FETCH_PROCESSES,
                mp_context=multiprocessing.get_context("spawn"),
            )
        return _parsers


def _forget_parser_pool() -> None:
    global _parsers
    with _parsers_lock:
        if _parsers is not None:
            _parsers.shutdown(wait=False, cancel_futures=True)
        _parsers = None


@dataclass(frozen=True)
class Job:
    source_id: int
    feed_url: str
    etag: str
    last_modified: str


@dataclass
class Download:
    job: Job
    result: FetchResult | None = None
    prepared: PreparedFeed | None = None
    error: str = ""
    retry_after: dt.timedelta | None = None


@dataclass
class PassSummary:
    sources: int = 0
    failed: int = 0
    not_modified: int = 0
    new_items: int = 0
    near_duplicates: int = 0
    errors: dict[int, str] = field(default_factory=dict)


def refresh_due_sources(now: dt.datetime | None = None, limit: int = PASS_SIZE) -> PassSummary:
    """Fetch every active source whose time has come (what the worker runs every minute)."""
    now = now or timezone.now()
    return _run(_claim(Source.objects.due(now), now, limit), now)


def refresh_sources(source_ids: Iterable[int], now: dt.datetime | None = None) -> PassSummary:
    """Fetch the given sources now, due or not (`budbringer fetch --source`, "Fetch now")."""
    now = now or timezone.now()
    ids = list(source_ids)
    return _run(_claim(Source.objects.filter(pk__in=ids), now, len(ids)), now)


def _claim(sources, now: dt.datetime, limit: int) -> list[Job]:
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            sources = sources.select_for_update(skip_locked=True)
        rows = list(sources.values_list("pk", "feed_url", "etag", "last_modified")[:limit])
        Source.objects.filter(pk__in=[row[0] for row in rows]).update(next_fetch_at=now + LEASE)
    return [Job(*row) for row in rows]


def _run(jobs: list[Job], now: dt.datetime) -> PassSummary:
    summary = PassSummary(sources=len(jobs))
    if not jobs:
        return summary
    ingest = Ingest(now)
    workers = min(settings.FETCH_CONCURRENCY, len(jobs))
    parsers = _parser_pool() if len(jobs) >= PROCESSES_FROM else None
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        futures = [pool.submit(download, job, parsers) for job in jobs]
        for future in as_completed(futures):
            done = future.result()  # download() never raises
            try:
                _store(done, ingest, now, summary)
            except Exception:
                log.exception("storing source %s failed", done.job.source_id)
                done.error = "Budbringer could not store this feed's items; see the worker log."
                _record_failure(done, now, summary)
    return summary


def download(job: Job, parsers: Executor | None = None) -> Download:
    """Fetch and prepare one feed, off the database; errors become plain words."""
    try:
        result = fetch(job.feed_url, etag=job.etag, last_modified=job.last_modified)
    except FetchError as error:
        return Download(job, error=error.message, retry_after=error.retry_after)
    except Exception:
        log.exception("fetching %s failed unexpectedly", job.feed_url)
        return Download(job, error="Fetching failed unexpectedly; see the worker log.")
    if result.status == 304:
        return Download(job, result=result)
    try:
        if parsers is None:
            prepared = prepare_feed(result.body, url=result.url, content_type=result.content_type)
        else:
            prepared = parsers.submit(
                prepare_feed,
                result.body,
                url=result.url,
                content_type=result.content_type,
                detect_language="long",
            ).result()
            assign_languages(prepared, blank_only=True)
    except FeedError as error:
        return Download(job, result=result, error=str(error))
    except BrokenProcessPool:
        log.exception("a feed parser process died while reading %s", job.feed_url)
        _forget_parser_pool()  # the next pass starts fresh ones
        return Download(job, result=result, error="Reading the feed failed; see the worker log.")
    except Exception:
        log.exception("preparing %s failed unexpectedly", job.feed_url)
        return Download(job, result=result, error="Reading the feed failed; see the worker log.")
    return Download(job, result=result, prepared=prepared)


def _store(done: Download, ingest: Ingest, now: dt.datetime, summary: PassSummary) -> None:
    if done.error:
        _record_failure(done, now, summary)
        return
    result = done.result
    state = {
        "last_fetched_at": now,
        "last_success_at": now,
        "last_error": "",
        "failure_count": 0,
        "etag": result.etag[:500],
        "last_modified": result.last_modified[:100],
        "next_fetch_at": next_fetch_after_success(now, result.fresh_for),
    }
    if done.prepared is None:  # 304 Not Modified
        summary.not_modified += 1
        Source.objects.filter(pk=done.job.source_id).update(
            last_outcome=FetchOutcome.NOT_MODIFIED, last_new_items=0, **state
        )
        return
    with _source_transaction():
        source = Source.objects.get(pk=done.job.source_id)
        report = ingest.store(source, done.prepared.items)
        if not source.site_url and done.prepared.feed.site_url:
            state["site_url"] = done.prepared.feed.site_url[:2000]
        Source.objects.filter(pk=source.pk).update(
            last_outcome=FetchOutcome.OK,
            items_found=len(done.prepared.items),
            last_new_items=report.new,
            **state,
        )
    summary.new_items += report.new
    summary.near_duplicates += report.near_duplicates


@contextmanager
def _source_transaction():
    """One transaction per source: its items and its state together, or neither.

    On PostgreSQL the commit does not wait for the disk (synchronous_commit off, for
    this transaction only). A crash can then lose the last fraction of a second of
    stored feeds, never corrupt them, and those feeds are simply fetched again: their
    state is lost with their items.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _record_failure(done: Download, now: dt.datetime, summary: PassSummary) -> None:
    summary.failed += 1
    summary.errors[done.job.source_id] = done.error
    failures = (
        Source.objects.filter(pk=done.job.source_id).values_list("failure_count", flat=True).first()
    )
    if failures is None:  # deleted while it was being fetched
        return
    failures += 1
    Source.objects.filter(pk=done.job.source_id).update(
        last_fetched_at=now,
        last_outcome=FetchOutcome.FAILED,
        last_error=done.error,
        failure_count=failures,
        last_new_items=0,
        next_fetch_at=next_fetch_after_failure(now, failures, done.retry_after),
    )


def next_fetch_after_success(now: dt.datetime, fresh_for: dt.timedelta | None) -> dt.datetime:
    """Our interval, or longer when the feed says it stays fresh longer (up to a day).

    A little jitter spreads sources added together over time, so they are not all due
    in the same minute forever.
    """
    wait = max(dt.timedelta(minutes=settings.FETCH_INTERVAL), fresh_for or dt.timedelta(0))
    wait = min(wait, LONGEST_WAIT)
    return now + wait * random.uniform(1.0, 1.1)


def next_fetch_after_failure(
    now: dt.datetime, failures: int, retry_after: dt.timedelta | None = None
) -> dt.datetime:
    """Exponential backoff with full jitter, capped at a day, and never before Retry-After."""
    interval = dt.timedelta(minutes=settings.FETCH_INTERVAL)
    ceiling = min(interval * 2 ** min(failures - 1, 20), LONGEST_WAIT)
    wait = interval / 2 + (ceiling - interval / 2) * random.random()
    if retry_after is not None:
        wait = max(wait, min(retry_after, LONGEST_RETRY_AFTER))
    return now + wait
