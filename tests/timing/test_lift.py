"""The model's lift in production: its digests against the holdout's, on the admins' page."""

import datetime as dt

from budbringer.digests.models import Delivery, Digest
from budbringer.timing.activity import record_activity
from budbringer.timing.lift import hit_rates

SLOT = dt.datetime(2026, 11, 17, 9, tzinfo=dt.UTC)


def sent(cast, person, policy, slot=SLOT):
    digest = Digest.objects.create(
        organisation=cast.nordlys, person=person, slot_at=slot, policy=policy, status="ready"
    )
    Delivery.objects.create(digest=digest, channel="email", due_at=slot, status="sent")
    return digest


def test_a_hit_is_activity_within_three_hours_after_the_slot(cast):
    record_activity(cast.bob, SLOT + dt.timedelta(hours=2, minutes=50))  # hit
    record_activity(cast.lena, SLOT + dt.timedelta(hours=3, minutes=5))  # just too late
    record_activity(cast.sara, SLOT - dt.timedelta(hours=2))  # before: no hit
    record_activity(cast.erik, SLOT + dt.timedelta(minutes=20))  # the slot's own hour
    slots = [
        (cast.bob.pk, SLOT, "model"),
        (cast.lena.pk, SLOT, "model"),
        (cast.sara.pk, SLOT, "holdout"),
        (cast.erik.pk, SLOT, "holdout"),
    ]
    rates = {row.policy: (row.sent, row.hits) for row in hit_rates(cast.nordlys, slots)}
    assert rates == {"model": (2, 1), "holdout": (2, 1)}
    # Another organisation's activity never counts.
    assert hit_rates(cast.havn, [(cast.bob.pk, SLOT, "model")])[0].hits == 0


def test_the_admins_page_shows_the_model_against_the_holdout(cast, login):
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    slot = now - dt.timedelta(days=2)
    sent(cast, cast.bob, "model", slot)
    sent(cast, cast.lena, "holdout", slot)
    record_activity(cast.bob, slot + dt.timedelta(hours=1))
    html = login(cast.alice).get("/editor/digests/").content.decode()
    assert '<tr data-policy="model"><td>Send-time model</td><td>1</td><td>100%</td>' in html
    assert '<tr data-policy="holdout"><td>Fixed time (holdout)</td><td>1</td><td>0%</td>' in html
