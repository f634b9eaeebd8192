"""Names people give things (lists, topics, departments, ...): the rules they share.

Two names of one organisation that differ only in case are the same name: people would
not tell "Sales" from "sales" in a menu, and the database's unique constraints compare
``Lower(name)`` (each model's Meta). `names_apart` is how a migration makes existing
rows keep that rule.
"""

from collections.abc import Iterable


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
