"""Making tracked links and recording clicks on them: the one home of both mutations."""

import datetime as dt
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from ua_parser import parse as parse_user_agent

from budbringer.accounts.models import Organisation, Person
from budbringer.content.models import Item
from budbringer.lib.urls import ascii_uri
from budbringer.links.bots import request_kind
from budbringer.links.events import clicks_recorded
from budbringer.links.models import Click, TrackedLink, new_code
from budbringer.links.visitors import visitor_hash
from budbringer.sharing.networks import NETWORKS

UTM_CAMPAIGN = "budbringer"


def short_url(link: TrackedLink) -> str:
    return settings.BASE_URL + reverse("redirect", args=[link.code])


def create_link(
    organisation: Organisation,
    target_url: str | None = None,
    *,
    code: str | None = None,
    person: Person | None = None,
    item: Item | None = None,
    network: str = "",
) -> TrackedLink:
    """Register a target under a fresh (or given) code; only http(s) targets are accepted.

    The one place links are made (``share_link`` and lead links come here). A link bound
    to an item goes to the item's address: give no target for it, or that one.
    """
    for owned in (person, item):
        if owned is not None and owned.organisation_id != organisation.pk:
            raise ValueError(f"the {type(owned).__name__.lower()} is of another organisation")
    if item is not None:
        if target_url not in (None, item.url):
            raise ValueError("a link bound to an item goes to the item's address")
        target_url = item.url
    if not target_url:
        raise ValueError("give an address or an item")
    URLValidator(schemes=["http", "https"])(target_url)
    for _attempt in range(5):
        attempt = code or new_code()
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    organisation=organisation,
                    code=attempt,
                    target_url=target_url,
                    person=person,
                    item=item,
                    network=network,
                )
        except IntegrityError:
            # Only a drawn code already taken is worth drawing again. Any other conflict
            # (the person's link for this item and network, made at the same moment by
            # another request) is the caller's: share_link then uses that link.
            if code is not None or not TrackedLink.objects.filter(code=attempt).exists():
                raise
    raise RuntimeError("could not find a free link code in 5 attempts")


def share_link(person: Person, item: Item, network: str) -> TrackedLink:
    """The person's tracked link for this item on this network, made on first use.

    A link that does not go to the item's address is not handed out: the item's URL was
    edited since, or the link was made outside this module (the admin once allowed it).
    It keeps its target for the posts already out (a link's target never changes), and is
    marked replaced by a new link to the item, which this share and the next ones carry.
    """
    current = TrackedLink.objects.filter(
        person=person, item=item, network=network, replaced_at=None
    )
    existing = current.first()
    if existing and existing.target_url == item.url:
        return existing
    if existing:
        current.filter(pk=existing.pk).update(replaced_at=timezone.now())
    try:
        return create_link(person.organisation, person=person, item=item, network=network)
    except IntegrityError:  # the same person shared at the same moment: use that link
        return current.get()


def redirect_target(link: TrackedLink) -> str:
    """The registered target with UTM parameters added (existing ones are kept), in the
    ASCII form a ``Location`` header carries: the one source of both redirect paths' header
    (the Django view and links.fastpath)."""
    parts = urlsplit(link.target_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _value in query}
    network = NETWORKS.get(link.network)
    utm = {
        "utm_source": link.network or "budbringer",
        "utm_medium": network.utm_medium if network else "link",
        "utm_campaign": UTM_CAMPAIGN,
    }
    query += [(key, value) for key, value in utm.items() if key not in present]
    return ascii_uri(urlunsplit(parts._replace(query=urlencode(query))))


def _user_agent_family(user_agent: str) -> str:
    if not user_agent:
        return ""
    parsed = parse_user_agent(user_agent).user_agent
    return parsed.family[:100] if parsed else "Other"


def _referrer_host(referrer: str) -> str:
    try:
        return (urlsplit(referrer).hostname or "")[:255]
    except ValueError:
        return ""


def record_click(
    link: TrackedLink,
    *,
    method: str,
    user_agent: str,
    referrer: str,
    ip: str,
    now: dt.datetime | None = None,
) -> Click:
    now = now or timezone.now()
    click = Click.objects.create(
        organisation_id=link.organisation_id,
        link=link,
        clicked_at=now,
        network=link.network,
        referrer_host=_referrer_host(referrer),
        user_agent_family=_user_agent_family(user_agent),
        kind=request_kind(method, user_agent),
        visitor_hash=visitor_hash(ip, now.date()),
    )
    transaction.on_commit(lambda: clicks_recorded.send(Click, clicks=[click]))
    return click
