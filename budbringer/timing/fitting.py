"""Fitting an organisation's reachability profiles from its active hours (the daily refit).

The same ``SendTimeModel`` as the benchmark learns from everyone's active hours; on top of
its population prior, each department gets its own prior (the members' mean profile shrunk
toward the organisation's by DEPARTMENT_PRIOR_PEOPLE pseudo-people), and each person's
profile is shrunk toward their department's prior. A person who was never active gets no row
and is served the department's prior (see ``service.reachability``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from budbringer.accounts.models import Organisation, Person
from budbringer.timing.model import HOURS, SendTimeModel
from budbringer.timing.models import ActiveHour, GroupReachability, PersonReachability, Profile

log = logging.getLogger(__name__)

# How far back activity is learnt from (the model also decays within it).
HISTORY_DAYS = 365
# A department's own pattern counts like this many people against the organisation's: a
# department of five is half its own pattern, one of fifty nearly all of it.
DEPARTMENT_PRIOR_PEOPLE = 5.0


@dataclass(frozen=True)
class Fitted:
    shares: np.ndarray  # 168, sums to 1
    concentration: float
    evidence: int  # active hours (people) or active people (groups)


@dataclass(frozen=True)
class Fit:
    people: dict[Hashable, Fitted]
    groups: dict[Hashable | None, Fitted]  # None: the whole organisation


def fit_profiles(
    events: Sequence[tuple[Hashable, int, int]], departments: Mapping[Hashable, Hashable | None]
) -> Fit:
    """Profiles for every active person and every department, from ``events``.

    ``events`` are ``(person, ts_utc, utc_offset_min)``, oldest first, as the benchmark's;
    ``departments`` maps people to their department (or None).
    """
    model = SendTimeModel()
    model.observe(list(events))
    people = list(model.index)
    rows = np.array([model.index[p] for p in people], dtype=np.int64)
    evidence = model.active_hours[rows].sum(axis=1) if people else np.zeros(0)
    own_shares = model.normalised_profiles(rows) if people else np.zeros((0, HOURS))

    organisation_prior = model.prior / model.prior.sum()
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, person in enumerate(people):
        members[departments.get(person)].append(i)
    group_priors: dict[Hashable | None, np.ndarray] = {None: organisation_prior}
    groups = {None: Fitted(organisation_prior, model.strength, len(people))}
    for department, indices in members.items():
        if department is None:
            continue
        count = len(indices)
        mean = own_shares[indices].mean(axis=0)
        prior = (DEPARTMENT_PRIOR_PEOPLE * organisation_prior + count * mean) / (
            DEPARTMENT_PRIOR_PEOPLE + count
        )
        group_priors[department] = prior
        groups[department] = Fitted(prior, model.strength, count)

    priors = np.array([group_priors.get(departments.get(p), organisation_prior) for p in people])
    shares, concentration = model.posterior(rows, prior=priors.reshape(-1, HOURS))
    fitted = {
        person: Fitted(shares[i], float(concentration[i]), int(evidence[i]))
        for i, person in enumerate(people)
    }
    return Fit(people=fitted, groups=groups)


def refit(organisation: Organisation, now: dt.datetime | None = None) -> Fit:
    """Refit the organisation's profiles from its recent active hours and store them."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=HISTORY_DAYS)
    rows = (
        ActiveHour.objects.filter(organisation=organisation, started_at__gte=since)
        .order_by("started_at", "id")
        .values_list("person_id", "started_at", "utc_offset_minutes")
    )
    events = [(person, int(at.timestamp()), offset) for person, at, offset in rows.iterator()]
    departments = dict(
        Person.objects.filter(organisation=organisation).values_list("id", "department_id")
    )
    fit = fit_profiles(events, departments)
    with transaction.atomic():
        PersonReachability.objects.filter(person__organisation=organisation).delete()
        PersonReachability.objects.bulk_create(
            [
                PersonReachability(
                    person_id=person,
                    profile=Profile.pack(profile.shares),
                    concentration=profile.concentration,
                    active_hours=profile.evidence,
                    fitted_at=now,
                )
                for person, profile in fit.people.items()
                if person in departments  # not someone erased while we fitted
            ],
            batch_size=1000,
        )
        GroupReachability.objects.filter(organisation=organisation).delete()
        GroupReachability.objects.bulk_create(
            [
                GroupReachability(
                    organisation=organisation,
                    department_id=department,
                    profile=Profile.pack(profile.shares),
                    concentration=profile.concentration,
                    people=profile.evidence,
                    fitted_at=now,
                )
                for department, profile in fit.groups.items()
                if events  # nothing learned: the built-in population prior serves
            ]
        )
    return fit
