import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from budbringer.lib.env import env_int, env_str


class Command(BaseCommand):
    help = "Serve Budbringer with granian (RSGI), static files through whitenoise."

    def add_arguments(self, parser):
        # Through lib.env: "PORT=80a" stops with a sentence naming it, not a traceback of int().
        parser.add_argument("--host", default=env_str("BUDBRINGER_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000, minimum=1))
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("BUDBRINGER_WEB_WORKERS", 0, minimum=0) or os.cpu_count() or 1,
        )
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args, host, port, workers, no_collectstatic, **options):
        from granian import Granian
        from granian.constants import Interfaces, Loops

        from budbringer.links.ingester import IngesterSupervisor
        from budbringer.links.journal import FOLDER_VARIABLE

        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        # The workers journal each click before its 302; one process stores the journal's
        # clicks (links/journal.py, links/ingester.py) and stops after the workers, once
        # it has stored what they wrote. It finds what a killed server left, too.
        folder = str(settings.CLICK_JOURNAL_DIR)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if not os.access(folder, os.W_OK | os.X_OK):
                raise PermissionError("not writable by this user")
        except OSError as error:
            # Every redirect would answer 503: better not to start.
            raise CommandError(
                f"BUDBRINGER_CLICK_JOURNAL_DIR ({folder}) cannot hold the click journal: {error}"
            ) from error
        ingester = IngesterSupervisor(folder)
        ingester.start()
        os.environ[FOLDER_VARIABLE] = folder
        self.stdout.write(f"Budbringer on http://{host}:{port} ({workers} workers)")
        try:
            Granian(
                # Redirects on the event loop, Django's pages in BUDBRINGER_WEB_THREADS threads.
                "budbringer.rsgi:application",
                address=host,
                port=port,
                interface=Interfaces.RSGI,
                # uvloop: about 30 % more redirects per second than asyncio's own loop.
                loop=Loops.uvloop,
                websockets=False,  # none are served; an upgrade request gets a plain answer
                workers=workers,
                # A worker that ignores the stop signal (a granian race when Ctrl-C reaches the
                # workers too) is killed after this many seconds instead of hanging forever.
                workers_kill_timeout=10,
                log_access=settings.DEBUG,
            ).serve()
        finally:
            ingester.stop()
