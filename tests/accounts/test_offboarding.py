"""Offboarding: a deactivated person cannot sign in (nor stay signed in), receives nothing
(no digest planned, a planned delivery cancelled, no lead alert), their shares and
clicks stay in the organisation's totals, their tracked links keep redirecting, and
erasure still works for them."""

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.accounts.privacy import erase_person
from budbringer.accounts.provisioning import deactivate_person
from budbringer.analytics import reports
from budbringer.analytics.filters import Filters
from budbringer.digests.models import Delivery, DeliveryStatus, Digest, DigestStatus
from budbringer.digests.planning import plan_digests
from budbringer.leads.alerts import send_alert
from budbringer.leads.leads import create_lead_link
from budbringer.leads.models import Lead, LeadAlert
from budbringer.links.models import ClickKind
from budbringer.links.tracking import create_link, record_click
from budbringer.sharing.sharing import record_share
from tests.conftest import PASSWORD


def test_a_deactivated_person_cannot_sign_in_with_their_password(cast):
    deactivate_person(cast.bob)
    client = Client()
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert client.get("/for-you/").status_code == 302


def test_an_existing_session_stops_working(cast, login):
    client = login(cast.bob)
    assert client.get("/for-you/").status_code == 200
    deactivate_person(cast.bob)
    response = client.get("/for-you/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_no_digest_is_planned_and_a_planned_delivery_is_cancelled(cast):
    now = timezone.now()
    plan_digests(now, cast.nordlys)
    digest = Digest.objects.get(person=cast.bob, status=DigestStatus.PLANNED)
    # A digest already composed and waiting for its delivery.
    ready = Digest.objects.create(
        organisation=cast.nordlys, person=cast.bob, slot_at=now, status=DigestStatus.READY,
        composed_at=now,
    )  # fmt: skip
    delivery = Delivery.objects.create(digest=ready, channel="email", due_at=now)
    deactivate_person(cast.bob)
    assert not Digest.objects.filter(pk=digest.pk).exists()
    plan_digests(now, cast.nordlys)
    assert not Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).exists()
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_no_lead_alert_reaches_a_deactivated_owner(cast):
    lead = Lead.objects.create(organisation=cast.nordlys, name="Ingrid", owner=cast.sara)
    link = create_lead_link(lead, item=cast.article)
    click = record_click(
        link, method="GET", user_agent="Firefox/130.0", referrer="", ip="198.51.100.7"
    )
    deactivate_person(cast.sara)
    assert send_alert(lead.pk, click.pk) == {"skipped": "owner deactivated"}
    assert not LeadAlert.objects.exists()


def test_their_links_keep_redirecting_and_their_shares_and_clicks_stay_counted(cast, client):
    record_share(cast.bob, cast.article, "linkedin")
    link = create_link(cast.nordlys, "https://blog.example.com/offer", person=cast.bob)
    click = record_click(
        link, method="GET", user_agent="Firefox/130.0", referrer="", ip="198.51.100.7"
    )
    click.kind = ClickKind.UNIQUE  # as the counting pass settles it
    click.save(update_fields=["kind"])
    now = timezone.now()
    filters = Filters(since=now - dt.timedelta(days=1), until=now + dt.timedelta(minutes=1))
    before = (
        reports.shares(cast.nordlys, filters).count(),
        reports.clicks(cast.nordlys, filters).count(),
    )
    deactivate_person(cast.bob)
    after = (
        reports.shares(cast.nordlys, filters).count(),
        reports.clicks(cast.nordlys, filters).count(),
    )
    assert after == before == (1, 1)
    response = client.get(f"/l/{link.code}")
    assert response.status_code == 302
    assert response["Location"].startswith("https://blog.example.com/offer")


def test_erasure_still_works_for_them(cast):
    deactivate_person(cast.bob)
    user_pk = cast.bob.user.pk
    erase_person(Person.objects.get(pk=cast.bob.pk))
    assert not Person.objects.filter(pk=cast.bob.pk).exists()
    assert not User.objects.filter(pk=user_pk).exists()
