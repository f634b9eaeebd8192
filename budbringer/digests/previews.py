"""A digest for one person now, sent at once (the admins' "send me a preview")."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.digests.composition import compose
from budbringer.digests.delivery import claim, deliver
from budbringer.digests.models import Delivery, DeliveryStatus, Digest, DigestKind, DigestStatus
from budbringer.digests.workers import worker_name


@dataclass(frozen=True)
class PreviewOutcome:
    sent: bool
    error: str = ""


def send_preview(person: Person) -> PreviewOutcome | None:
    """None when nothing clears the relevance bar for the person right now."""
    now = timezone.now()
    digest = Digest.objects.create(
        organisation=person.organisation,
        person=person,
        slot_at=now,
        kind=DigestKind.PREVIEW,
    )
    digest.person = person
    compose([digest], now)
    digest.refresh_from_db()
    if digest.status != DigestStatus.READY:
        return None
    worker = worker_name()
    ids = claim(worker, now=now, only=list(digest.deliveries.values_list("pk", flat=True)))
    deliver(ids, worker)
    failed = Delivery.objects.filter(digest=digest).exclude(status=DeliveryStatus.SENT)
    errors = [delivery.error for delivery in failed if delivery.error]
    return PreviewOutcome(sent=not failed.exists(), error="; ".join(errors))
