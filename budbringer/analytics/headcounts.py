"""How many active people a group has: the count behind every report's *people* and behind
the small-group rule (``filters.hides_group``), so that both always agree; and how many it
had in each past week (``weekly_headcount``), so that people who leave keep their place in
the weeks they were there.

People are counted from indexes on (organisation, department), less the few whose login is
deactivated, rather than by joining every person to their login.
"""

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Value, When

from budbringer.accounts.models import Department, Organisation, Person

# SQLite's limit on query parameters, with room for the rest of the query.
CHUNK = 900


def everyone(organisation: Organisation, department: Department | None = None):
    """People of the organisation (and department), whether their login is active or not."""
    rows = Person.objects.in_organisation(organisation).order_by()
    if department:
        rows = rows.filter(department=department)
    return rows


def _inactive_rows(organisation: Organisation, *fields: str):
    """``fields`` of the people whose login is deactivated.

    Found from the logins, a narrow table where few are deactivated: joining every person to
    their login, or a subquery the planner may run per person, costs far more.
    """
    users = list(get_user_model().objects.filter(is_active=False).values_list("pk", flat=True))
    for start in range(0, len(users), CHUNK):
        yield from Person.objects.filter(
            organisation=organisation, user__in=users[start : start + CHUNK]
        ).values_list(*fields)


def inactive_people(organisation: Organisation) -> dict[int, tuple[int | None, bool]]:
    """{person id: (department id, has shared)} of the people whose login is deactivated."""
    return {
        pk: (department_id, first_shared_at is not None)
        for pk, department_id, first_shared_at in _inactive_rows(
            organisation, "pk", "department_id", "first_shared_at"
        )
    }


def departures(
    organisation: Organisation,
) -> list[tuple[int, int | None, dt.datetime, dt.datetime | None]]:
    """(person id, department id, joined, left) of the people whose login is deactivated;
    left is None when their login was turned off outside ``deactivate_person`` (in the
    Django admin, say): no week can count them, nor their shares."""
    return list(_inactive_rows(organisation, "pk", "department_id", "created_at", "deactivated_at"))


def headcount(
    organisation: Organisation, department: Department | None = None, inactive=None
) -> Counter:
    """{department id: people active today} (None: no department); ``inactive``: the result
    of ``inactive_people`` when the caller has it already. COUNT(*), so that PostgreSQL counts from
    the index alone."""
    counts = Counter(
        dict(everyone(organisation, department).values_list("department_id").annotate(n=Count("*")))
    )
    inactive = inactive_people(organisation) if inactive is None else inactive
    for department_id, _shared in inactive.values():
        if department_id in counts:
            counts[department_id] -= 1
    return +counts


def weekly_headcount(
    organisation: Organisation,
    department: Department | None,
    starts: list[dt.datetime],
    departed=None,
) -> list[int]:
    """People of each week, the weeks starting at ``starts`` (the last of them the end of
    the last week): those who had joined before the week ended and had not left before it
    began. Someone who leaves keeps their place in the weeks they were there, so a past
    week's participation does not change when people leave later.

    Everyone is counted from an index; only those who joined since the first week began
    (through the (organisation, created_at) index) and the few deactivated are read;
    ``departed``: the result of ``departures`` when the caller has it already.
    """
    people = everyone(organisation, department)
    joined_in = Case(
        *(When(created_at__lt=start, then=Value(index)) for index, start in enumerate(starts[1:])),
        default=Value(len(starts) - 1),
        output_field=IntegerField(),
    )
    joined = dict(
        people.filter(created_at__gte=starts[0])
        .annotate(week=joined_in)
        .values_list("week")
        .annotate(n=Count("*"))
    )
    departed = [
        (created_at, left)
        for _pk, department_id, created_at, left in (
            departures(organisation) if departed is None else departed
        )
        if department is None or department_id == department.pk
    ]
    counts, so_far = [], people.count() - sum(joined.values())
    for index in range(len(starts) - 1):
        start, stop = starts[index], starts[index + 1]
        so_far += joined.get(index, 0)
        gone = sum(1 for created, left in departed if created < stop and (not left or left < start))
        counts.append(so_far - gone)
    return counts
