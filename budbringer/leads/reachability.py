"""When a lead is usually reachable: from their own clicks once there are a few, else the
organisation's profile from the timing model, as words for an alert ("Tuesday 09:00-12:00").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import numpy as np

from budbringer.leads.lookups import COUNTED_KINDS
from budbringer.leads.models import Lead
from budbringer.links.models import Click
from budbringer.timing import heatmap, slots
from budbringer.timing.models import GroupReachability
from budbringer.timing.service import population_prior

# Below this many counted clicks a lead's own hours say too little; the organisation's do.
MIN_LEAD_CLICKS = 3
# Weight of the organisation's profile beside the lead's clicks, in clicks: a handful of
# clicks moves the answer, a single odd one does not.
PRIOR_CLICKS = 2.0


@dataclass(frozen=True)
class LeadReachability:
    window: str  # "Tuesday 09:00-12:00", in the time zone below
    time_zone: str
    clicks: int  # the lead's counted clicks the answer rests on (0: organisation default)


def organisation_shares(organisation_id: int) -> np.ndarray:
    row = GroupReachability.objects.filter(
        organisation_id=organisation_id, department__isnull=True
    ).first()
    shares = np.asarray(row.shares if row else population_prior(), dtype=float)
    return shares / shares.sum() if shares.sum() > 0 else population_prior()


def hour_of_week(at: dt.datetime, zone: zoneinfo.ZoneInfo) -> int:
    local = at.astimezone(zone)
    return local.weekday() * 24 + local.hour


def lead_shares(click_times: list[dt.datetime], zone, prior: np.ndarray) -> np.ndarray:
    """The lead's clicks per local hour of the week, shrunk toward ``prior``."""
    counts = np.zeros(slots.HOURS)
    for at in click_times:
        counts[hour_of_week(at, zone)] += 1
    return (counts + PRIOR_CLICKS * prior) / (len(click_times) + PRIOR_CLICKS)


def reachability_of(lead: Lead, time_zone: str) -> LeadReachability:
    """Read in ``time_zone`` (the owner's, who acts on it)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    prior = organisation_shares(lead.organisation_id)
    times = list(
        Click.objects.filter(link__lead_link__lead=lead, kind__in=COUNTED_KINDS).values_list(
            "clicked_at", flat=True
        )
    )
    if len(times) < MIN_LEAD_CLICKS:
        return LeadReachability(heatmap.best_window(prior), time_zone, 0)
    return LeadReachability(
        heatmap.best_window(lead_shares(times, zone, prior)), time_zone, len(times)
    )
