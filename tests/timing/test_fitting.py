"""The daily refit: people's profiles shrunk toward their department, priors per group."""

import datetime as dt
import zoneinfo

import numpy as np

from budbringer.timing import service
from budbringer.timing.activity import record_activity
from budbringer.timing.fitting import fit_profiles, refit
from budbringer.timing.models import GroupReachability, PersonReachability
from budbringer.timing.tasks import refit_reachability
from tests.conftest import make_person

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
MONDAY = dt.datetime(2026, 9, 7, tzinfo=dt.UTC)  # weeks of history before NOW
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def weekly(person_key, local_hours_of_week, weeks, offset_min=60):
    """Events at the given local hours of the week, every week."""
    events = []
    for week in range(weeks):
        for hour in local_hours_of_week:
            ts = int((MONDAY + dt.timedelta(weeks=week, hours=hour)).timestamp()) - offset_min * 60
            events.append((person_key, ts, offset_min))
    return events


def test_heavy_users_get_their_own_hours_and_light_users_lean_on_their_department():
    morning, evening = [d * 24 + 8 for d in range(5)], [d * 24 + 20 for d in range(5)]
    events = [
        *weekly("ann", morning, 10),
        *weekly("ben", morning, 10),
        *weekly("cid", morning, 10),
        *weekly("eve", evening, 10),  # another department, an evening person
        *weekly("new", [1 * 24 + 20], 1),  # one event, in the morning department
    ]
    events.sort(key=lambda e: e[1])
    departments = {"ann": "ops", "ben": "ops", "cid": "ops", "new": "ops", "eve": "night"}
    fit = fit_profiles(events, departments)
    assert set(fit.people) == {"ann", "ben", "cid", "eve", "new"}
    for person in ("ann", "eve"):
        profile = fit.people[person]
        assert abs(profile.shares.sum() - 1) < 1e-6 and profile.evidence == 50
    assert np.argmax(fit.people["ann"].shares) % 24 == 8
    assert np.argmax(fit.people["eve"].shares) % 24 == 20
    ops, night = fit.groups["ops"].shares, fit.groups["night"].shares
    whole = fit.groups[None].shares
    assert ops[8] > ops[20]
    # A one-person department is mostly the organisation, pulled toward its own evenings.
    assert whole[20] < night[20] and night[8] < whole[8]
    # The newcomer's single evening says little: their department's mornings show through.
    new = fit.people["new"]
    elsewhere = fit_profiles(events, {**departments, "new": "night"}).people["new"]
    assert new.shares[1 * 24 + 8] > 1.5 * elsewhere.shares[1 * 24 + 8]
    assert fit.people["ann"].concentration > new.concentration
    assert fit.groups[None].evidence == 5


def test_refit_stores_profiles_and_groups_and_the_service_uses_them(cast):
    for week in range(12):
        for day in range(5):
            # 14:00 in Stockholm, summer time (UTC+2) or not (UTC+1): the hour stays 14.
            at = dt.datetime.combine(
                MONDAY.date() + dt.timedelta(weeks=week, days=day), dt.time(14), tzinfo=STOCKHOLM
            )
            record_activity(cast.bob, at)
            record_activity(cast.erik, at + dt.timedelta(hours=1))
    record_activity(cast.charlie, NOW - dt.timedelta(days=1))
    assert refit_reachability.call() == 2  # both organisations

    own = PersonReachability.objects.get(person=cast.bob)
    assert own.active_hours == 60 and int(np.argmax(own.shares)) % 24 == 14
    groups = GroupReachability.objects.filter(organisation=cast.nordlys)
    assert {(g.department_id, g.people) for g in groups} == {
        (None, 2),
        (cast.engineering.pk, 2),
    }
    assert service.reachability(cast.bob).source == "person"
    assert service.reachability(cast.lena).source == "organisation"  # Sales: nobody active
    newcomer = make_person(cast.nordlys, "nina", department=cast.engineering)
    assert service.reachability(newcomer).source == "department"
    # Havn learned from Havn only.
    assert PersonReachability.objects.filter(person=cast.charlie).exists()
    assert GroupReachability.objects.get(organisation=cast.havn, department=None).people == 1


def test_refit_replaces_and_forgets_activity_older_than_a_year(cast):
    record_activity(cast.bob, NOW - dt.timedelta(days=400))
    refit(cast.nordlys, NOW)
    assert not PersonReachability.objects.exists()
    assert not GroupReachability.objects.exists()
    record_activity(cast.bob, NOW - dt.timedelta(days=3))
    refit(cast.nordlys, NOW)
    refit(cast.nordlys, NOW)
    assert PersonReachability.objects.get(person=cast.bob).active_hours == 1
    assert GroupReachability.objects.filter(organisation=cast.nordlys).count() == 2
