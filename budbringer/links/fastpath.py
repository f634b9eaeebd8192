"""The tracked-link redirect served before Django: the busiest request, on the shortest path.

`RedirectFront` is the RSGI application `budbringer serve` runs (budbringer/rsgi.py);
`redirect_front(django_app)` the same front for WSGI servers (budbringer/wsgi.py). A GET
or HEAD on ``/l/<code>`` is answered here without middleware, URL resolving or
per-request ORM reads:

1. The link comes from a small in-process cache (`LINK_CACHE_SECONDS`), with its 302
   headers built once: the target is only ever the registered one, with UTM parameters.
2. The click's fields are computed at once: kind from method and user agent (cached per
   agent string), browser family (cached likewise), referrer host and the salted visitor
   hash (no raw IP kept). Under RSGI a link or day's salt not yet cached is read in a
   thread, as the ORM must not block the event loop.
3. The click (a `ClickRow`, not a model object) is recorded before the 302 is sent, so
   every redirect answered has its row, even if the process is killed right after; if it
   cannot be recorded, the answer is 503 (no redirect, no click). Under `budbringer
   serve` it is appended to the worker's click journal, which the click ingester stores
   (links/journal.py, links/ingester.py): the request waits for nobody. Elsewhere (tests,
   other servers) nobody reads a journal, so `ClickWriter`, a thread of this process,
   stores whatever clicks are waiting in one transaction (group commit) and the request
   waits for that commit: under RSGI it awaits a future, holding no thread, under WSGI it
   blocks its thread.

Everything else (other paths, other methods) goes to Django unchanged.
"""

import asyncio
import contextlib
import datetime as dt
import logging
import os
import queue
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from budbringer.links import visitors
from budbringer.links.bots import request_kind
from budbringer.links.clickstore import ClickRow, store_clicks
from budbringer.links.models import TrackedLink
from budbringer.links.tracking import _referrer_host, _user_agent_family, redirect_target

logger = logging.getLogger(__name__)

_PATH = re.compile(r"/l/([A-Za-z0-9_-]{1,64})")
# How long a link stays in memory: targets never change, so this only delays a deletion.
LINK_CACHE_SECONDS = 5.0
# At most this many clicks in one transaction; more waiting means another transaction.
MAX_BATCH = 512
# The writer's database connection is checked (CONN_MAX_AGE, health) this often.
CONNECTION_CHECK_SECONDS = 1.0
# A request waits at most this long for its click to be stored, then answers 503.
WRITE_TIMEOUT_SECONDS = 20.0

