import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from rq import SimpleWorker

from budbringer.core.schedule import run_scheduler

RQ_BACKEND = "django_tasks_rq.RQBackend"


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
            if settings.TASKS["default"]["BACKEND"] == RQ_BACKEND:
                run_rq_worker(batch)
            else:
                call_command("db_worker", batch=batch, startup_delay=not batch, reload=False)
        finally:
            stop.set()


def run_rq_worker(batch: bool) -> None:
    # django_tasks_rq's Job class runs the Task behind each job and records its result;
    # RQ's scheduler moves tasks enqueued with run_after onto the queue when they are due
    # (one worker holds its lock at a time).
    call_command(
        "rqworker",
        *settings.RQ_QUEUES,
        worker_class=f"{__name__}.RQWorker",
        job_class="django_tasks_rq.Job",
        with_scheduler=True,
        burst=batch,
    )


class RQWorker(SimpleWorker):
    """Runs each job in this process, as the database backend's worker does.

    RQ's default worker forks once per job: slower (docs/benchmarks.md), and a fork while
    the schedule thread holds a database connection copies that connection's state into
    the child, which SQLite forbids.
    """

    def execute_job(self, job, queue):
        # What Django does around each request: drop connections that broke or aged out.
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()
