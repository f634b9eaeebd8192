"""Every environment variable the code reads is listed in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(
    r"""(?:env_\w+|os\.environ\.get|os\.environ\.setdefault|getenv)\(\s*["']([A-Z_]+)["']"""
)
IGNORED = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def variables_read() -> set[str]:
    names = set()
    for path in [*ROOT.joinpath("budbringer").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py")]:
        names.update(READ.findall(path.read_text()))
    return names - IGNORED


def test_code_reads_variables():
    assert {"DATABASE_URL", "SECRET_KEY", "BUDBRINGER_BASE_URL"} <= variables_read()


def test_every_variable_is_documented():
    documented = set(
        re.findall(r"^\| `([A-Z_]+)`", (ROOT / "docs/configuration.md").read_text(), re.M)
    )
    assert variables_read() - documented == set()
