"""Visits of a digest's links, counted as tracked-link clicks are (``links.counting``).

A mail scanner follows every read and share link of a digest within a second or two of
delivery, with a browser's user agent. So a read visit is stored ``pending`` and becomes
the person's "clicked" feedback (and an active hour for the timing model) only when the
counting pass settles it as ``unique``: never for a scanner burst, once per 30 minutes.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from budbringer.digests.models import DigestClick, DigestEntry
from budbringer.links.bots import request_kind
from budbringer.links.counting import (
    REPEAT_WINDOW,
    SeenClick,
    classify,
    lock_counting_passes,
    settle_window,
)
from budbringer.links.models import ClickKind
from budbringer.links.visitors import visitor_hash
from budbringer.relevance.events import record_interaction

BATCH_SIZE = 5000


def record_digest_click(
    entry: DigestEntry,
    action: str,
    *,
    method: str,
    user_agent: str,
    ip: str,
    network: str = "",
    now: dt.datetime | None = None,
) -> DigestClick:
    now = now or timezone.now()
    click = DigestClick.objects.create(
        digest_id=entry.digest_id,
        item_id=entry.item_id,
        action=action,
        network=network,
        clicked_at=now,
        kind=request_kind(method, user_agent),
        visitor_hash=visitor_hash(ip, now.date()),
    )
    if click.kind == ClickKind.PENDING:
        from budbringer.links.tasks import request_count_after

        transaction.on_commit(lambda: request_count_after(now))
    return click


def count_pending_digest_clicks(now: dt.datetime | None = None) -> list[DigestClick]:
    """Settle the pending digest visits older than the settle window; returns them with
    their final kind. Safe beside other passes, as ``links.counting`` is."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_counting_passes()
        return _settle(now)


def _settle(now: dt.datetime) -> list[DigestClick]:
    fields = ("id", "digest_id", "item_id", "action", "network", "visitor_hash", "clicked_at")
    rows = list(
        DigestClick.objects.filter(kind=ClickKind.PENDING, clicked_at__lte=now - settle_window())
        .order_by("clicked_at", "id")
        .values(*fields, "kind")[:BATCH_SIZE]
    )
    if not rows:
        return []
    pending_ids = {row["id"] for row in rows}
    context_rows = list(
        DigestClick.objects.filter(
            visitor_hash__in={row["visitor_hash"] for row in rows if row["visitor_hash"]},
            clicked_at__gte=rows[0]["clicked_at"] - REPEAT_WINDOW,
        )
        .exclude(id__in=pending_ids)
        .values(*fields, "kind")
    )
    # Each distinct link of a digest (read or share on a network, per item) is one "link".
    link_ids: dict[tuple, int] = {}

    def seen(row) -> SeenClick:
        key = (row["digest_id"], row["item_id"], row["action"], row["network"])
        return SeenClick(
            id=row["id"],
            link_id=link_ids.setdefault(key, len(link_ids)),
            visitor_hash=row["visitor_hash"],
            clicked_at=row["clicked_at"],
            kind=row["kind"],
        )

    decided = classify([seen(r) for r in rows], [seen(r) for r in context_rows], settle_window())
    by_kind: dict[str, list[int]] = defaultdict(list)
    for click_id, kind in decided.items():
        by_kind[kind].append(click_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 900):
            DigestClick.objects.filter(
                id__in=ids[start : start + 900], kind=ClickKind.PENDING
            ).update(kind=kind)
    settled = [
        click
        for start in range(0, len(rows), 900)
        for click in DigestClick.objects.filter(
            id__in=[row["id"] for row in rows[start : start + 900]]
        ).select_related("digest__person", "item")
    ]
    for click in settled:
        if click.kind == ClickKind.UNIQUE and click.action == DigestClick.READ:
            record_interaction(click.digest.person, click.item, "clicked", at=click.clicked_at)
    return settled