_UNAVAILABLE_BODY = b"Please try again in a moment.\n"
_UNAVAILABLE_HEADERS = [("Retry-After", "1"), ("Content-Type", "text/plain")]
_COMMON_HEADERS = [
    ("Content-Length", "0"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
]


@dataclass(frozen=True, slots=True)
class CachedLink:
    id: int
    organisation_id: int
    network: str
    headers: list[tuple[str, str]]


_links: dict[str, tuple[float, CachedLink]] = {}


def _cached_link(code: str) -> CachedLink | None:
    cached = _links.get(code)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    return None


def _load_link(code: str) -> CachedLink | None:
    cached = _cached_link(code)
    if cached:
        return cached
    link = (
        TrackedLink.objects.filter(code=code)
        .only("id", "organisation_id", "target_url", "network")
        .first()
    )
    if link is None:
        _links.pop(code, None)
        return None  # unknown codes are not cached: a new link works at once
    entry = CachedLink(
        link.id,
        link.organisation_id,
        link.network,
        [("Location", redirect_target(link)), *_COMMON_HEADERS],
    )
    if len(_links) > 10_000:
        _links.clear()
    _links[code] = (time.monotonic() + LINK_CACHE_SECONDS, entry)
    return entry


@lru_cache(maxsize=4096)
def _browser_family(user_agent: str) -> str:
    return _user_agent_family(user_agent)


_cached_referrer_host = lru_cache(maxsize=4096)(_referrer_host)


def _referrer(referrer: str) -> str:
    """The referrer's host; the same few referrers (a network's, none) make most clicks,
    so short ones are cached (`urlsplit` costs a tenth of the redirect's Python)."""
    if not referrer:
        return ""
    return _cached_referrer_host(referrer) if len(referrer) <= 512 else _referrer_host(referrer)


class _Waiter:
    __slots__ = ("done", "future", "row", "stored")

    def __init__(self, row: ClickRow, future: asyncio.Future | None = None):
        self.row = row
        self.future = future  # RSGI: resolved on its event loop; WSGI: `done` is set
        self.done = None if future else threading.Event()
        self.stored = False


class ClickWriter:
    """Group commit of clicks in a thread of this process: callers wait in `store` (a
    thread) or `store_async` (a coroutine) until their click is durable."""

    def __init__(self, max_batch: int = MAX_BATCH):
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Waiter | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._next_check = 0.0

    def store(self, row: ClickRow, timeout: float = WRITE_TIMEOUT_SECONDS) -> bool:
        """Whether the click is committed; False means nothing of it was stored."""
        self._ensure_thread()
        waiter = _Waiter(row)
        self._queue.put(waiter)
        if not waiter.done.wait(timeout):
            logger.error("click not written within %.0f s", timeout)
            return False
        return waiter.stored

    async def store_async(self, row: ClickRow, timeout: float = WRITE_TIMEOUT_SECONDS) -> bool:
        """`store` for a coroutine: awaits the commit without holding a thread. False
        means the click was not stored, or not within `timeout` (then it may still be:
        a click without its redirect, never a redirect without its click)."""
        self._ensure_thread()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Waiter(row, future))
        expiry = loop.call_later(timeout, _expire, future)
        try:
            return await future
        finally:
            expiry.cancel()

    def _ensure_thread(self) -> None:
        # A forked worker inherits the object but not the thread: start one per process.
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._queue = queue.SimpleQueue()
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="click-writer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """End the thread and close its database connection (tests; a process just exits)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            self._queue.put(None)
            thread.join(10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                connection.close()
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    waiter = self._queue.get_nowait()
                except queue.Empty:
                    break
                if waiter is None:
                    self._queue.put(None)  # after this batch
                    break
                batch.append(waiter)
            self.write(batch)

    def write(self, batch: list[_Waiter]) -> None:
        if time.monotonic() >= self._next_check:
            # The connection is kept between batches (reopening SQLite's cost as much as
            # a batch); its age and health are checked once a second, not per batch.
            close_old_connections()
            self._next_check = time.monotonic() + CONNECTION_CHECK_SECONDS
        stored = store_clicks([waiter.row for waiter in batch])
        for waiter, ok in zip(batch, stored, strict=True):
            waiter.stored = ok
        _wake(batch)


def _wake(batch: list[_Waiter]) -> None:
    """Tell each waiter of the batch its outcome: one call per event loop, not per click."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Waiter]] = {}
    for waiter in batch:
        if waiter.future is None:
            waiter.done.set()
        else:
            by_loop.setdefault(waiter.future.get_loop(), []).append(waiter)
    for loop, waiters in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(_resolve, waiters)


def _resolve(waiters: list[_Waiter]) -> None:
    for waiter in waiters:
        if not waiter.future.done():
            waiter.future.set_result(waiter.stored)


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        logger.error("click not written within %.0f s", WRITE_TIMEOUT_SECONDS)
        future.set_result(False)


writer = ClickWriter()


def clear_caches() -> None:
    """Forget cached links (tests; a process sees deletions after LINK_CACHE_SECONDS)."""
    _links.clear()


def client_ip(remote_addr: str, forwarded_for: str) -> str:
    if settings.BEHIND_PROXY and forwarded_for:
        return forwarded_for.rsplit(",", 1)[-1].strip()
    return remote_addr


def click_for(
    link: CachedLink,
    *,
    method: str,
    user_agent: str,
    referrer: str,
    ip: str,
    now: dt.datetime,
) -> ClickRow:
    return ClickRow(
        link.organisation_id,
        link.id,
        now,
        link.network,
        _referrer(referrer),
        _browser_family(user_agent),
        request_kind(method, user_agent),
        visitors.visitor_hash(ip, now.date()),
    )


def redirect_front(django_app):
    """The WSGI application: `/l/<code>` answered here, everything else by Django."""

    def application(environ, start_response):
        method = environ.get("REQUEST_METHOD")
        match = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None or method not in ("GET", "HEAD"):
            return django_app(environ, start_response)
        try:
            link = _load_link(match[1])
            # The visitor hash reads the day's salt from the database once a day.
            click = link and click_for(
                link,
                method=method,
                user_agent=environ.get("HTTP_USER_AGENT", ""),
                referrer=environ.get("HTTP_REFERER", ""),
                ip=client_ip(
                    environ.get("REMOTE_ADDR", ""), environ.get("HTTP_X_FORWARDED_FOR", "")
                ),
                now=timezone.now(),
            )
        except Exception:
            logger.exception("reading a tracked link or the day's salt failed")
            connection.close()
            start_response("503 Service Unavailable", _UNAVAILABLE_HEADERS)
            return [_UNAVAILABLE_BODY]
        if link is None:  # Django answers with its 404 page
            return django_app(environ, start_response)
        if not writer.store(click):
            start_response("503 Service Unavailable", _UNAVAILABLE_HEADERS)
            return [_UNAVAILABLE_BODY]
        start_response("302 Found", link.headers)
        return [b""]

    return application


class RedirectFront:
    """The RSGI application: `/l/<code>` answered on the event loop, everything else by
    `django` (an RSGI application: Django's WSGI handler in threads, lib/wsgi_bridge.py).
    Clicks go to `clicks` (`budbringer serve`: the worker's click journal), else to this
    process's writer thread."""

    def __init__(self, django, clicks=None):
        self.django = django
        self.clicks = clicks or writer

    async def __call__(self, scope, proto) -> None:
        method = scope.method
        match = _PATH.fullmatch(scope.path) if scope.proto == "http" else None
        if match is None or method not in ("GET", "HEAD"):
            return await self.django(scope, proto)
        headers = scope.headers
        now = dt.datetime.now(dt.UTC)  # timezone.now() without its settings lookup
        remote_addr = scope.client.rpartition(":")[0].strip("[]")  # "ip:port", "[ipv6]:port"
        fields = {
            "method": method,
            "user_agent": headers.get("user-agent", ""),
            "referrer": headers.get("referer", ""),
            "ip": client_ip(remote_addr, headers.get("x-forwarded-for", "")),
            "now": now,
        }
        link = _cached_link(match[1])
        try:
            if link and visitors.salt_cached(now.date()):
                click = click_for(link, **fields)
            else:  # the ORM in a thread: it must not block the loop
                loop = asyncio.get_running_loop()
                link, click = await loop.run_in_executor(
                    self.django.executor, _read_click, match[1], fields
                )
        except Exception:
            logger.exception("reading a tracked link or the day's salt failed")
            proto.response_bytes(503, _UNAVAILABLE_HEADERS, _UNAVAILABLE_BODY)
            return None
        if link is None:  # Django answers with its 404 page
            return await self.django(scope, proto)
        if not await self.clicks.store_async(click):
            proto.response_bytes(503, _UNAVAILABLE_HEADERS, _UNAVAILABLE_BODY)
            return None
        proto.response_empty(302, link.headers)
        return None


def _read_click(code: str, fields: dict) -> tuple[CachedLink | None, ClickRow | None]:
    try:
        link = _load_link(code)
        return link, link and click_for(link, **fields)
    except Exception:
        connection.close()
        raise
