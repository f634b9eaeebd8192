import time

from django.core.management.base import BaseCommand

from budbringer.digests.passes import run_pass
from budbringer.digests.workers import worker_name


class Command(BaseCommand):
    help = "Plan, compose and send the digests that are due (what the worker does every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="keep going, a pass every --interval seconds"
        )
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop: bool, interval: float, **options):
        worker = worker_name()
        while True:
            report = run_pass(worker)
            self.stdout.write(
                f"planned {report.planned}, composed {report.composed}, "
                + ", ".join(f"{name} {count}" for name, count in sorted(report.outcomes.items()))
            )
            if not loop:
                return
            time.sleep(interval)
