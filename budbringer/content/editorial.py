"""Editors' mutations on items: add, approve, reject."""

from django.db import transaction
from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.content.models import ApprovalState, Item, Promotion, ShareText


@transaction.atomic
def add_item(
    person: Person,
    *,
    share_texts: list[dict],
    topics=(),
    approve: bool = False,
    **fields,
) -> Item:
    """Create an item with its suggested share texts, all or nothing."""
    item = Item.objects.create(organisation=person.organisation, **fields)
    item.topics.set(topics)
    ShareText.objects.bulk_create(ShareText(item=item, **text) for text in share_texts)
    if approve:
        approve_item(item, person)
        item.refresh_from_db()
    return item


def approve_item(item: Item, person: Person) -> bool:
    """Approve once; returns False when it was already approved (by anyone)."""
    return bool(
        Item.objects.filter(pk=item.pk)
        .exclude(approval_state=ApprovalState.APPROVED)
        .update(
            approval_state=ApprovalState.APPROVED,
            approved_by=person,
            approved_at=timezone.now(),
        )
    )


def reject_item(item: Item, person: Person) -> bool:
    return bool(
        Item.objects.filter(pk=item.pk)
        .exclude(approval_state=ApprovalState.REJECTED)
        .update(approval_state=ApprovalState.REJECTED, approved_by=person, approved_at=None)
    )


def promote_item(item: Item, promotion: str) -> None:
    """Boost or pin the item in everyone's ranking (or take that back)."""
    if promotion not in Promotion.values:
        raise ValueError(f"unknown promotion: {promotion!r}")
    Item.objects.filter(pk=item.pk).update(promotion=promotion)
