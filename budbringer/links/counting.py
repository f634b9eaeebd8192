"""The counting pass: what each browser-like (pending) click was, decided once it has settled.

A click waits ``CLICK_SETTLE_SECONDS`` so that what happens right after it is seen too:

1. **E-mail scanners** (Safe Links, Proofpoint, Mimecast, Barracuda) follow every link of a
   message within a second or two of delivery, with a browser's user agent. Their pattern:
   one visitor hash on two or more *different* links within the settle window. Every click
   of such a burst is ``scanner``. A person reads a page before following another link, so
   two links a minute apart stay people.
2. **Repeats**: a ``unique`` click opens 30 minutes in which the same visitor's clicks on the
   same link are ``repeat``; the first one after that is ``unique`` again.

Passes run one at a time (an advisory lock on PostgreSQL, SQLite's IMMEDIATE write lock),
so every click is settled by exactly one pass, and ``clicks_counted`` is sent once per
click, after the commit.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from budbringer.links.events import clicks_counted
from budbringer.links.models import Click, ClickKind

REPEAT_WINDOW = dt.timedelta(minutes=30)
# Different links one visitor must follow within the settle window to be a scanner.
SCANNER_MIN_LINKS = 2
# Clicks settled per pass; a pass takes the oldest first, the next pass the rest.
BATCH_SIZE = 5000
# Any constant key, shared by every process: PostgreSQL's advisory lock for counting passes.
_LOCK_KEY = 0x62756462  # "budb"


def settle_window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CLICK_SETTLE_SECONDS)


@dataclass(frozen=True)
class SeenClick:
    """What the decision needs of a click: plain data, so ``classify`` needs no database."""

    id: int
    link_id: int
    visitor_hash: str
    clicked_at: dt.datetime
    kind: str


def classify(
    pending: Iterable[SeenClick], context: Iterable[SeenClick], burst: dt.timedelta
) -> dict[int, str]:
    """The kind of each pending click, given the other clicks of the same visitors.

    ``context`` holds their clicks from ``REPEAT_WINDOW`` before the first pending click
    up to now (settled, and pending ones too young to settle), so a burst that reaches
    past the pending ones is seen whole.
    """
    pending = sorted(pending, key=lambda c: (c.clicked_at, c.id))
    by_visitor: dict[str, list[SeenClick]] = defaultdict(list)
    for click in [*context, *pending]:
        by_visitor[click.visitor_hash].append(click)
    for clicks in by_visitor.values():
        clicks.sort(key=lambda c: (c.clicked_at, c.id))

    decided: dict[int, str] = {}
    # Start of the latest unique click per (visitor, link), settled ones included.
    unique_since: dict[tuple[str, int], dt.datetime] = {}
    for click in sorted(
        (c for c in context if c.kind == ClickKind.UNIQUE), key=lambda c: c.clicked_at
    ):
        unique_since[(click.visitor_hash, click.link_id)] = click.clicked_at

    for click in pending:
        if click.visitor_hash and _in_burst(click, by_visitor[click.visitor_hash], burst):
            decided[click.id] = ClickKind.SCANNER
            continue
        key = (click.visitor_hash, click.link_id)
        opened = unique_since.get(key)
        if click.visitor_hash and opened is not None and click.clicked_at - opened < REPEAT_WINDOW:
            decided[click.id] = ClickKind.REPEAT
        else:
            decided[click.id] = ClickKind.UNIQUE
            unique_since[key] = click.clicked_at
    return decided


def _in_burst(click: SeenClick, visitor_clicks: list[SeenClick], burst: dt.timedelta) -> bool:
    """Whether the visitor followed SCANNER_MIN_LINKS different links within ``burst`` of
    this click (before or after it); previews and probes of that visitor do not count."""
    links = {
        other.link_id
        for other in visitor_clicks
        if abs(other.clicked_at - click.clicked_at) <= burst
        and other.kind in (ClickKind.PENDING, ClickKind.UNIQUE, ClickKind.REPEAT, ClickKind.SCANNER)
    }
    return len(links) >= SCANNER_MIN_LINKS


def _seen(rows) -> list[SeenClick]:
    return [SeenClick(**row) for row in rows]


_FIELDS = ("id", "link_id", "visitor_hash", "clicked_at", "kind")


def lock_counting_passes() -> None:
    """Make counting passes wait for each other, until the caller's transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction (settings.py) already holds the only write lock.


def count_pending_clicks(now: dt.datetime | None = None) -> list[Click]:
    """Settle the pending clicks older than the settle window; returns the settled clicks.

    Safe to run in any number of workers at once: see the module docstring.
    """
    now = now or timezone.now()
    burst = settle_window()
    with transaction.atomic():
        lock_counting_passes()
        pending = _seen(
            Click.objects.filter(kind=ClickKind.PENDING, clicked_at__lte=now - burst)
            .order_by("clicked_at", "id")
            .values(*_FIELDS)[:BATCH_SIZE]
        )
        if not pending:
            return []
        pending_ids = {c.id for c in pending}
        visitors = {c.visitor_hash for c in pending if c.visitor_hash}
        context = _seen(
            Click.objects.filter(
                visitor_hash__in=visitors,
                clicked_at__gte=min(c.clicked_at for c in pending) - REPEAT_WINDOW,
            )
            .exclude(id__in=pending_ids)
            .values(*_FIELDS)
        )
        decided = classify(pending, context, burst)
        by_kind: dict[str, list[int]] = defaultdict(list)
        for click_id, kind in decided.items():
            by_kind[kind].append(click_id)
        for kind, ids in by_kind.items():
            for start in range(0, len(ids), 900):  # SQLite's limit on query parameters
                Click.objects.filter(
                    id__in=ids[start : start + 900], kind=ClickKind.PENDING
                ).update(kind=kind)
        settled = _load_in_chunks(sorted(pending_ids))
        transaction.on_commit(lambda: clicks_counted.send(Click, clicks=settled))
    return settled


def _load_in_chunks(ids: list[int]) -> list[Click]:
    clicks: list[Click] = []
    for start in range(0, len(ids), 900):
        clicks += Click.objects.filter(id__in=ids[start : start + 900]).select_related("link")
    return sorted(clicks, key=lambda c: (c.clicked_at, c.id))
