"""One pass of the digest pipeline: plan, compose what is due, deliver what is due."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.utils import timezone

from budbringer.digests.composition import compose_due
from budbringer.digests.delivery import claim, deliver
from budbringer.digests.planning import plan_digests
from budbringer.digests.workers import worker_name


@dataclass
class PassReport:
    planned: int = 0
    composed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, counts: dict[str, int]) -> None:
        for outcome, count in counts.items():
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + count


def send_due(worker: str | None = None, budget_seconds: float = 50.0) -> PassReport:
    """Compose and deliver everything due, in batches, for at most ``budget_seconds``.

    Stops early when a batch finds nothing to do. Safe to run in several workers at once.
    """
    worker = worker or worker_name()
    report = PassReport()
    started = time.monotonic()
    loads: dict = {}  # organisations loaded for the ranker, kept for this pass
    while time.monotonic() - started < budget_seconds:
        composed = compose_due(timezone.now(), loads=loads, worker=worker)
        ids = claim(worker)
        report.composed += composed
        if ids:
            report.add(deliver(ids, worker))
        if not composed and not ids:
            break
    return report


def run_pass(worker: str | None = None, budget_seconds: float = 50.0) -> PassReport:
    planned = plan_digests(timezone.now())
    report = send_due(worker, budget_seconds)
    report.planned = planned
    return report
