"""Import people from a CSV file: read it, say what each row would do, then do it.

Plain Python on bytes, no HTTP: the import page and ``budbringer people import`` both
call ``preview_import`` (the dry run) and ``import_people`` (all or nothing). Every
change to a person goes through ``accounts.provisioning``, the one home for that; this
module only turns a spreadsheet into ``PersonDetails`` and reports per row.
The columns are documented in docs/people-import.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from budbringer.accounts.models import Organisation, Person
from budbringer.accounts.provisioning import (
    BatchRefused,
    PersonDetails,
    ProvisioningError,
    check_details,
    plan_people,
    provision_people,
)

REQUIRED_COLUMNS = ("email", "name", "department", "role", "language", "time_zone")
OPTIONAL_COLUMNS = ("manager_email",)
# Several languages in one cell: "en sv" or "en|sv".
LANGUAGE_SEPARATORS = re.compile(r"[\s|]+")


# What the preview calls each field a row changes (the keys of ``RowOutcome.changes``).
CHANGE_LABELS = {
    "name": gettext_lazy("Name"),
    "role": gettext_lazy("Role"),
    "languages": gettext_lazy("Languages"),
    "time_zone": gettext_lazy("Time zone"),
    "department": gettext_lazy("Department"),
    "manager": gettext_lazy("Manager"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, not UTF-8, too big, no header)."""


@dataclass
class RowOutcome:
    """One row of the file and what importing it does (or would do)."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    email: str
    name: str
    kind: str  # "new", "changed", "unchanged" or "error"
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    error: str = ""
    person: Person | None = None  # after a real import, for new and changed rows

    @property
    def shown_changes(self) -> list[tuple[str, str, str]]:
        """(label, old, new) of each change, for people to read."""
        return [
            (str(CHANGE_LABELS.get(name, name)), old, new)
            for name, (old, new) in self.changes.items()
        ]


@dataclass
class ImportReport:
    rows: list[RowOutcome]
    saved: bool = False  # whether the import wrote anything (never for a dry run)
    # A real import refused because the plan differs from the preview it was asked for.
    stale: bool = False

    def count(self, kind: str) -> int:
        return sum(row.kind == kind for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in ("new", "changed", "unchanged", "error")}

    @property
    def errors(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.kind == "error"]

    @property
    def to_save(self) -> int:
        """People the import would create or change."""
        return self.count("new") + self.count("changed")

    def fingerprint(self) -> str:
        """Identifies exactly what the import would do, so that the page applies what it
        previewed and nothing else (someone may have changed people in between)."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(
                repr((row.row, row.email, row.kind, sorted(row.changes.items()))).encode()
            )
        return digest.hexdigest()


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    too_many_cells: bool = False


# Other spellings people give their columns.
COLUMN_ALIASES = {"e_mail": "email", "manager_e_mail": "manager_email", "languages": "language"}


def _column_name(header: str) -> str:
    """Header cells are matched trimmed and case-insensitively; "Time zone" and
    "time-zone" are time_zone, "E-mail" is email."""
    name = re.sub(r"[\s-]+", "_", header.strip().lower())
    return COLUMN_ALIASES.get(name, name)


