"""Everything Budbringer holds about a person, to hand over or to erase."""

from django.db import transaction
from django.db.models import Count, Q

from budbringer.accounts.models import Person


def export_person(person: Person) -> dict:
    """The person's data as plain JSON-ready values (GDPR art. 15 and 20)."""
    user = person.user
    links = person.tracked_links.select_related("item").annotate(
        human_clicks=Count("clicks", filter=Q(clicks__is_bot=False))
    )
    return {
        "person": {
            "name": person.name,
            "username": user.username,
            "email": user.email,
            "organisation": person.organisation.name,
            "department": person.department.name if person.department else None,
            "role": person.role,
            "languages": person.languages,
            "interface_language": person.interface_language,
            "time_zone": person.time_zone,
            "digest_cadence": person.digest_cadence,
            "topics": sorted(person.topics.values_list("name", flat=True)),
            "followed_lists": sorted(person.followed_lists.values_list("name", flat=True)),
            "created_at": person.created_at.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "shares": [
            {
                "item": share.item.title,
                "url": share.item.url,
                "network": share.network,
                "shared_at": share.created_at.isoformat(),
            }
            for share in person.shares.select_related("item").order_by("created_at")
        ],
        "tracked_links": [
            {
                "code": link.code,
                "target": link.target_url,
                "network": link.network,
                "item": link.item.title if link.item else None,
                "created_at": link.created_at.isoformat(),
                "clicks": link.human_clicks,
            }
            for link in links.order_by("created_at")
        ],
        # What the ranker learns from: opened, shared, "more like this", "not for me".
        "interactions": [
            {"item": title, "kind": kind, "at": at.isoformat()}
            for title, kind, at in person.interactions.order_by("at", "id").values_list(
                "item__title", "kind", "at"
            )
        ],
    }


@transaction.atomic
def erase_person(person: Person) -> None:
    """Delete the person and their login (GDPR art. 17).

    Their shares and links stay, detached from them: the organisation's counts remain
    right and links already posted keep working for the people who read those posts.
    Their interactions (the ranker's feedback) go with them.
    """
    user = person.user
    person.delete()
    user.delete()
