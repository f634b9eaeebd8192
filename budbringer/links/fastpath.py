"""The tracked-link redirect served before Django: the busiest request, on the shortest path.

`redirect_front(django_app)` wraps the WSGI application. A GET or HEAD on ``/l/<code>`` is
answered here without middleware, URL resolving or per-request ORM reads:

1. The link comes from a small in-process cache (`LINK_CACHE_SECONDS`), with its 302
   headers built once: the target is only ever the registered one, with UTM parameters.
2. The click's fields are computed in the request thread: kind from method and user agent
   (cached per agent string), browser family (cached likewise), referrer host and the
   salted visitor hash (no raw IP kept).
3. The click goes to `ClickWriter`, one thread per process that writes whatever clicks are
   waiting in one transaction (group commit), and the request waits until that
   transaction is committed. Only then is the 302 sent, so every redirect answered has
   its row, even if the process is killed right after. If the write fails, nothing of
   the batch is stored and every request in it is answered 503 (no redirect, no click).

Everything else (other paths, other methods) goes to Django unchanged.
"""

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
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from budbringer.links.bots import request_kind
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click, TrackedLink
from budbringer.links.tracking import _referrer_host, _user_agent_family, redirect_target
from budbringer.links.visitors import visitor_hash

logger = logging.getLogger(__name__)

_PATH = re.compile(r"/l/([A-Za-z0-9_-]{1,64})")
# How long a link stays in memory: targets never change, so this only delays a deletion.
LINK_CACHE_SECONDS = 5.0
# At most this many clicks in one transaction; more waiting means another transaction.
MAX_BATCH = 512
# A request waits at most this long for its click to be stored, then answers 503.
WRITE_TIMEOUT_SECONDS = 20.0

_UNAVAILABLE_BODY = b"Please try again in a moment.\n"
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


def _load_link(code: str) -> CachedLink | None:
    now = time.monotonic()
    cached = _links.get(code)
    if cached and cached[0] > now:
        return cached[1]
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
    _links[code] = (now + LINK_CACHE_SECONDS, entry)
    return entry


@lru_cache(maxsize=4096)
def _browser_family(user_agent: str) -> str:
    return _user_agent_family(user_agent)


class _Waiter:
    __slots__ = ("click", "done", "stored")

    def __init__(self, click: Click):
        self.click = click
        self.done = threading.Event()
        self.stored = False


class ClickWriter:
    """Group commit of clicks: callers block in `store` until their click is durable."""

    def __init__(self, max_batch: int = MAX_BATCH):
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Waiter | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def store(self, click: Click, timeout: float = WRITE_TIMEOUT_SECONDS) -> bool:
        """Whether the click is committed; False means nothing of it was stored."""
        self._ensure_thread()
        waiter = _Waiter(click)
        self._queue.put(waiter)
        if not waiter.done.wait(timeout):
            logger.error("click not written within %.0f s", timeout)
            return False
        return waiter.stored

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
        stored = self._commit(batch)
        if not stored and len(batch) > 1:
            # One bad click (its link deleted a moment ago) must not fail the others.
            stored = [waiter for one in batch for waiter in self._commit([one])]
        for waiter in batch:
            waiter.done.set()
        if stored:
            clicks_recorded.send_robust(Click, clicks=[waiter.click for waiter in stored])

    @staticmethod
    def _commit(batch: list[_Waiter]) -> list[_Waiter]:
        """The waiters whose clicks are now committed: all of the batch or none."""
        try:
            close_old_connections()
            with transaction.atomic():
                Click.objects.bulk_create([waiter.click for waiter in batch])
        except Exception:
            logger.exception("storing %d clicks failed; they are answered 503", len(batch))
            connection.close()  # a broken connection must not poison the next batch
            return []
        for waiter in batch:
            waiter.stored = True
        return batch


writer = ClickWriter()


def clear_caches() -> None:
    """Forget cached links (tests; a process sees deletions after LINK_CACHE_SECONDS)."""
    _links.clear()


def _client_ip(environ: dict) -> str:
    if settings.BEHIND_PROXY:
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.rsplit(",", 1)[-1].strip()
    return environ.get("REMOTE_ADDR", "")


def click_for(link: CachedLink, environ: dict, now: dt.datetime) -> Click:
    user_agent = environ.get("HTTP_USER_AGENT", "")
    return Click(
        organisation_id=link.organisation_id,
        link_id=link.id,
        clicked_at=now,
        network=link.network,
        referrer_host=_referrer_host(environ.get("HTTP_REFERER", "")),
        user_agent_family=_browser_family(user_agent),
        kind=request_kind(environ["REQUEST_METHOD"], user_agent),
        visitor_hash=visitor_hash(_client_ip(environ), now.date()),
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
            click = link and click_for(link, environ, timezone.now())
        except Exception:
            logger.exception("reading a tracked link or the day's salt failed")
            connection.close()
            start_response("503 Service Unavailable", [("Retry-After", "1")])
            return [_UNAVAILABLE_BODY]
        if link is None:  # Django answers with its 404 page
            return django_app(environ, start_response)
        if not writer.store(click):
            start_response("503 Service Unavailable", [("Retry-After", "1")])
            return [_UNAVAILABLE_BODY]
        start_response("302 Found", link.headers)
        return [b""]

    return application
