"""The schedule of periodic work, kept as data, and the loop that enqueues it.

Every worker runs the loop; a unique (name, slot) row makes sure each slot is
enqueued once, however many workers there are.
"""

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from budbringer.accounts import tasks as account_tasks
from budbringer.analytics import tasks as analytics_tasks
from budbringer.core.models import ScheduledRun
from budbringer.digests import tasks as digest_tasks
from budbringer.links import tasks as link_tasks
from budbringer.relevance import tasks as relevance_tasks
from budbringer.sources import tasks as source_tasks
from budbringer.sso.saml import tasks as saml_tasks
from budbringer.timing import tasks as timing_tasks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    task: object  # a django_tasks Task


SCHEDULE = [
    # Each pass fetches only the sources that are due; claims keep passes from overlapping.
    Periodic("sources.fetch_due_sources", dt.timedelta(minutes=1), source_tasks.fetch_due_sources),
    # The safety net: clicks ask for their own pass, this one catches any that was lost.
    Periodic("links.count_clicks", dt.timedelta(minutes=1), link_tasks.count_clicks),
    Periodic("links.prune_visitor_salts", dt.timedelta(hours=1), link_tasks.prune_visitor_salts),
    Periodic("accounts.prune_throttles", dt.timedelta(hours=1), account_tasks.prune_throttles),
    Periodic(
        "accounts.send_invitation_reminders",
        dt.timedelta(hours=1),
        account_tasks.send_invitation_reminders,
    ),
    Periodic("relevance.retrain_rankers", dt.timedelta(days=1), relevance_tasks.retrain_rankers),
    Periodic("timing.refit_reachability", dt.timedelta(days=1), timing_tasks.refit_reachability),
    Periodic("sso.prune_seen_assertions", dt.timedelta(hours=1), saml_tasks.prune_seen_assertions),
    Periodic("digests.plan", dt.timedelta(minutes=10), digest_tasks.plan),
    Periodic("digests.send", dt.timedelta(minutes=1), digest_tasks.send),
    # Yesterday's clicks into the dashboard's roll-up, once they have all been counted.
    Periodic(
        "analytics.refresh_click_rollup",
        dt.timedelta(minutes=5),
        analytics_tasks.refresh_click_rollup,
    ),
]

KEEP_RUNS_FOR = dt.timedelta(days=7)
_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def slot_start(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    return _EPOCH + ((now - _EPOCH) // every) * every


def enqueue_due(now: dt.datetime | None = None, schedule=SCHEDULE) -> list[str]:
    """Enqueue every entry whose current slot has not been enqueued yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for entry in schedule:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(
                    name=entry.name, slot_start=slot_start(now, entry.every)
                )
                entry.task.enqueue()
        except IntegrityError:
            continue  # another worker has it
        enqueued.append(entry.name)
    ScheduledRun.objects.filter(slot_start__lt=now - KEEP_RUNS_FOR).delete()
    return enqueued


def run_scheduler(stop: threading.Event, interval: float = 30.0) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            for name in enqueue_due():
                log.info("scheduled %s", name)
        except Exception:
            log.exception("scheduler pass failed; trying again in %s s", interval)
        stop.wait(interval)
    close_old_connections()
