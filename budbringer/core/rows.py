"""Many new rows at once, without making a model object for each.

For the digest pipeline's inserts (thousands of entries, deliveries and planned digests a
batch): bulk_create prepares every field of every object, which cost more than the insert.
Here the fixed values and defaults are prepared once per batch, each row sets only its own
values, and the rows go in with one executemany.
"""

from __future__ import annotations

import functools

from django.db import connection, connections
from django.db.models.constants import OnConflict


def insert_fields(model) -> list:
    """The columns bulk_create would fill for new rows of ``model`` (all but the id)."""
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def row_maker(model, **fixed):
    """Rows of new ``model`` objects, prepared as bulk_create would: the fixed values and the
    defaults are prepared once, and each row only sets its own values, which the caller
    gives as the database takes them (ids and strings as they are; a datetime through
    ``connection.ops.adapt_datetimefield_value``). Fields with ``auto_now_add`` have no
    default: give them in ``fixed``."""
    fields = insert_fields(model)
    template = [
        field.get_db_prep_save(fixed[field.attname] if field.attname in fixed
                               else field.get_default(), connection)
        for field in fields
    ]  # fmt: skip
    column = {field.attname: index for index, field in enumerate(fields)}
    unknown = set(fixed) - set(column)
    if unknown:
        raise TypeError(f"{model.__name__} has no columns {sorted(unknown)}")

    def row(**values) -> list:
        prepared = template.copy()
        for name, value in values.items():
            prepared[column[name]] = value
        return prepared

    return row


# Rows per INSERT on PostgreSQL: each column goes as one array parameter.
ROWS_PER_STATEMENT = 5000


def rows_per_statement(model) -> int:
    """How many rows `insert_rows` sends as a single statement, which outside a
    transaction is one of its own: stored whole or not at all, with no BEGIN and COMMIT
    round trips (the click writer relies on this)."""
    if connection.vendor == "postgresql":
        return ROWS_PER_STATEMENT
    return max(1, connection.features.max_query_params // len(insert_fields(model)))


def insert_rows(model, rows: list[list], *, ignore_conflicts: bool = False) -> None:
    """Insert rows made by ``row_maker(model)``; with ``ignore_conflicts`` a row that
    breaks a unique constraint is left out, as bulk_create(ignore_conflicts=True) does.

    SQLite takes up to `rows_per_statement` rows as one multi-row VALUES statement, more
    in one executemany (its loop runs in C). On PostgreSQL, psycopg would send each row
    of an executemany as a statement of its own, and a many-row VALUES list costs more to
    parse than to insert: the rows go by COPY (psycopg formats them in C; a third less
    time per click row than the alternative), or, to leave out conflicting rows, which COPY
    cannot, as one array per column unnested by the server. Either is one statement
    whatever the number of rows.
    """
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            if len(rows) <= rows_per_statement(model):
                sql = _values_sql(model, connection.alias, ignore_conflicts, len(rows))
                cursor.execute(sql, [value for row in rows for value in row])
            else:
                cursor.executemany(_insert_sql(model, connection.alias, ignore_conflicts), rows)
            return
        if not ignore_conflicts:
            # The driver's own cursor: Django's has no COPY; its errors made Django's here.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(_copy_sql(model, connection.alias)) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        sql = _unnest_sql(model, connection.alias, ignore_conflicts)
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])


def _conflict_sql(alias: str, fields: list, ignore_conflicts: bool) -> tuple[str, str]:
    """The statement's start ("INSERT INTO", "INSERT OR IGNORE INTO") and end."""
    ops = connections[alias].ops
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    return (
        ops.insert_statement(on_conflict=on_conflict),
        ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
    )


@functools.cache
def _insert_sql(model, alias: str, ignore_conflicts: bool) -> str:
    return _values_sql(model, alias, ignore_conflicts, 1)


@functools.lru_cache(maxsize=256)
def _values_sql(model, alias: str, ignore_conflicts: bool, rows: int) -> str:
    quote = connections[alias].ops.quote_name
    fields = insert_fields(model)
    start, end = _conflict_sql(alias, fields, ignore_conflicts)
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    # Only the model's own table and column names go into the text; values are parameters.
    return f"{start} {quote(model._meta.db_table)} ({columns}) VALUES {values} {end}".rstrip()


@functools.cache
def _unnest_sql(model, alias: str, ignore_conflicts: bool) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = insert_fields(model)
    start, end = _conflict_sql(alias, fields, ignore_conflicts)
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    # Only the model's own table, column names and types go into the text.
    return (
        f"{start} {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays}) {end}"
    ).rstrip()


@functools.cache
def _copy_sql(model, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(field.column) for field in insert_fields(model))
    # Only the model's own table and column names go into the text.
    return f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
