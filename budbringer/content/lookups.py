"""The one way views load items: scoped to the person's organisation, or 404."""

from django.shortcuts import get_object_or_404

from budbringer.accounts.models import Person
from budbringer.content.models import Item, Topic


def get_item_for(person: Person, item_id: int) -> Item:
    """An item anyone in the organisation may see: approved and not expired."""
    return get_object_or_404(
        Item.objects.in_organisation(person.organisation).shareable().select_related("source"),
        pk=item_id,
    )


def get_item_for_editor(person: Person, item_id: int) -> Item:
    """Any item of the organisation, in any state (the caller checks the editor role)."""
    return get_object_or_404(Item.objects.in_organisation(person.organisation), pk=item_id)


def get_topic_for(person: Person, topic_id: int) -> Topic:
    """A topic of the person's organisation; every person may see and follow them all."""
    return get_object_or_404(Topic.objects.filter(organisation=person.organisation), pk=topic_id)
