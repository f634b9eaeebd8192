"""How many active people a group has: the count behind every report's *people* and behind
the small-group rule (``filters.hides_group``), so that both always agree.

People are counted from indexes on (organisation, department), less the few whose login is
deactivated, rather than by joining every person to their login.
"""

from collections import Counter

from django.contrib.auth import get_user_model
from django.db.models import Count

from budbringer.accounts.models import Department, Organisation, Person

# SQLite's limit on query parameters, with room for the rest of the query.
CHUNK = 900


def everyone(organisation: Organisation, department: Department | None = None):
    """People of the organisation (and department), whether their login is active or not."""
    rows = Person.objects.in_organisation(organisation).order_by()
    if department:
        rows = rows.filter(department=department)
    return rows


def inactive_people(organisation: Organisation) -> dict[int, tuple[int | None, bool]]:
    """{person id: (department id, has shared)} of the people whose login is deactivated.

    Found from the logins, a narrow table where few are deactivated: joining every person to
    their login, or a subquery the planner may run per person, costs far more.
    """
    users = list(get_user_model().objects.filter(is_active=False).values_list("pk", flat=True))
    found = {}
    for start in range(0, len(users), CHUNK):
        for pk, department_id, first_shared_at in Person.objects.filter(
            organisation=organisation, user__in=users[start : start + CHUNK]
        ).values_list("pk", "department_id", "first_shared_at"):
            found[pk] = (department_id, first_shared_at is not None)
    return found


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
