"""The interface ships in Swedish, Norwegian Bokmål, Danish and Dutch.

Every catalogue is complete (no empty or fuzzy entry), its compiled .mo matches the .po, the
placeholders survive translation, and every string marked in the templates and the Python
code has an entry. The last check scans the sources itself instead of running makemessages,
because CI has no GNU gettext; see docs for how to update the catalogues.
"""

import ast
import gettext as gnu_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

PACKAGE = Path(__file__).resolve().parent.parent / "budbringer"
LOCALE = PACKAGE / "locale"
LANGUAGES = ["sv", "nb", "da", "nl"]


# A small .po reader: enough for what makemessages writes, no dependency.


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], body[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Entries in file order, the header ("" msgid) first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line)
            if isinstance(target, int):
                entry.msgstr[target] += value
            else:
                setattr(entry, target, getattr(entry, target) + value)
        else:
            keyword, value = line.split(None, 1)
            if isinstance(target, int) and keyword in ("msgid", "msgctxt"):
                finish()  # a new entry without a blank line before it
            entry.line = entry.line or number
            plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural_form:
                target = int(plural_form.group(1))
                entry.msgstr[target] = _unquote(value)
            elif keyword == "msgstr":
                target = 0
                entry.msgstr[0] = _unquote(value)
            else:
                target = keyword
                setattr(entry, keyword, _unquote(value))
    finish()
    return entries


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def messages(lang: str) -> list[Entry]:
    return [entry for entry in read_po(po_path(lang)) if entry.msgid]


def header(lang: str) -> dict[str, str]:
    first = read_po(po_path(lang))[0]
    assert first.msgid == "", "the header must be the first entry"
    fields = (line.split(":", 1) for line in first.msgstr[0].splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in fields}


def describe(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


# Placeholders: %(name)s, %s and %% for python-format; {name} for python-brace-format.

_PERCENT = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str, flags: set[str]) -> tuple:
    found: tuple = ()
    if "python-format" in flags:
        matches = _PERCENT.findall(text)
        found += (
            sorted({name for name, _ in matches if name}),
            [conversion for name, conversion in matches if not name],
        )
    if "python-brace-format" in flags:
        found += (sorted(set(_BRACE.findall(text))),)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header_names_the_language_and_its_plurals(lang):
    fields = header(lang)
    assert fields["Language"] == lang
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert "fuzzy" not in read_po(po_path(lang))[0].flags


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    entries = messages(lang)
    assert len(entries) > 100
    untranslated = [
        describe(e)
        for e in entries
        if not e.msgstr
        or not all(e.msgstr.values())
        or len(e.msgstr) != (2 if e.msgid_plural else 1)
    ]
    fuzzy = [describe(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{lang}: untranslated {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang):
    wrong = []
    for entry in messages(lang):
        for form, text in entry.msgstr.items():
            source = entry.msgid_plural if entry.msgid_plural and form > 0 else entry.msgid
            if placeholders(text, entry.flags) != placeholders(source, entry.flags):
                wrong.append(f"{describe(entry)} msgstr[{form}]={text!r}")
    assert not wrong, f"{lang}: placeholders differ in {wrong}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po(lang):
    """A .po edited without running compilemessages fails here."""
    with open(po_path(lang).with_suffix(".mo"), "rb") as mo_file:
        compiled = gnu_gettext.GNUTranslations(mo_file)
    assert compiled.info()["language"] == lang
    # GNUTranslations keeps the compiled entries in _catalog, keyed "context\x04msgid", and
    # (msgid, form) for plurals; reading it directly also catches msgstr == msgid entries.
    catalog = compiled._catalog
    stale = []
    for entry in messages(lang):
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            got = {form: catalog.get((msgid, form)) for form in entry.msgstr}
        else:
            got = {0: catalog.get(msgid)}
        if got != entry.msgstr:
            stale.append(describe(entry))
    assert not stale, f"{lang}: run compilemessages; the .mo differs from the .po for {stale}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_interface_speaks_the_language(lang):
    translated = {e.msgid: e.msgstr for e in messages(lang)}
    with translation.override(lang):
        assert translation.gettext("For you") != "For you"
        assert translation.gettext("For you") == translated["For you"][0]
        singular, plural = translated["Last %(days)s day"][0], translated["Last %(days)s day"][1]
        assert translation.ngettext("Last %(days)s day", "Last %(days)s days", 1) == singular
        assert translation.ngettext("Last %(days)s day", "Last %(days)s days", 7) == plural


# Strings marked in the sources, found the way makemessages finds them.

_GETTEXT_CALLS = {
    # name: (context argument, singular argument, plural argument)
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def python_messages(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in _GETTEXT_CALLS:
            continue
        context_at, msgid_at, _plural_at = _GETTEXT_CALLS[name]
        args = node.args
        literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args]
        if len(args) <= msgid_at or not literal[msgid_at]:
            continue  # a variable: nothing to extract, as for makemessages
        context = args[context_at].value if context_at is not None and literal[0] else None
        found.add((context, args[msgid_at].value))
    return found


_TRANSLATE_TAG = re.compile(r"""\{%\s*trans(?:late)?\s+(["'])(.*?)\1(.*?)%\}""")
_UNDERSCORE = re.compile(r"""\b_\(\s*(["'])(.*?)\1\s*\)""")
_BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?\b(.*?)%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.DOTALL
)
_CONTEXT = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")
_PLURAL_TAG = re.compile(r"\{%\s*plural\s*%\}")
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def template_messages(path: Path) -> set[tuple[str | None, str]]:
    text = path.read_text(encoding="utf-8")
    found = set()
    for match in _TRANSLATE_TAG.finditer(text):
        context = _CONTEXT.search(match.group(3))
        found.add((context.group(2) if context else None, match.group(2)))
    for match in _UNDERSCORE.finditer(text):
        found.add((None, match.group(2)))
    for match in _BLOCK.finditer(text):
        options, body = match.groups()
        singular = _PLURAL_TAG.split(body)[0]
        if "trimmed" in options.split():
            singular = translation.trim_whitespace(singular)
        msgid = _VARIABLE.sub(r"%(\1)s", singular.replace("%", "%%"))
        context = _CONTEXT.search(options)
        found.add((context.group(2) if context else None, msgid))
    return found


def source_messages() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> the first file that marks it."""
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if LOCALE in path.parents or "__pycache__" in path.parts:
            continue
        if path.suffix == ".py":
            keys = python_messages(path)
        elif path.suffix in (".html", ".txt"):
            keys = template_messages(path)
        else:
            continue
        for key in keys:
            found.setdefault(key, str(path.relative_to(PACKAGE.parent)))
    return found


def test_the_source_scan_finds_marked_strings():
    found = source_messages()
    assert (None, "For you") in found  # {% translate %}
    assert (None, "No department") in found  # _() inside a template filter
    assert (None, "Share on %(network)s") in found  # {% blocktranslate %}
    assert (None, "Last %(days)s day") in found  # its singular when plural
    assert (None, "Choose at least one language.") in found  # _() in Python


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_string_is_in_the_catalogue(lang):
    known = {e.key for e in messages(lang)}
    missing = [
        f"{where}: {key[1]!r}" for key, where in source_messages().items() if key not in known
    ]
    assert not missing, (
        f"{lang}: new strings without a translation; run makemessages, translate, "
        f"compilemessages (see docs): {missing}"
    )
