"""``budbringer people import FILE --organisation SLUG [--dry-run] [--invite]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budbringer.accounts import invitations
from budbringer.accounts.models import Organisation
from budbringer.people.importing import ImportFileError, import_people, preview_import


def describe(row) -> str:
    """One row's outcome as a line: what changes (old → new), or why not."""
    if row.kind == "error":
        detail = row.error
    else:
        detail = "; ".join(
            f"{name}: {old or '-'} → {new or '-'}" for name, (old, new) in row.changes.items()
        )
    return f"row {row.row:>5}  {row.kind:<9}  {row.email}  {detail}".rstrip()


class Command(BaseCommand):
    help = "Import people from a CSV file (docs/people-import.md); all or nothing."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser("import", help="import people from a CSV file")
        importing.add_argument("file", metavar="FILE", help="a CSV file (UTF-8, , or ;)")
        importing.add_argument("--organisation", required=True, metavar="SLUG")
        importing.add_argument(
            "--dry-run", action="store_true", help="show every row, save nothing"
        )
        importing.add_argument("--invite", action="store_true", help="invite the new people")

    def handle(self, *args, action, file, organisation, dry_run, invite, **options):
        try:
            organisation = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation {organisation!r}.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file} is not a readable file.")
        try:
            data = path.read_bytes()
            report = (preview_import if dry_run else import_people)(organisation, data)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for row in report.rows:
            self.stdout.write(describe(row))
        counts = report.counts
        summary = (
            f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged, "
            f"{counts['error']} with errors."
        )
        if report.errors:
            errors = "\n".join(describe(row) for row in report.errors)
            raise CommandError(f"{summary} Nothing was imported.\n{errors}")
        if dry_run:
            self.stdout.write(f"{summary} Dry run: nothing was saved.")
            return
        self.stdout.write(f"{summary} Imported.")
        if invite:
            new = [row.person for row in report.rows if row.kind == "new"]
            for person in new:
                invitations.invite(person)
            self.stdout.write(f"{len(new)} invitations queued (the worker sends them).")