def _decode(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _(
                "This is a spreadsheet workbook (.xlsx), not a CSV file. In Excel choose "
                "File, Save As, “CSV UTF-8 (comma delimited)”."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ImportFileError(
            _(
                "This is not a CSV file in UTF-8 (it looks like UTF-16 or a binary file). "
                "Save it as “CSV UTF-8”."
            )
        )
    try:
        return data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _(
                "The file is not in UTF-8 (line %(line)s has a character in another "
                "encoding). Save it as “CSV UTF-8”."
            )
            % {"line": line}
        ) from None


def _separator(header_line: str) -> str:
    """``;`` where Excel uses it (locales with a decimal comma, most of the Nordics and
    Benelux), else ``,``: whichever the header line has more of."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_rows(data: bytes) -> tuple[list[str], list[_Row]]:
    """The file's columns and data rows, each cell trimmed and keyed by its column;
    raises ImportFileError for what makes the whole file unreadable."""
    max_bytes = settings.PEOPLE_IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise ImportFileError(
            _("The file is larger than %(size)s (BUDBRINGER_PEOPLE_IMPORT_MAX_BYTES).")
            % {"size": f"{max_bytes / 1024 / 1024:.1f} MB"}
        )
    text = _decode(data)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text.split("\n")[0]))
    try:
        header = [_column_name(cell) for cell in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            if any("@" in cell for cell in header):
                raise ImportFileError(
                    _("The first line must name the columns (%(columns)s).")
                    % {"columns": ", ".join(REQUIRED_COLUMNS)}
                )
            raise ImportFileError(
                ngettext(
                    "The column %(missing)s is missing (the file has: %(found)s).",
                    "The columns %(missing)s are missing (the file has: %(found)s).",
                    len(missing),
                )
                % {"missing": ", ".join(missing), "found": ", ".join(filter(None, header))}
            )
        doubled = sorted({cell for cell in header if cell and header.count(cell) > 1})
        if doubled:
            raise ImportFileError(
                _("The column %(columns)s appears more than once.")
                % {"columns": ", ".join(doubled)}
            )
        max_rows = settings.PEOPLE_IMPORT_MAX_ROWS
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, or a row of empty cells at the end
            if len(rows) == max_rows:
                raise ImportFileError(
                    _(
                        "The file has more than %(count)s people "
                        "(BUDBRINGER_PEOPLE_IMPORT_MAX_ROWS)."
                    )
                    % {"count": max_rows}
                )
            # Short rows are rows whose last cells are empty; a longer row is a mistake
            # (a separator inside an unquoted name, say) that would shift its cells.
            extra = any(cell.strip() for cell in cells[len(header) :])
            cells = {
                column: cell.strip() for column, cell in zip(header, cells, strict=False) if column
            }
            rows.append(_Row(number, cells, too_many_cells=extra))
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s cannot be read as CSV: %(error)s.")
            % {"line": reader.line_num, "error": error}
        ) from None
    return header, rows


def _details(cells: dict[str, str], columns_given: bool) -> PersonDetails:
    """A row's cells as provisioning reads them: an empty name, role, language or time zone
    keeps what the person has (a new person gets the organisation's default); an empty
    department or manager_email means none."""
    languages = [code for code in LANGUAGE_SEPARATORS.split(cells.get("language", "")) if code]
    return PersonDetails(
        email=cells.get("email", ""),
        name=cells.get("name", ""),
        department=cells.get("department", ""),
        role=cells.get("role") or None,
        languages=languages or None,
        time_zone=cells.get("time_zone") or None,
        manager_email=cells.get("manager_email", "") if columns_given else None,
    )


def _plan(organisation: Organisation, data: bytes) -> tuple[list[RowOutcome], list[PersonDetails]]:
    """Each row's outcome, with the rows that can be planned (so far without errors)
    planned in one batch; and the details of every row without an error."""
    columns, rows = read_rows(data)
    with_managers = "manager_email" in columns
    outcomes: list[RowOutcome] = []
    checked: list[tuple[RowOutcome, PersonDetails]] = []
    seen: dict[str, int] = {}
    for row in rows:
        email, name = row.cells.get("email", ""), row.cells.get("name", "")
        outcome = RowOutcome(row.number, email, name, "error")
        outcomes.append(outcome)
        if row.too_many_cells:
            outcome.error = _("The row has more cells than the header has columns.")
            continue
        try:
            details = check_details(_details(row.cells, with_managers))
        except ProvisioningError as error:
            outcome.error = str(error)
            continue
        outcome.email = details.email
        if details.email in seen:
            outcome.error = _("%(email)s is also in row %(row)s.") % {
                "email": details.email,
                "row": seen[details.email],
            }
            continue
        seen[details.email] = row.number
        checked.append((outcome, details))
    people = [details for _outcome, details in checked]
    for (outcome, _checked), result in zip(checked, plan_people(organisation, people), strict=True):
        _note(outcome, result)
    return outcomes, people


def _note(outcome: RowOutcome, result) -> None:
    if isinstance(result, ProvisioningError):
        outcome.kind, outcome.error = "error", str(result)
    else:
        outcome.kind, outcome.changes, outcome.error = result.kind, result.changes, ""
        outcome.person = result.person


def preview_import(organisation: Organisation, data: bytes) -> ImportReport:
    """The dry run: every row's outcome, nothing saved. Raises ImportFileError."""
    outcomes, _people = _plan(organisation, data)
    for outcome in outcomes:
        outcome.person = None  # a dry run hands out no people
    return ImportReport(outcomes)


@transaction.atomic
def import_people(
    organisation: Organisation, data: bytes, *, previewed: str | None = None
) -> ImportReport:
    """Import the file, all or nothing: when any row has an error nothing is saved and
    the report says why (``saved`` false). With ``previewed`` (a preview's fingerprint),
    nothing is saved either unless the plan is still exactly that preview (``stale``).
    Rows already as the file says are not written. Raises ImportFileError."""
    outcomes, people = _plan(organisation, data)
    report = ImportReport(outcomes)
    if report.errors:
        return report
    if previewed is not None and report.fingerprint() != previewed:
        report.stale = True
        return report
    try:
        results = provision_people(organisation, people)
    except BatchRefused as refused:  # changed since the plan above: report the new reasons
        planned = [outcome for outcome in outcomes if outcome.kind != "error"]
        for outcome, result in zip(planned, refused.results, strict=True):
            _note(outcome, result)
        return report
    planned = [outcome for outcome in outcomes if outcome.kind != "error"]
    for outcome, result in zip(planned, results, strict=True):
        _note(outcome, result)
    report.saved = report.to_save > 0
    return report
