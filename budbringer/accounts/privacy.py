"""Everything Budbringer holds about a person, to hand over or to erase."""

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q

from budbringer.accounts.models import Person
from budbringer.digests.models import DigestClick
from budbringer.links.models import PERSON_KINDS, ClickKind
from budbringer.timing.models import PersonReachability


def export_person(person: Person) -> dict:
    """The person's data as plain JSON-ready values (GDPR art. 15 and 20)."""
    user = person.user
    links = person.tracked_links.select_related("item").annotate(
        human_clicks=Count("clicks", filter=Q(clicks__kind__in=PERSON_KINDS)),
        unique_clicks=Count("clicks", filter=Q(clicks__kind=ClickKind.UNIQUE)),
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
            "send_days": person.send_days,
            "quiet_from": person.quiet_from.isoformat() if person.quiet_from else None,
            "quiet_until": person.quiet_until.isoformat() if person.quiet_until else None,
            "on_holiday_until": (
                person.on_holiday_until.isoformat() if person.on_holiday_until else None
            ),
            "digests_on_holiday": person.digests_on_holiday,
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
                "unique_clicks": link.unique_clicks,
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
        # Visits of their digests' links (kept with a visitor hash, never the address).
        "digest_clicks": [
            {
                "item": title,
                "action": action,
                "network": network,
                "kind": kind,
                "at": at.isoformat(),
            }
            for title, action, network, kind, at in DigestClick.objects.filter(
                digest__person=person
            )
            .order_by("clicked_at", "id")
            .values_list("item__title", "action", "network", "kind", "clicked_at")
        ],
        # What the send-time model learns from: the local hours the person was active in.
        "active_hours": [
            at.astimezone(dt.timezone(dt.timedelta(minutes=offset))).isoformat()
            for at, offset in person.active_hours.order_by("started_at").values_list(
                "started_at", "utc_offset_minutes"
            )
        ],
        "reachability": _reachability(person),
        # The leads this person owns: their contacts' data, which the person entered.
        "leads": [
            {
                "name": lead.name,
                "email": lead.email,
                "company": lead.company,
                "notes": lead.notes,
                "created_at": lead.created_at.isoformat(),
                "links": [lead_link.link.target_url for lead_link in lead.lead_links.all()],
            }
            for lead in person.leads.prefetch_related("lead_links__link").order_by("pk")
        ],
    }


def _reachability(person: Person) -> dict | None:
    """The learned profile, as the share of activity per local hour, Monday 00:00 first."""
    learned = PersonReachability.objects.filter(person=person).first()
    if learned is None:
        return None
    return {
        "shares_by_hour_of_week": [round(float(v), 5) for v in learned.shares],
        "active_hours_used": learned.active_hours,
        "fitted_at": learned.fitted_at.isoformat(),
    }


@transaction.atomic
def erase_person(person: Person) -> None:
    """Delete the person and their login (GDPR art. 17).

    Their shares and links stay, detached from them: the organisation's counts remain
    right and links already posted keep working for the people who read those posts.
    Their interactions (the ranker's feedback), active hours and learned reachability go
    with them. Leads they owned stay with the organisation without an owner (no alerts
    go anywhere) until a leader or admin hands them over: they are the organisation's
    contacts, and deleting a lead is its own decision (``leads.delete_lead``). Their notes
    on those leads go: only the owner could read them (``leads/models.py``).
    """
    person.leads.update(notes="")
    user = person.user
    person.delete()
    user.delete()
