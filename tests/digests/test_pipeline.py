"""From plan to inbox: planning at the person's slot, composing when it comes, delivering
once over a real SMTP server, and what happens on failures."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.digests.composition import compose_due, message_id
from budbringer.digests.delivery import claim, deliver_due, settle
from budbringer.digests.models import Delivery, DeliveryStatus, Digest, DigestStatus
from budbringer.digests.outcomes import Result
from budbringer.digests.planning import plan_digests
from budbringer.relevance.models import Interaction
from budbringer.timing import service as timing


def due_now(*people):
    """Move the people's planned digests to now (their slot has come)."""
    Digest.objects.filter(person__in=people, status=DigestStatus.PLANNED).update(
        slot_at=timezone.now() - dt.timedelta(seconds=1)
    )


def test_everyone_who_wants_digests_gets_one_planned_at_their_slot(cast):
    cast.erik.digest_cadence = "never"
    cast.erik.save()
    cast.sara.user.email = ""
    cast.sara.user.save()
    now = timezone.now()
    assert plan_digests(now) == 4  # alice, lena, bob; charlie in Havn
    planned = {d.person_id: d for d in Digest.objects.all()}
    assert set(planned) == {cast.alice.pk, cast.lena.pk, cast.bob.pk, cast.charlie.pk}
    bob = planned[cast.bob.pk]
    assert bob.slot_at == timing.next_slot(cast.bob, now).at
    assert bob.policy in ("model", "holdout")
    # Planning again plans nothing new.
    assert plan_digests(now) == 0
    assert Digest.objects.count() == 4


def test_planning_reads_people_in_batches_not_one_by_one(cast, django_assert_max_num_queries):
    """Planning loads only some of a person's fields: touching another one would cost a
    query per person, which this catches (the count must not grow with the people)."""
    from tests.conftest import make_person

    for number in range(30):
        make_person(cast.nordlys, f"planner{number}", time_zone="Europe/Oslo")
    with django_assert_max_num_queries(12):
        assert plan_digests() == 36  # and alice, erik, lena, bob, sara, charlie
    assert Digest.objects.filter(person__user__username="planner7").get().slot_at


def test_the_next_digest_is_planned_in_the_next_period(cast, news, smtp):
    plan_digests()
    due_now(cast.bob)
    compose_due()
    first = Digest.objects.get(person=cast.bob)
    assert first.status == DigestStatus.READY
    plan_digests()
    second = Digest.objects.filter(person=cast.bob, status=DigestStatus.PLANNED).get()
    zone = timing.slots.Constraints(cast.bob.time_zone).zone
    weekly = timing.period_for(cast.bob) == timing.slots.WEEK
    first_local, second_local = first.slot_at.astimezone(zone), second.slot_at.astimezone(zone)
    if weekly:
        assert second_local.isocalendar()[1] != first_local.isocalendar()[1]
    assert second_local.date() > first_local.date()


def test_a_digest_arrives_once_with_its_items_headers_and_links(cast, news, smtp):
    plan_digests()
    due_now(cast.bob)
    assert compose_due() == 1
    digest = Digest.objects.get(person=cast.bob)
    entries = list(digest.entries.select_related("item"))
    assert 1 <= len(entries) <= cast.bob.digest_max_items
    assert all(entry.reason for entry in entries)
    counts = deliver_due()
    assert counts["sent"] == 1
    [received] = smtp.received
    assert received.message_id == message_id(digest)
    assert received.message["To"] == "bob@example.com"
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/d/unsubscribe/" in received.message["List-Unsubscribe"]
    text, html = received.part("text/plain"), received.part("text/html")
    for entry in entries:
        assert entry.item.title in text and entry.item.title in html
    assert "/d/share/" in html and "/d/read/" in html
    delivery = Delivery.objects.get(digest=digest)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    # Delivered items are not suggested again.
    delivered = set(
        Interaction.objects.filter(person=cast.bob, kind="delivered").values_list("item", flat=True)
    )
    assert delivered == {entry.item_id for entry in entries}
    # Nothing more to send: a second pass sends nothing.
    assert deliver_due()["sent"] == 0
    assert len(smtp.received) == 1


