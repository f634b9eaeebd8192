"""Hostile XML for the tests of every parser that reads uploads or feeds."""

import itertools


def billion_laughs(root: str, document: str) -> bytes:
    """The classic entity-expansion bomb: `&lol9;` in `document` would expand to 10⁹
    "lol"s (3 GB) in a parser that expands entities."""
    names = ["lol", *(f"lol{level}" for level in range(1, 10))]
    entities = ['  <!ENTITY lol "lol">']
    for previous, name in itertools.pairwise(names):
        entities.append(f'  <!ENTITY {name} "{f"&{previous};" * 10}">')
    doctype = "\n".join(entities)
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n{doctype}\n]>\n{document}'.encode()
