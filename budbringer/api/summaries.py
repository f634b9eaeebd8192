"""Summaries the API serves that the analytics reports do not compute (yet).

Participation per week belongs in ``analytics.reports`` once the dashboard's rewrite of it
has landed; it lives here until then so that the two do not conflict.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncWeek

from budbringer.accounts.models import Organisation, Person
from budbringer.sharing.models import Share


@dataclass(frozen=True)
class WeekParticipation:
    week: dt.date  # the Monday the week starts on (UTC)
    people: int
    sharers: int

    @property
    def rate(self) -> float:
        return self.sharers / self.people if self.people else 0.0


def monday_of(moment: dt.datetime) -> dt.date:
    day = moment.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def participation_by_week(
    organisation: Organisation, since: dt.datetime, until: dt.datetime
) -> list[WeekParticipation]:
    """For each week from ``since`` to ``until``: active people then, and how many shared.

    People count from the week they joined (an active login today, so those who left are
    not counted in earlier weeks either: we keep no history of leaving).
    """
    first, last = monday_of(since), monday_of(until)
    sharers = dict(
        Share.objects.filter(
            organisation=organisation,
            person__isnull=False,
            created_at__gte=dt.datetime.combine(first, dt.time(), dt.UTC),
            created_at__lt=dt.datetime.combine(last + dt.timedelta(days=7), dt.time(), dt.UTC),
        )
        .annotate(week=TruncWeek("created_at", tzinfo=dt.UTC))
        .values("week")
        .annotate(n=Count("person", distinct=True))
        .values_list("week", "n")
    )
    sharers = {monday_of(week): n for week, n in sharers.items()}
    people = Person.objects.in_organisation(organisation).active()
    joined = dict(
        people.filter(created_at__gte=dt.datetime.combine(first, dt.time(), dt.UTC))
        .annotate(week=TruncWeek("created_at", tzinfo=dt.UTC))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    joined = {monday_of(week): n for week, n in joined.items()}
    present = people.filter(created_at__lt=dt.datetime.combine(first, dt.time(), dt.UTC)).count()
    rows = []
    week = first
    while week <= last:
        present += joined.get(week, 0)
        rows.append(WeekParticipation(week, present, sharers.get(week, 0)))
        week += dt.timedelta(days=7)
    return rows
