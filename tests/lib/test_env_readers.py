import pytest
from django.core.exceptions import ImproperlyConfigured

from budbringer.lib.env import env_bool, env_int, env_list, env_str

NAME = "BUDBRINGER_TEST_SETTING"


def test_unset_variables_give_the_default(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    assert env_str(NAME, "fallback") == "fallback"
    assert env_bool(NAME, True) is True
    assert env_int(NAME, 7) == 7
    assert env_list(NAME, ["a"]) == ["a"]


def test_str_is_taken_as_it_is(monkeypatch):
    monkeypatch.setenv(NAME, " spaced ")
    assert env_str(NAME, "fallback") == " spaced "


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("off", False),
     ("FALSE", False), ("no", False), ("", False)],
)  # fmt: skip
def test_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "truee", "y es"])
def test_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured, match=NAME):
        env_bool(NAME, False)


def test_int_reads_whole_numbers(monkeypatch):
    monkeypatch.setenv(NAME, "42")
    assert env_int(NAME, 0) == 42
    monkeypatch.setenv(NAME, "-3")
    assert env_int(NAME, 0) == -3


@pytest.mark.parametrize("raw", ["", "eight", "1.5", "0x10"])
def test_int_refuses_what_is_not_a_whole_number(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int(NAME, 0)


def test_int_refuses_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv(NAME, "5")
    with pytest.raises(ImproperlyConfigured, match="at least 6"):
        env_int(NAME, 8, minimum=6)
    monkeypatch.setenv(NAME, "6")
    assert env_int(NAME, 8, minimum=6) == 6


def test_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(NAME, " example.com, ,www.example.com ,")
    assert env_list(NAME, []) == ["example.com", "www.example.com"]
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["default"]) == []
