"""Delivering composed digests exactly once per channel, across crashes and workers.

A delivery is claimed (planned -> sending, with a lease) in its own committed transaction
before the mail server or webhook is contacted, and settled (sent, planned again for a
retry, or failed) in another right after the answer. So:

* two workers never send the same delivery: a claim is a conditional UPDATE (or, on
  PostgreSQL, SELECT ... FOR UPDATE SKIP LOCKED), which only one of them wins;
* a worker killed before the answer leaves the delivery "sending" until its lease ends;
  then another worker resends it with the same Message-ID (derived from the digest), so
  the one case that cannot be known -- the server had accepted the message just before the
  crash -- shows up as a recognisable resend, never as a guess either way.

Temporary failures are retried with backoff (outcomes.RETRY_MINUTES); permanent ones fail
the delivery, and when they are about the address (550 no such user, a deleted webhook)
they are recorded on the person, whose digests then stop going there.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.digests import chat
from budbringer.digests.composition import entries_of, personal_digest
from budbringer.digests.mail import MailSender
from budbringer.digests.models import Channel, Delivery, DeliveryStatus
from budbringer.digests.outcomes import Outcome, Result, retry_delay_seconds
from budbringer.digests.rendering import build_email
from budbringer.digests.workers import claim_rows, worker_name

log = logging.getLogger(__name__)

BATCH = 200


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DIGEST_LEASE_SECONDS)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=DeliveryStatus.PLANNED, due_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def claim(
    worker: str,
    now: dt.datetime | None = None,
    limit: int = BATCH,
    only: list[int] | None = None,
) -> list[int]:
    """Claim up to ``limit`` due deliveries (of ``only``, if given) for ``worker``; returns
    their ids, committed."""
    now = now or timezone.now()
    due = Delivery.objects.filter(_claimable(now))
    if only is not None:
        due = due.filter(pk__in=only)
    lease_until = now + _lease()
    return claim_rows(
        due,
        order_by=("due_at", "pk"),
        limit=limit,
        take={
            "status": DeliveryStatus.SENDING,
            "lease_until": lease_until,
            "claimed_by": worker,
            "attempts": F("attempts") + 1,
        },
        mine={"claimed_by": worker, "lease_until": lease_until, "status": DeliveryStatus.SENDING},
    )


def deliver(ids: list[int], worker: str) -> dict[str, int]:
    """Send the claimed deliveries, settling each right after its answer; counts by outcome.

    Before each message the worker makes sure the claim is still its own, renewing the
    batch's lease when half of it is used up: a long batch must not outlive its lease, or
    another worker would take the rest and send it a second time.
    """
    counts = {outcome.value: 0 for outcome in Outcome}
    deliveries = (
        Delivery.objects.filter(pk__in=ids, claimed_by=worker, status=DeliveryStatus.SENDING)
        .select_related("digest__person__user", "digest__organisation")
        .order_by("pk")
    )
    deliveries = list(deliveries)
    entries = entries_of([delivery.digest_id for delivery in deliveries])
    lease = _Lease(worker, ids)
    shapes: dict = {}  # shared by colleagues' digests of this batch (see personal_digest)
    with MailSender() as mail:
        for delivery in deliveries:
            if not lease.holds(delivery.pk):
                continue  # the lease ran out and another worker took it over
            result = _send(delivery, mail, entries[delivery.digest_id], shapes)
            settle(delivery, result, worker)
            counts[result.outcome.value] += 1
    return counts


class _Lease:
    """A worker's hold on the deliveries it claimed, renewed while it works through them."""

    def __init__(self, worker: str, ids: list[int]):
        self.worker = worker
        self.mine = set(ids)
        self.renew_after = timezone.now() + _lease() / 2

    def holds(self, pk: int) -> bool:
        now = timezone.now()
        if now >= self.renew_after:
            mine = Delivery.objects.filter(
                pk__in=self.mine, claimed_by=self.worker, status=DeliveryStatus.SENDING
            )
            mine.update(lease_until=now + _lease())
            self.mine = set(mine.values_list("pk", flat=True))
            self.renew_after = now + _lease() / 2
        return pk in self.mine


def _send(delivery: Delivery, mail: MailSender, entries: list, shapes: dict) -> Result:
    try:
        personal = personal_digest(delivery.digest, entries, shapes)
        if delivery.channel == Channel.EMAIL:
            return mail.send(build_email(personal))
        return chat.post_digest(delivery.digest.person.chat_webhook_url, personal.content())
    except Exception as exc:  # a bug or bad data must not stop the batch
        log.exception("delivery %s could not be sent", delivery.pk)
        return Result.temporary(f"internal error: {type(exc).__name__}")


def settle(delivery: Delivery, result: Result, worker: str, now: dt.datetime | None = None):
    """Record the answer, if the claim is still this worker's (a lease may have run out)."""
    now = now or timezone.now()
    if result.outcome is Outcome.SENT:
        _settle_sent(delivery.pk, worker, now)
        return
    mine = Delivery.objects.filter(pk=delivery.pk, claimed_by=worker, status=DeliveryStatus.SENDING)
    delay = retry_delay_seconds(delivery.attempts) if result.outcome is Outcome.TEMPORARY else None
    if delay is not None:
        mine.update(
            status=DeliveryStatus.PLANNED,
            due_at=now + dt.timedelta(seconds=delay),
            lease_until=None,
            error=result.detail,
        )
        return
    with transaction.atomic():
        settled = mine.update(status=DeliveryStatus.FAILED, lease_until=None, error=result.detail)
        if settled and result.recipient_problem:
            person = Person.objects.filter(pk=delivery.digest.person_id)
            if delivery.channel == Channel.EMAIL:
                person.update(email_failed_at=now, email_failure=result.detail)
            else:
                person.update(chat_failed_at=now, chat_failure=result.detail)


def _settle_sent(pk: int, worker: str, now: dt.datetime) -> int:
    """The same UPDATE as ``Delivery.objects.filter(pk=pk, claimed_by=worker,
    status=SENDING).update(status=SENT, sent_at=now, lease_until=None, error="")``, with
    its SQL built once: it runs for every message, and building the query cost more than
    running it. Autocommit (or the caller's transaction), like the ORM's update()."""
    with connection.cursor() as cursor:
        cursor.execute(
            _sent_sql(connection.alias),
            [
                DeliveryStatus.SENT.value,
                connection.ops.adapt_datetimefield_value(now),
                pk,
                worker,
                DeliveryStatus.SENDING.value,
            ],
        )
        return cursor.rowcount


@functools.cache
def _sent_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    field = {f.name: quote(f.column) for f in Delivery._meta.concrete_fields}
    # Only the model's own table and column names go into the text; values are parameters.
    table = quote(Delivery._meta.db_table)
    return (
        f"UPDATE {table} SET {field['status']} = %s, {field['sent_at']} = %s, "  # noqa: S608
        f"{field['lease_until']} = NULL, {field['error']} = '' "
        f"WHERE {field['id']} = %s AND {field['claimed_by']} = %s AND {field['status']} = %s"
    )


def deliver_due(worker: str | None = None, limit: int = BATCH) -> dict[str, int]:
    """Claim and send one batch of due deliveries."""
    worker = worker or worker_name()
    return deliver(claim(worker, limit=limit), worker)
