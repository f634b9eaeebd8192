"""The read-only JSON API under /api/v1/, for CRM systems; OpenAPI schema at openapi.json.

Every endpoint is scoped to the organisation of the bearer token and nothing else: there
is no session sign-in here, so a person's browser session cannot read the API.
"""

import datetime as dt
import zoneinfo

from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import Field

from budbringer.accounts.models import Department
from budbringer.accounts.roles import api_sees_individuals
from budbringer.analytics import reports
from budbringer.analytics.filters import Filters, choosable_departments
from budbringer.api.paging import DEFAULT_LIMIT, MAX_LIMIT, BadCursor, Page, page_after
from budbringer.api.tokens import token_for_secret
from budbringer.lib.csp import API_DOCS, csp_allow
from budbringer.lib.ids import parse_id
from budbringer.links.models import Click, ClickKind
from budbringer.sharing.models import Share

# Counted clicks only: a pending click may still turn out to be a scanner or a repeat.
COUNTED_KINDS = (ClickKind.UNIQUE, ClickKind.REPEAT)
DEFAULT_PERIOD = dt.timedelta(days=30)
# Enough for ten years of weekly rows; a longer period is refused rather than looped over.
MAX_WEEKS = 520
# Every since and until is moved into this range. Nothing Budbringer records is older than
# the Unix epoch, so a client asking "since 0001-01-01" gets the same rows; and near year 1
# or 9999, moving a moment to UTC or subtracting the default period overflows datetime.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
# The API sees groups under five apart only as its tokens' role may (accounts.roles), under
# the same small-group rule as the dashboard (analytics.filters).
API_SEES_INDIVIDUALS = api_sees_individuals()


class OrganisationToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return token_for_secret(token)


api = NinjaAPI(
    title="Budbringer",
    version="1",
    description="Read-only analytics and click events of one organisation.",
    auth=OrganisationToken(),
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=csp_allow(API_DOCS),
)


def organisation_of(request: HttpRequest):
    return request.auth.organisation


