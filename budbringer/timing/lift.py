"""Does the send-time model help? Its digests against the fixed-time holdout's, measured.

The same score as the benchmark (../shared/bench/timing_eval.py): a sent digest is a hit
when the person was active within WINDOW_HOURS after its slot. The holdout (a fixed 5 % of
people on Tuesday 10:00) is the baseline measured on the same organisation and period.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from budbringer.accounts.models import Organisation
from budbringer.timing.models import ActiveHour

WINDOW_HOURS = 3


@dataclass(frozen=True)
class HitRate:
    policy: str  # "model" or "holdout"
    sent: int
    hits: int

    @property
    def rate(self) -> float:
        return self.hits / self.sent if self.sent else 0.0


def hit_rates(
    organisation: Organisation, slots: list[tuple[int, dt.datetime, str]]
) -> list[HitRate]:
    """``slots`` are (person id, slot time, policy) of sent digests; one query in all."""
    if not slots:
        return []
    window = dt.timedelta(hours=WINDOW_HOURS)
    first = min(at for _p, at, _policy in slots)
    last = max(at for _p, at, _policy in slots) + window
    active: dict[int, list[dt.datetime]] = defaultdict(list)
    for person_id, started_at in (
        ActiveHour.objects.filter(
            organisation=organisation,
            person_id__in={person_id for person_id, _at, _policy in slots},
            started_at__gte=first - dt.timedelta(hours=1),
            started_at__lt=last,
        )
        .order_by("started_at")
        .values_list("person_id", "started_at")
    ):
        active[person_id].append(started_at)
    sent: dict[str, int] = defaultdict(int)
    hits: dict[str, int] = defaultdict(int)
    for person_id, at, policy in slots:
        sent[policy] += 1
        hours = active.get(person_id, [])
        # An active hour that began in the hour of the slot or within the window after it.
        start = bisect.bisect_left(hours, at - dt.timedelta(minutes=59, seconds=59))
        if start < len(hours) and hours[start] < at + window:
            hits[policy] += 1
    return [HitRate(policy, sent[policy], hits[policy]) for policy in sorted(sent)]
