"""Paths in the repository are relative to it: a checkout anywhere, on any machine, finds
the shared data beside it (``../shared``) or through the documented variable, never through
the absolute path of one machine."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What is ours to read: code, tests, benchmarks, docs and the files at the top.
FOLDERS = ["budbringer", "tests", "benchmarks", "docs", ".ci"]
SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".cfg", ".sh", ""}
# The folders machines of ours mount checkouts and shared data under.
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|root|Users)/\w")


def _files():
    yield from (ROOT / name for name in ("README.md", "Makefile", "pyproject.toml"))
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in SUFFIXES and "locale" not in path.parts:
                yield path


def test_no_file_names_an_absolute_path_of_one_machine():
    found = []
    for path in _files():
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "absolute paths of one machine:\n" + "\n".join(found)


def test_the_pattern_finds_what_it_is_for():
    assert MACHINE_PATH.search('beside, "/work/shared/corpora/feedparser"')
    assert MACHINE_PATH.search("    cd /work/main")
    assert not MACHINE_PATH.search("../shared/corpora/feedparser")
    assert not MACHINE_PATH.search("https://example.com/work/x")