class Period(Schema):
    since: dt.datetime | None = Field(None, description="From this moment (ISO 8601), inclusive.")
    until: dt.datetime | None = Field(None, description="Until this moment (ISO 8601), exclusive.")

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period in UTC, within EARLIEST and LATEST; naive moments are taken as UTC."""
        until = _in_range(self.until) if self.until else timezone.now()
        if until <= EARLIEST:
            raise HttpError(400, f"until must be after {EARLIEST:%Y-%m-%dT%H:%M:%SZ}")
        since = _in_range(self.since) if self.since else max(until - DEFAULT_PERIOD, EARLIEST)
        if since >= until:
            raise HttpError(400, "since must be before until")
        return since, until


def _in_range(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC, moved into EARLIEST..LATEST; naive is taken as UTC."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:  # within a day of year 1 or 9999: before or after UTC's range
        return EARLIEST if moment.year == dt.MINYEAR else LATEST
    return min(max(moment, EARLIEST), LATEST)


class Paging(Schema):
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _page(queryset, paging: Paging) -> Page:
    try:
        return page_after(queryset, paging.cursor, paging.limit)
    except BadCursor:
        raise HttpError(400, "unknown cursor") from None


class ItemOut(Schema):
    id: int
    title: str
    url: str


class ClickOut(Schema):
    id: int
    clicked_at: dt.datetime
    kind: str
    link: str = Field(description="Code of the tracked link (/l/<code>).")
    network: str
    item: ItemOut | None


class ClickPage(Schema):
    items: list[ClickOut]
    next_cursor: str | None


def _item(item) -> dict | None:
    return None if item is None else {"id": item.id, "title": item.title, "url": item.url}


def counted_clicks(organisation, since: dt.datetime, until: dt.datetime):
    """Counted clicks of the period, up to the first click the counting pass has not settled.

    Stopping there means a cursor never passes a click that is later counted.
    """
    clicks = Click.objects.filter(
        organisation=organisation,
        clicked_at__gte=since,
        clicked_at__lt=until,
        kind__in=COUNTED_KINDS,
    )
    first_pending = Click.objects.filter(
        organisation=organisation, kind=ClickKind.PENDING
    ).aggregate(first=Min("id"))["first"]
    return clicks if first_pending is None else clicks.filter(id__lt=first_pending)


@api.get("/clicks", response=ClickPage, summary="Counted clicks (unique and repeated)")
def list_clicks(request, period: Query[Period], paging: Query[Paging]):
    """Clicks by people, in the order they were recorded; bots, previews and scanners are left out.

    The cursor never passes a click that is not counted yet, so a client following
    next_cursor sees every click once it is counted, never a click that is later recounted.
    """
    since, until = period.bounds()
    clicks = counted_clicks(organisation_of(request), since, until).select_related(
        "link", "link__item"
    )
    page = _page(clicks, paging)
    return {
        "items": [
            {
                "id": click.id,
                "clicked_at": click.clicked_at,
                "kind": click.kind,
                "link": click.link.code,
                "network": click.network,
                "item": _item(click.link.item),
            }
            for click in page.rows
        ],
        "next_cursor": page.next_cursor,
    }


class ShareOut(Schema):
    id: int
    shared_at: dt.datetime
    network: str
    person_id: int | None = Field(
        description="Null once the person has been erased, or where the API may not see "
        "individuals."
    )
    link: str | None
    item: ItemOut


class SharePage(Schema):
    items: list[ShareOut]
    next_cursor: str | None


@api.get("/shares", response=SharePage, summary="Shares, in the order they were made")
def list_shares(request, period: Query[Period], paging: Query[Paging]):
    since, until = period.bounds()
    shares = Share.objects.filter(
        organisation=organisation_of(request), created_at__gte=since, created_at__lt=until
    ).select_related("item", "link")
    page = _page(shares, paging)
    return {
        "items": [
            {
                "id": share.id,
                "shared_at": share.created_at,
                "network": share.network,
                "person_id": share.person_id if API_SEES_INDIVIDUALS else None,
                "link": share.link.code if share.link else None,
                "item": _item(share.item),
            }
            for share in page.rows
        ],
        "next_cursor": page.next_cursor,
    }


class Since(Schema):
    since: dt.datetime | None = Field(None, description="From this moment (ISO 8601).")

    def moment(self) -> dt.datetime:
        return _in_range(self.since) if self.since else timezone.now() - DEFAULT_PERIOD


class NetworkOut(Schema):
    network: str
    label: str
    shares: int
    clicks: int
    unique_clicks: int


@api.get("/summaries/networks", response=list[NetworkOut], summary="Shares and clicks per network")
def network_summary(request, period: Query[Since]):
    rows = reports.by_network(organisation_of(request), period.moment())
    return [
        {
            "network": row.network,
            "label": str(row.label),
            "shares": row.shares,
            "clicks": row.clicks,
            "unique_clicks": row.unique_clicks,
        }
        for row in rows
    ]


class ItemSummaryOut(Schema):
    item: ItemOut
    shares: int
    clicks: int


@api.get("/summaries/items", response=list[ItemSummaryOut], summary="Most shared items")
def item_summary(request, period: Query[Since], limit: int = Query(10, ge=1, le=100)):
    items = reports.top_items(organisation_of(request), period.moment(), limit=limit)
    return [
        {"item": _item(item), "shares": item.share_count, "clicks": item.click_count}
        for item in items
    ]


class ParticipationQuery(Period):
    tz: str = Field(
        "UTC",
        description="Weeks start on Monday at midnight in this IANA time zone, "
        "e.g. Europe/Oslo (the dashboard counts in each viewer's own zone).",
    )
    department: int | None = Field(
        None, description="Only this department's people (its id); all people by default."
    )

    def zone(self) -> zoneinfo.ZoneInfo:
        if self.tz not in zoneinfo.available_timezones():
            raise HttpError(400, "tz must be an IANA time zone such as Europe/Oslo")
        return zoneinfo.ZoneInfo(self.tz)


class WeekOut(Schema):
    week: dt.date = Field(description="The Monday the week starts on, in the zone asked for.")
    days: float = Field(description="Days of the week inside the period (7 when complete).")
    complete: bool = Field(
        description="False for a partial week (the first and the current one, usually): "
        "fewer days to share in, so its rate is not comparable with a whole week's."
    )
    people: int = Field(
        description="People active in the week: joined before it ended, not left before it began."
    )
    sharers: int = Field(description="Of them, how many shared at least once in the week.")
    rate: float = Field(description="sharers / people, from 0 to 1.")


@api.get("/participation", response=list[WeekOut], summary="Share of people who shared, per week")
def participation(request, query: Query[ParticipationQuery]):
    """The dashboard's weekly participation (the same computation), for one zone's weeks.

    A token is made by an admin and already lists shares with person ids, so the API sees
    departments of any size, as an admin does on the dashboard.
    """
    since, until = query.bounds()
    if until - since > dt.timedelta(weeks=MAX_WEEKS):
        raise HttpError(400, f"a period of at most {MAX_WEEKS} weeks")
    organisation = organisation_of(request)
    department = None
    if query.department is not None:
        department_id = parse_id(query.department, Department)
        department = department_id and (
            choosable_departments(organisation, show_small_groups=API_SEES_INDIVIDUALS)
            .filter(pk=department_id)
            .first()
        )
        if not department:
            raise HttpError(400, "unknown department")
    filters = Filters(
        since=since,
        until=until,
        department=department,
        show_small_groups=API_SEES_INDIVIDUALS,
    )
    rows = reports.weekly_participation(organisation, filters, zone=query.zone())
    return [
        {
            "week": row.week,
            "days": row.days,
            "complete": row.complete,
            "people": row.people,
            "sharers": row.sharers,
            "rate": row.rate,
        }
        for row in rows
    ]


class LeadOut(Schema):
    id: int
    name: str
    email: str
    company: str
    last_alerted_at: dt.datetime | None = Field(
        description="When the lead's owner was last alerted (at most once an hour)."
    )


class LeadEventOut(Schema):
    id: int = Field(description="The click's id.")
    clicked_at: dt.datetime
    kind: str
    link: str
    target_url: str
    item: ItemOut | None
    lead: LeadOut
    alerted_at: dt.datetime | None = Field(
        description="When the owner was alerted about this click; null when it was not "
        "(an alert about the lead within the hour before, or not yet sent)."
    )


class LeadEventPage(Schema):
    items: list[LeadEventOut]
    next_cursor: str | None


@api.get("/lead-events", response=LeadEventPage, summary="Counted clicks of leads on their links")
def list_lead_events(request, period: Query[Period], paging: Query[Paging]):
    """What leads clicked, in the order recorded, paged like /clicks."""
    since, until = period.bounds()
    clicks = (
        counted_clicks(organisation_of(request), since, until)
        .filter(link__lead_link__isnull=False)
        .select_related("link", "link__item", "link__lead_link__lead", "lead_alert")
    )
    page = _page(clicks, paging)
    items = []
    for click in page.rows:
        lead = click.link.lead_link.lead
        items.append(
            {
                "id": click.id,
                "clicked_at": click.clicked_at,
                "kind": click.kind,
                "link": click.link.code,
                "target_url": click.link.target_url,
                "item": _item(click.link.item),
                "lead": {
                    "id": lead.id,
                    "name": lead.name,
                    "email": lead.email,
                    "company": lead.company,
                    "last_alerted_at": lead.last_alert_at,
                },
                "alerted_at": alert.alerted_at
                if (alert := getattr(click, "lead_alert", None))
                else None,
            }
        )
    return {"items": items, "next_cursor": page.next_cursor}
