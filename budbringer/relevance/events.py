"""Recording feedback for the ranker: the one home of that mutation."""

import datetime as dt

from django.utils import timezone

from budbringer.accounts.models import Person
from budbringer.content.models import Item
from budbringer.relevance.models import Interaction, InteractionKind
from budbringer.timing.activity import record_activity


def record_interaction(
    person: Person, item: Item, kind: InteractionKind | str, at: dt.datetime | None = None
) -> Interaction:
    """Log that the person did `kind` with the item; the next ranking takes it into account."""
    if kind not in InteractionKind.values:
        raise ValueError(f"unknown interaction kind: {kind!r}")
    if person.organisation_id != item.organisation_id:
        raise ValueError("the person and the item belong to different organisations")
    at = at or timezone.now()
    interaction = Interaction.objects.create(
        organisation_id=person.organisation_id, person=person, item=item, kind=kind, at=at
    )
    # Every piece of feedback is also a moment the person was reachable; a delivery is not.
    if kind != InteractionKind.DELIVERED:
        record_activity(person, at)
    return interaction
