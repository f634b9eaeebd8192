"""Recording a share: the one home of that mutation."""

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from budbringer.accounts.models import Person
from budbringer.content.models import Item
from budbringer.links.tracking import share_link, short_url
from budbringer.relevance.events import record_interaction
from budbringer.sharing.models import Share
from budbringer.sharing.networks import NETWORKS
from budbringer.sharing.suggestions import suggested_text


def record_share(person: Person, item: Item, network_slug: str, text: str = "") -> str:
    """Record that the person shares the item, and return the network's share-dialog URL.

    The URL carries the person's tracked short link for this item and network, and the
    text they chose (or the suggestion when they left it as it was).
    """
    network = NETWORKS[network_slug]
    with transaction.atomic():
        link = share_link(person, item, network_slug)
        share = Share.objects.create(
            organisation=person.organisation,
            person=person,
            item=item,
            network=network_slug,
            link=link,
        )
        # The first share makes the person a sharer for good (the dashboard's "never shared").
        if Person.objects.filter(pk=person.pk, first_shared_at=None).update(
            first_shared_at=share.created_at
        ):
            person.first_shared_at = share.created_at
        record_interaction(person, item, "shared")
    words = text.strip() or suggested_text(item, network_slug, person)
    return network.share_url(link=short_url(link), text=words, title=item.title)


def note_first_shares(people: QuerySet) -> int:
    """Set ``first_shared_at`` from the shares of people whose shares were written without
    ``record_share`` (the demo's history, benchmark data); returns how many were set."""
    first = Share.objects.filter(person=OuterRef("pk")).order_by("created_at").values("created_at")
    return people.filter(shares__isnull=False).update(first_shared_at=Subquery(first[:1]))
