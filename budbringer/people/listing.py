"""The people list: search, filters and sorting as plain data, and the query they make.

Paged with Django's Paginator (a COUNT and one page of rows, joined to their login,
department and manager), which stays fast at 10,000 people (benchmarks/people_list.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone

from budbringer.accounts.models import (
    Department,
    Organisation,
    Person,
    PersonQuerySet,
    PersonStatus,
)
from budbringer.accounts.roles import Role
from budbringer.lib.ids import parse_id

PAGE_SIZE = 50
# "Not signed in for ... days": the choices the page offers.
AWAY_DAYS = (30, 90)
# Sort key -> ordering; every one ends with the primary key, so pages never overlap.
SORTS = {
    "name": ("name", "pk"),
    "department": (F("department__name").asc(nulls_last=True), "name", "pk"),
    "role": ("role", "name", "pk"),
    "last_active": (F("user__last_login").desc(nulls_last=True), "name", "pk"),
}
DEFAULT_SORT = "name"
NO_DEPARTMENT = "none"


@dataclass(frozen=True)
class PeopleQuery:
    search: str = ""
    department: int | str | None = None  # an id, NO_DEPARTMENT, or None for all
    role: str = ""
    status: str = ""
    away_days: int | None = None
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params: QueryDict) -> PeopleQuery:
        """Read the page's parameters; a value the page never offers counts as not given."""
        department = params.get("department", "")
        if department == NO_DEPARTMENT:
            chosen_department: int | str | None = NO_DEPARTMENT
        else:
            chosen_department = parse_id(department, Department) if department else None
        away = params.get("away", "")
        return cls(
            search=params.get("q", "").strip()[:200],
            department=chosen_department,
            role=params.get("role", "") if params.get("role") in Role.values else "",
            status=params.get("status", "") if params.get("status") in PersonStatus.values else "",
            away_days=int(away) if away in {str(days) for days in AWAY_DAYS} else None,
            sort=params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.department or self.role or self.status or self.away_days)


def people_for(
    organisation: Organisation, query: PeopleQuery, now: dt.datetime | None = None
) -> PersonQuerySet:
    people = Person.objects.in_organisation(organisation).select_related(
        "user", "department", "manager"
    )
    if query.search:
        people = people.filter(
            Q(name__icontains=query.search) | Q(user__email__icontains=query.search)
        )
    if query.department == NO_DEPARTMENT:
        people = people.filter(department__isnull=True)
    elif query.department is not None:
        people = people.filter(department_id=query.department)
    if query.role:
        people = people.filter(role=query.role)
    if query.status:
        people = people.with_status(query.status)
    if query.away_days:
        # Never signed in counts as away once they have been here that long.
        cutoff = (now or timezone.now()) - dt.timedelta(days=query.away_days)
        people = people.filter(
            Q(user__last_login__lt=cutoff) | Q(user__last_login__isnull=True, created_at__lt=cutoff)
        )
    return people.order_by(*SORTS[query.sort])
