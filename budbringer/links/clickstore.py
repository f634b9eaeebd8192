"""The redirect path's clicks as plain rows, stored many at a time.

A redirect makes a `ClickRow` (a tuple, a fraction of a model object's cost). Under
`budbringer serve` it goes to the click journal and the ingester stores it
(links/journal.py, links/ingester.py); elsewhere to the writer thread of
links/fastpath.py, which stores it with `store_clicks`.
"""

import datetime as dt
import logging
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction

from budbringer.core.rows import insert_rows, rows_per_statement
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click

logger = logging.getLogger(__name__)


def _sqlite_time(value: dt.datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC, ISO, a space
    # (str(naive), but `replace(tzinfo=None)` costs three times this).
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ")[:-6]  # without "+00:00"


def _database_time(vendor: str):
    """The clicked_at value the driver takes: Django's adapter costs several times more."""
    return _sqlite_time if vendor == "sqlite" else connection.ops.adapt_datetimefield_value


class ClickRow(NamedTuple):
    """A new click, its fields in the order of Click's columns (checked by a test)."""

    organisation_id: int
    link_id: int
    clicked_at: dt.datetime
    network: str
    referrer_host: str
    user_agent_family: str
    kind: str
    visitor_hash: str


def store_clicks(rows: list[ClickRow]) -> list[bool]:
    """Store the rows in one transaction; whether each one is stored.

    If the transaction fails, each row is tried in a transaction of its own: one bad click
    (its link deleted a moment ago) must not cost the others their redirect; any other
    failure stores none of them. Receivers of
    `clicks_recorded` hear of the stored rows after their commit.
    """
    try:
        _insert(rows)
        stored = [True] * len(rows)
    except IntegrityError:
        stored = [_insert_alone(row) for row in rows] if len(rows) > 1 else [False]
    except Exception:  # the database unreachable, the disk full: trying each row won't help
        logger.exception("storing %d clicks failed", len(rows))
        stored = [False] * len(rows)
    kept = [row for row, ok in zip(rows, stored, strict=True) if ok]
    if kept:
        clicks_recorded.send_robust(Click, clicks=kept)
    return stored


def _insert_alone(row: ClickRow) -> bool:
    try:
        _insert([row])
        return True
    except Exception:
        logger.exception("storing a click of link %s failed", row.link_id)
        return False


def database_values(rows: list[ClickRow]) -> list[tuple]:
    """The rows as `insert_rows(Click, ...)` takes them."""
    database_time = _database_time(connection.vendor)
    return [(*row[:2], database_time(row[2]), *row[3:]) for row in rows]


def _insert(rows: list[ClickRow]) -> None:
    """One statement in autocommit when it can (its own transaction, no BEGIN and COMMIT
    round trips), else one transaction."""
    try:
        values = database_values(rows)
        if len(values) <= rows_per_statement(Click) and connection.get_autocommit():
            insert_rows(Click, values)
        else:
            with transaction.atomic():
                insert_rows(Click, values)
    except Exception:
        if connection.connection is not None and not connection.is_usable():
            connection.close()  # a broken connection must not poison the next batch
        raise
