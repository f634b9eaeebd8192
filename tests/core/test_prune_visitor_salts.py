import datetime as dt

import time_machine

from budbringer.links.models import VisitorSalt
from budbringer.links.tasks import prune_visitor_salts
from budbringer.links.visitors import visitor_hash

TODAY = dt.date(2025, 3, 14)


@time_machine.travel(dt.datetime(2025, 3, 14, 0, 30, tzinfo=dt.UTC), tick=False)
def test_salts_older_than_yesterday_are_deleted(db):
    for days_ago in (0, 1, 2, 10):
        VisitorSalt.objects.create(day=TODAY - dt.timedelta(days=days_ago), salt=f"s{days_ago}")
    assert prune_visitor_salts.call() == 2
    assert sorted(VisitorSalt.objects.values_list("day", flat=True)) == [
        TODAY - dt.timedelta(days=1),
        TODAY,
    ]
    assert prune_visitor_salts.call() == 0


@time_machine.travel(dt.datetime(2025, 3, 14, 0, 30, tzinfo=dt.UTC), tick=False)
def test_a_pruned_day_gets_a_new_salt_so_old_hashes_cannot_be_remade(db):
    old_day = TODAY - dt.timedelta(days=3)
    old_hash = visitor_hash("198.51.100.1", old_day)
    prune_visitor_salts.call()
    assert not VisitorSalt.objects.filter(day=old_day).exists()
    assert visitor_hash("198.51.100.1", old_day) != old_hash
