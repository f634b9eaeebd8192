import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, no_translations

from budbringer.demo.loader import (
    DEMO_PASSWORD,
    WELCOME_CODE,
    DemoConflict,
    featured_people,
    load_demo,
)

HOST = "127.0.0.1"
# Seconds the worker gets to finish its task before it is killed.
WORKER_STOP_TIMEOUT = 10


class Command(BaseCommand):
    help = "Migrate, load the demo organisation (Nordlys Systems) and serve it with a worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (8000).")
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the demo and print the logins, then exit."
        )

    # Role names in the printed table are the same whatever language a request left active.
    @no_translations
    def handle(self, *args, port, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            organisation = load_demo()
        except DemoConflict as error:
            raise CommandError(str(error)) from None
        self._print_logins(organisation, f"http://{HOST}:{port}")
        if not no_serve:
            self._serve(port)

    def _print_logins(self, organisation, base_url: str) -> None:
        featured = featured_people(organisation)
        rows = [("Login", "Role", "Department")] + [
            (
                person.user.username,
                str(person.get_role_display()),
                person.department.name if person.department else "",
            )
            for person in featured
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write(f"The demo organisation {organisation.name} is ready.\n")
        for row in rows:
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        others = organisation.people.count() - len(featured)
        if others:
            self.stdout.write(f"  ... and {others} more")
        self.stdout.write(f"\nPassword for every login: {DEMO_PASSWORD}")
        self.stdout.write(f"Sign in at {base_url}")
        admin = next((person for person in featured if person.can_administer), None)
        if admin is not None:
            self.stdout.write(
                f"As {admin.user.username}: the checklist at {base_url}/start/, "
                f"the people at {base_url}/people/"
            )
        self.stdout.write(f"A tracked link: {base_url}/l/{WELCOME_CODE}\n")

    def _serve(self, port: int) -> None:
        # Short links in shares are built from BASE_URL; unless one is configured, make
        # them point at this server (the web workers are forked from this process).
        if "BUDBRINGER_BASE_URL" not in os.environ:
            os.environ["BUDBRINGER_BASE_URL"] = f"http://{HOST}:{port}"
            settings.BASE_URL = os.environ["BUDBRINGER_BASE_URL"]
        # A plain `kill` must also end the worker: turn SIGTERM into an exception so the
        # `finally` below runs (the server installs its own handler while it runs).
        signal.signal(signal.SIGTERM, _exit_on_signal)
        if not {"EMAIL_HOST", "EMAIL_BACKEND"} & os.environ.keys():
            # No mail server configured: the demo's digests (the worker's, and the previews
            # the web server sends) go to files to look at.
            os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
            settings.EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
            self.stdout.write(f"Digests are written to {settings.EMAIL_FILE_PATH}/ as .log files.")
        worker = subprocess.Popen([sys.executable, "-m", "budbringer", "worker"])
        try:
            call_command("serve", host=HOST, port=port, workers=1)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=WORKER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)
