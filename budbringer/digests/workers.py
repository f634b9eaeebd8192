"""Who holds a claim on a digest or a delivery, and how a claim is taken."""

import os
import socket
import uuid

from django.db import connection, transaction
from django.db.models import QuerySet


def worker_name() -> str:
    """Host, process and a random part (process ids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_rows(
    claimable: QuerySet, *, order_by: tuple[str, ...], limit: int, take: dict, mine: dict
) -> list[int]:
    """Claim up to ``limit`` rows of ``claimable`` by writing ``take`` to them; returns the
    ids this claim won (committed), in id order.

    The UPDATE is still conditional on ``claimable``, so only rows claimable at that moment
    change hands; ``mine`` (the worker and its lease end) then tells which were won. On
    PostgreSQL rows another worker is claiming right now are skipped, not waited on; on
    SQLite the IMMEDIATE transaction keeps other writers out until the claim is made.
    """
    with transaction.atomic():
        candidates = claimable.order_by(*order_by)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        claimable.filter(pk__in=ids).update(**take)
    won = claimable.model.objects.filter(pk__in=ids, **mine)
    return list(won.order_by("pk").values_list("pk", flat=True))
