from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Store the tracked-link clicks that `budbringer serve`'s workers journal "
        "(serve starts this process itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--journal",
            default=str(settings.CLICK_JOURNAL_DIR),
            help="the journal folder (default: BUDBRINGER_CLICK_JOURNAL_DIR)",
        )
        parser.add_argument(
            "--parent", type=int, help="stop when this process is no longer the parent"
        )

    def handle(self, *args, journal, parent, **options):
        from budbringer.links import ingester

        ingester.run_command(journal, parent)
