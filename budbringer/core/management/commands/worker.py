import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from budbringer.core.schedule import run_scheduler


class Command(BaseCommand):
    help = "Run background tasks and the periodic schedule (safe to run several at once)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")

    def handle(self, *args, batch, **options):
        stop = threading.Event()
        scheduler = threading.Thread(target=run_scheduler, args=(stop,), daemon=True)
        if not batch:
            scheduler.start()
        try:
            call_command("db_worker", batch=batch, startup_delay=not batch, reload=False)
        finally:
            stop.set()
