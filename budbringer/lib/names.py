"""Names people give things (organisations, lists, sources, topics, people, ...): the
rules they share.

1. A name is one line of ordinary characters. A control character (a line break, a tab,
   NUL, ...) breaks whatever the name is written into: the OPML export is no longer
   well-formed XML, a digest's Subject header refuses a line break, a file name breaks.
   `validate_one_line` refuses them on every such model field (so the admin, the forms
   and the loaders all get it), `one_line` cuts them out where a name is written out.
2. Two names of one organisation that differ only in case are the same name: people
   would not tell "Sales" from "sales" in a menu, and the database's unique constraints
   compare ``Lower(name)`` (each model's Meta).

`names_apart` and `migrate_to_one_line` are how migrations make existing rows keep both.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (C0, DEL, C1), the Unicode line and paragraph separators, the two
# non-characters XML cannot carry, and lone surrogates (which no encoder writes).
_NOT_IN_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]+")
# For a name that is nothing but such characters.
UNNAMED = "Unnamed"


def validate_one_line(value: str) -> None:
    if _NOT_IN_A_NAME.search(str(value)):
        raise ValidationError(
            _("Use one line of ordinary characters: no line breaks, tabs or control characters."),
            code="control_characters",
        )


def one_line(text: str) -> str:
    """``text`` with each run of the characters a name cannot hold made one space."""
    return _NOT_IN_A_NAME.sub(" ", str(text)).strip()


def names_apart(rows: Iterable[tuple[int, str]], max_length: int) -> dict[int, str]:
    """New names for the rows whose name an earlier row has, compared case-insensitively.

    ``rows`` are (id, name) of one organisation, oldest first: the oldest keeps its name,
    the next becomes "Name (2)", then "Name (3)", each a name no other row has, cut to
    ``max_length``. Returns {id: new name} for the rows to rename.
    """
    rows = list(rows)
    taken = {name.lower() for _id, name in rows}
    seen: set[str] = set()
    renamed: dict[int, str] = {}
    for row_id, name in rows:
        if name.lower() not in seen:
            seen.add(name.lower())
            continue
        number = 2
        while True:
            suffix = f" ({number})"
            candidate = name[: max_length - len(suffix)].rstrip() + suffix
            if candidate.lower() not in taken:
                break
            number += 1
        taken.add(candidate.lower())
        seen.add(candidate.lower())
        renamed[row_id] = candidate
    return renamed


def migrate_case_duplicates_apart(model) -> None:
    """Number apart the ``name`` of rows (a migration's historical model) that another row of
    the organisation has in another case: "Name (2)", "Name (3)", ..., the oldest keeping it,
    so that a case-insensitive unique constraint holds on existing data."""
    max_length = model._meta.get_field("name").max_length
    by_organisation: dict[int, list[tuple[int, str]]] = {}
    for row_id, organisation_id, name in model.objects.order_by("pk").values_list(
        "pk", "organisation_id", "name"
    ):
        by_organisation.setdefault(organisation_id, []).append((row_id, name))
    for rows in by_organisation.values():
        for row_id, name in names_apart(rows, max_length).items():
            model.objects.filter(pk=row_id).update(name=name)


def migrate_to_one_line(model, field: str, *, distinct_per_organisation: bool = False) -> None:
    """Make every stored ``field`` of ``model`` (a migration's historical model) one line.

    A name that was nothing but control characters becomes UNNAMED (or stays empty when
    it may be blank). With ``distinct_per_organisation``, the names a row's cleaned name
    would now share are numbered apart, the rows that were clean keeping theirs.
    """
    model_field = model._meta.get_field(field)
    columns = ["pk", field, "organisation_id"] if distinct_per_organisation else ["pk", field]
    # Streamed: items are many; only the names to change are kept.
    rows = model.objects.order_by("pk").values_list(*columns).iterator(chunk_size=2000)
    if distinct_per_organisation:  # lists, topics, departments: few
        rows = list(rows)
    cleaned = {}
    for row_id, name, *_organisation in rows:
        if _NOT_IN_A_NAME.search(name):
            cleaned[row_id] = one_line(name) or ("" if model_field.blank else UNNAMED)
    if distinct_per_organisation:
        by_organisation: dict[int, list[tuple[int, str]]] = {}
        # The clean rows first, so they keep their names.
        for row_id, name, organisation in sorted(rows, key=lambda row: row[0] in cleaned):
            by_organisation.setdefault(organisation, []).append((row_id, cleaned.get(row_id, name)))
        for organisation_rows in by_organisation.values():
            cleaned.update(names_apart(organisation_rows, model_field.max_length))
    for row_id, name in cleaned.items():
        model.objects.filter(pk=row_id).update(**{field: name[: model_field.max_length]})
