"""Slots and heatmaps for the people of an organisation, from what the worker learned.

Digests and alerts call ``next_slot(person, after)``. The profiles it reads are refitted
daily by ``timing.refit_reachability`` (see ``fitting``); a person without one yet gets the
department's, then the organisation's, then the built-in population prior, so a new person
has a sensible slot on day one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.utils import timezone

from budbringer.accounts.models import DigestCadence, Person
from budbringer.timing import slots
from budbringer.timing.models import GroupReachability, PersonReachability

# People kept on the fixed time (Tuesday 10:00, daily 10:00) so the model's lift can be
# measured in production against the same kind of people.
HOLDOUT_PERCENT = 5
# Evidence behind the built-in prior when nothing was learned yet: a few hours' worth, so
# Thompson sampling spreads a new organisation's first sends over the likely hours.
DEFAULT_CONCENTRATION = 10.0
POPULATION_PRIOR = Path(__file__).with_name("population_prior.json")

MODEL = "model"
HOLDOUT = "holdout"


@dataclass(frozen=True)
class Reachability:
    shares: np.ndarray  # 168 local hours, Monday 00:00 first, summing to 1
    concentration: float
    source: str  # "person", "department", "organisation" or "population"


@dataclass(frozen=True)
class Slot:
    at: dt.datetime  # UTC
    local: dt.datetime  # the same moment in the person's zone
    policy: str  # MODEL or HOLDOUT


@cache
def population_prior() -> np.ndarray:
    """Shares of activity per local hour of the week of thousands of real people.

    Made by ``python -m budbringer.timing.population`` from the shared activity data.
    """
    shares = np.array(json.loads(POPULATION_PRIOR.read_text())["shares"], dtype=float)
    return shares / shares.sum()


def in_holdout(person: Person) -> bool:
    """A fixed, even HOLDOUT_PERCENT of people (stable for a person, independent of others)."""
    digest = hashlib.sha256(f"budbringer-timing-holdout:{person.pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < HOLDOUT_PERCENT


def constraints_for(person: Person) -> slots.Constraints:
    return slots.Constraints(
        time_zone=person.time_zone,
        days=frozenset(person.send_days),
        quiet_from=person.quiet_from,
        quiet_until=person.quiet_until,
        on_holiday_until=person.on_holiday_until,
        send_on_holiday=person.digests_on_holiday,
    )


def reachability(person: Person) -> Reachability:
    """The person's learned profile, or the closest prior that exists."""
    return reachability_of([person])[person.pk]


def reachability_of(people: list[Person]) -> dict[int, Reachability]:
    """Profiles for many people of one or more organisations, in two queries."""
    own = {
        row.person_id: Reachability(row.shares, row.concentration, "person")
        for row in PersonReachability.objects.filter(person__in=[p.pk for p in people])
    }
    groups = {
        (row.organisation_id, row.department_id): row
        for row in GroupReachability.objects.filter(
            organisation_id__in={p.organisation_id for p in people}
        )
    }
    found = {}
    for person in people:
        if person.pk in own:
            found[person.pk] = own[person.pk]
        elif person.department_id and (
            group := groups.get((person.organisation_id, person.department_id))
        ):
            found[person.pk] = Reachability(group.shares, group.concentration, "department")
        elif whole := groups.get((person.organisation_id, None)):
            found[person.pk] = Reachability(whole.shares, whole.concentration, "organisation")
        else:
            found[person.pk] = Reachability(population_prior(), DEFAULT_CONCENTRATION, "population")
    return found


def period_for(person: Person) -> str:
    return slots.WEEK if person.digest_cadence == DigestCadence.WEEKLY else slots.DAY


def next_slot(
    person: Person,
    after: dt.datetime | None = None,
    period: str | None = None,
    profile: Reachability | None = None,
) -> Slot | None:
    """When to send to ``person`` next, at or after ``after`` (default now), in UTC.

    One slot per period (by default the person's digest cadence: a week for weekly, else a
    day), inside their days, outside their quiet hours and holiday. People in the holdout
    get the fixed time; everyone else a Thompson draw from their profile, made once per
    person and period, so asking twice gives the same answer. ``profile`` saves the
    lookup when the caller loaded many at once (``reachability_of``).
    """
    after = after or timezone.now()
    period = period or period_for(person)
    constraints = constraints_for(person)
    if in_holdout(person):
        policy, scores = HOLDOUT, slots.fixed_scores(period)
    else:
        profile = profile or reachability(person)
        policy = MODEL

        def scores(start: dt.date) -> np.ndarray:
            seed = hashlib.sha256(f"{person.pk}:{period}:{start.isoformat()}".encode()).digest()
            rng = np.random.default_rng(int.from_bytes(seed[:8], "big"))
            return slots.sampled_scores(profile.shares, profile.concentration, rng)

    at = slots.next_slot(scores, constraints, after, period)
    if at is None:
        return None
    return Slot(at=at, local=at.astimezone(constraints.zone), policy=policy)


# Groups with fewer people than this are not shown on their own: a heatmap of two people
# would tell a leader when each of them works.
MIN_GROUP_PEOPLE = 5


@dataclass(frozen=True)
class GroupHeatmap:
    label: str
    shares: np.ndarray
    people: int


def group_heatmaps(organisation) -> tuple[list[GroupHeatmap], int]:
    """The organisation's heatmap and its departments' (large enough ones), and how many
    departments were left out for being too small."""
    rows = GroupReachability.objects.filter(organisation=organisation).select_related("department")
    whole, departments, hidden = None, [], 0
    for row in rows:
        if row.department is None:
            whole = GroupHeatmap(organisation.name, row.shares, row.people)
        elif row.people >= MIN_GROUP_PEOPLE:
            departments.append(GroupHeatmap(row.department.name, row.shares, row.people))
        else:
            hidden += 1
    departments.sort(key=lambda group: group.label)
    return ([whole] if whole else []) + departments, hidden
