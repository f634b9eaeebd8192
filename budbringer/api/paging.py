"""Stable cursors: a page ends at a row id, the next page starts after it.

Ids only grow, so a cursor stays valid while rows are added, and a client that keeps its
last cursor fetches each row once. The cursor is opaque to clients (base64 of the id) so
that it can change shape later without breaking them.
"""

import base64
import binascii
from dataclasses import dataclass

from django.db.models import QuerySet

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class BadCursor(ValueError):
    pass


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{after_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor points after; BadCursor for anything we did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadCursor(cursor) from error
    kind, _, number = raw.partition(":")
    if kind != "id" or not number.isdigit() or len(number) > 18:
        raise BadCursor(cursor)
    return int(number)


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None


def page_after(queryset: QuerySet, cursor: str | None, limit: int) -> Page:
    """Up to ``limit`` rows in id order after the cursor, and the cursor of the next page."""
    if cursor:
        queryset = queryset.filter(id__gt=decode_cursor(cursor))
    rows = list(queryset.order_by("id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more else None)
