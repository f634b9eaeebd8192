"""At most one alert per lead and hour, decided by one conditional UPDATE."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections
from django.utils import timezone

from budbringer.leads.alerts import claim_alert
from budbringer.leads.models import Lead


def test_first_claim_wins_then_none_within_the_hour(lead):
    now = timezone.now()
    assert claim_alert(lead.pk, now)
    assert not claim_alert(lead.pk, now + dt.timedelta(minutes=59))
    assert claim_alert(lead.pk, now + dt.timedelta(hours=1))
    lead.refresh_from_db()
    assert lead.last_alert_at == now + dt.timedelta(hours=1)


def test_claims_of_one_lead_do_not_block_another(cast, lead):
    other = Lead.objects.create(
        organisation=cast.nordlys, name="Per", email="per@example.com", owner=cast.sara
    )
    now = timezone.now()
    assert claim_alert(lead.pk, now)
    assert claim_alert(other.pk, now)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_claim(cast):
    lead = Lead.objects.create(
        organisation=cast.nordlys, name="Ingrid", email="i@example.com", owner=cast.sara
    )
    now = timezone.now()
    start = threading.Barrier(4)
    won = []

    def worker():
        try:
            start.wait()
            won.append(claim_alert(lead.pk, now))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False, False, False, True]
