"""The rules names share (budbringer/lib/names.py)."""

from budbringer.lib.names import names_apart


def test_the_oldest_keeps_its_name_the_others_are_numbered_in_any_case():
    rows = [(1, "Sales"), (2, "SALES"), (3, "Engineering"), (4, "sales"), (5, "Sales (2)")]
    assert names_apart(rows, 200) == {2: "SALES (3)", 4: "sales (4)"}


def test_numbered_names_fit_the_column():
    rows = [(1, "x" * 10), (2, "X" * 10), (3, "x" * 10)]
    assert names_apart(rows, 10) == {2: "XXXXXX (2)", 3: "xxxxxx (3)"}


def test_names_apart_already_change_nothing():
    assert names_apart([(1, "Sales"), (2, "Engineering")], 200) == {}
