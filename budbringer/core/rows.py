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


def insert_rows(model, rows: list[list], *, ignore_conflicts: bool = False) -> None:
    """Insert rows made by ``row_maker(model)``; with ``ignore_conflicts`` a row that
    breaks a unique constraint is left out, as bulk_create(ignore_conflicts=True) does."""
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_insert_sql(model, connection.alias, ignore_conflicts), rows)


@functools.cache
def _insert_sql(model, alias: str, ignore_conflicts: bool) -> str:
    ops = connections[alias].ops
    fields = insert_fields(model)
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    suffix = ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    # Only the model's own table and column names go into the text; values are parameters.
    return (
        f"{ops.insert_statement(on_conflict=on_conflict)} "
        f"{ops.quote_name(model._meta.db_table)} ({columns}) "
        f"VALUES ({placeholders}) {suffix}"
    ).rstrip()