def test_nothing_relevant_nothing_sent(cast, smtp):
    cast.article.delete()
    plan_digests()
    due_now(cast.bob)
    compose_due()
    assert Digest.objects.get(person=cast.bob).status == DigestStatus.SKIPPED
    deliver_due()
    assert smtp.received == []


def test_the_persons_language_and_item_count(cast, news, smtp):
    cast.bob.interface_language = "sv"
    cast.bob.digest_max_items = 2
    cast.bob.save()
    plan_digests()
    due_now(cast.bob)
    compose_due()
    deliver_due()
    [received] = smtp.received
    assert received.message["Content-Language"] == "sv"
    assert Digest.objects.get(person=cast.bob).entries.count() == 2


def test_temporary_failure_is_retried_with_backoff_then_sent(cast, news, smtp):
    smtp.reply_to_data("451 4.3.0 Try again later", times=1)
    plan_digests()
    due_now(cast.bob)
    compose_due()
    assert deliver_due()["temporary"] == 1
    delivery = Delivery.objects.get(digest__person=cast.bob)
    assert delivery.status == DeliveryStatus.PLANNED and "451" in delivery.error
    assert delivery.due_at > timezone.now() + dt.timedelta(seconds=40)
    assert deliver_due()["sent"] == 0  # not yet due
    with time_machine.travel(delivery.due_at + dt.timedelta(seconds=1)):
        assert deliver_due()["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert len(smtp.received) == 1


def test_a_refused_address_fails_for_good_and_is_recorded_on_the_person(cast, news, smtp):
    smtp.reply_to_rcpt("bob@example.com", "550 5.1.1 No such user")
    plan_digests()
    due_now(cast.bob)
    compose_due()
    assert deliver_due()["permanent"] == 1
    delivery = Delivery.objects.get(digest__person=cast.bob)
    assert delivery.status == DeliveryStatus.FAILED and "550" in delivery.error
    bob = Person.objects.get(pk=cast.bob.pk)
    assert bob.email_failed_at is not None and "550" in bob.email_failure
    # No more digests are planned for an address that does not exist.
    Digest.objects.filter(person=bob, status=DigestStatus.PLANNED).delete()
    plan_digests()
    assert not Digest.objects.filter(person=bob, status=DigestStatus.PLANNED).exists()


def test_giving_up_after_the_last_retry(cast, news, smtp):
    plan_digests()
    due_now(cast.bob)
    compose_due()
    delivery = Delivery.objects.get(digest__person=cast.bob)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=5)
    assert claim("w1") == [delivery.pk]
    delivery.refresh_from_db()
    settle(delivery, Result.temporary("421 closing"), "w1")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 6


def test_two_claimers_never_get_the_same_delivery(cast, news, smtp):
    plan_digests()
    due_now(cast.bob, cast.lena, cast.alice)
    compose_due()
    first, second = claim("w1"), claim("w2")
    assert first and not (set(first) & set(second))
    assert second == []


def test_a_stale_claim_is_resent_with_the_same_message_id_and_the_old_claimer_cannot_settle(
    cast, news, smtp, settings
):
    plan_digests()
    due_now(cast.bob)
    compose_due()
    [pk] = claim("crashed-worker")  # ... and then the worker died
    assert claim("w2") == []  # its lease still holds
    later = timezone.now() + dt.timedelta(seconds=settings.DIGEST_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        assert deliver_due("w2")["sent"] == 1
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == DeliveryStatus.SENT and delivery.claimed_by == "w2"
    settle(delivery, Result.temporary("late answer"), "crashed-worker")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert smtp.received[0].message_id == message_id(delivery.digest)


@pytest.mark.parametrize("cadence", ["never"])
def test_a_digest_planned_before_unsubscribing_is_cancelled(cast, news, smtp, cadence):
    plan_digests()
    due_now(cast.bob)
    Person.objects.filter(pk=cast.bob.pk).update(digest_cadence=cadence)
    compose_due()
    assert Digest.objects.get(person=cast.bob).status == DigestStatus.CANCELLED
    assert not Delivery.objects.exists()
