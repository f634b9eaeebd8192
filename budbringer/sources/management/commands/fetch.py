from django.core.management.base import BaseCommand, CommandError

from budbringer.sources.models import Source
from budbringer.sources.refresh import refresh_due_sources, refresh_sources


class Command(BaseCommand):
    help = "Fetch the sources that are due now (or the given ones) and store their new items."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=int,
            action="append",
            dest="source_ids",
            metavar="ID",
            help="Fetch this source now, due or not (repeat for several).",
        )

    def handle(self, *args, source_ids, **options):
        if source_ids:
            missing = set(source_ids) - set(
                Source.objects.filter(pk__in=source_ids).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No source with the id {', '.join(map(str, sorted(missing)))}.")
            summary = refresh_sources(source_ids)
        else:
            summary = refresh_due_sources()
        titles = dict(Source.objects.filter(pk__in=summary.errors).values_list("pk", "title"))
        for source_id, error in sorted(summary.errors.items()):
            self.stderr.write(f"source {source_id} ({titles.get(source_id, '?')}): {error}")
        self.stdout.write(
            f"{summary.sources} sources fetched: {summary.new_items} new items "
            f"({summary.near_duplicates} near-duplicates), {summary.not_modified} unchanged, "
            f"{summary.failed} failed."
        )
        if source_ids and summary.failed:
            raise CommandError(f"{summary.failed} of the given sources could not be fetched.")
