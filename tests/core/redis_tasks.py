"""A task for tests/core/test_redis_tasks.py, importable by the worker processes it starts."""

import os

from django.utils import timezone
from django_tasks import task

from budbringer.core.models import ScheduledRun

PREFIX = "redis-test"


@task()
def record_run(number: int) -> None:
    # A row per run, never deduplicated by the unique key (the time differs), so a task run
    # twice shows as two rows; the process id says which worker ran it.
    ScheduledRun.objects.create(name=f"{PREFIX}:{number}:{os.getpid()}", slot_start=timezone.now())
