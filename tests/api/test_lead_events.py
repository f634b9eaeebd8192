"""Lead events: counted clicks of leads on their links, for the CRM, per organisation."""

from budbringer.leads.leads import create_lead_link
from budbringer.leads.models import Lead, LeadAlert
from budbringer.links.models import ClickKind
from budbringer.links.tracking import record_click

EVER = "2020-01-01T00:00:00Z"


def settled(link, kind, ip):
    click = record_click(link, method="GET", user_agent="Firefox/130.0", referrer="", ip=ip)
    click.kind = kind
    click.save(update_fields=["kind"])
    return click


def test_lead_events_are_the_leads_counted_clicks(cast, api_get, nordlys_secret, havn_secret):
    ingrid = Lead.objects.create(
        organisation=cast.nordlys, name="Ingrid Berg", email="ingrid@fjordkraft.example",
        company="Fjordkraft", owner=cast.sara,
    )  # fmt: skip
    link = create_lead_link(ingrid, item=cast.article)
    unique = settled(link, ClickKind.UNIQUE, "198.51.100.7")
    repeat = settled(link, ClickKind.REPEAT, "198.51.100.7")
    settled(link, ClickKind.SCANNER, "198.51.100.8")
    settled(cast.havn_link, ClickKind.UNIQUE, "198.51.100.9")  # not a lead link
    hilde = Lead.objects.create(
        organisation=cast.havn, name="Hilde", email="hilde@havn.example", owner=cast.charlie
    )
    havn_click = settled(
        create_lead_link(hilde, url="https://havn.example.com/offer"), ClickKind.UNIQUE, "::1"
    )

    alert = LeadAlert.objects.create(lead=ingrid, click=unique, alerted_at=unique.clicked_at)

    rows = api_get("/lead-events", nordlys_secret, since=EVER).json()["items"]
    assert [row["id"] for row in rows] == [unique.pk, repeat.pk]
    assert rows[0]["alerted_at"] is not None
    assert rows[0]["alerted_at"][:19] == alert.alerted_at.isoformat()[:19]
    assert rows[1]["alerted_at"] is None  # no alert about the repeat
    assert rows[0]["lead"]["name"] == "Ingrid Berg"
    assert rows[0]["lead"]["company"] == "Fjordkraft"
    assert rows[0]["item"]["title"] == cast.article.title
    assert rows[0]["link"] == link.code
    assert "Hilde" not in api_get("/lead-events", nordlys_secret, since=EVER).content.decode()

    havn_rows = api_get("/lead-events", havn_secret, since=EVER).json()["items"]
    assert [row["id"] for row in havn_rows] == [havn_click.pk]
