"""The lead pages in Chromium, as a sales person and as a leader, on a phone (390 px) and a
laptop (1366 px): nothing wider than the screen, empty states and the hand-over page
included. The screenshots in test-artifacts/ are for people to look at."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budbringer.leads.leads import create_lead_link
from budbringer.leads.models import Lead
from budbringer.links.models import ClickKind
from budbringer.links.tracking import record_click
from tests.browser.pages import WIDTHS, look_at, sign_in
from tests.conftest import make_person


def counted_click(link, minutes_ago: int, ip: str) -> None:
    click = record_click(
        link, method="GET", user_agent="Firefox/130.0", referrer="", ip=ip,
        now=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )  # fmt: skip
    click.kind = ClickKind.UNIQUE
    click.save(update_fields=["kind"])


def some_leads(cast) -> Lead:
    """Sara's Ingrid (notes, two links, clicks), Sven's Vidar, and a lead whose owner left."""
    sven = make_person(cast.nordlys, "sven", "sales", cast.sales, name="Sven Solberg")
    ingrid = Lead.objects.create(
        organisation=cast.nordlys, name="Ingrid Berg", email="ingrid.berg@fjordkraft.example",
        company="Fjordkraft Energi", owner=cast.sara,
        notes="Wants a pilot in Bergen.\nBudget decided in May.",
    )  # fmt: skip
    article = create_lead_link(ingrid, item=cast.article)
    pricing = create_lead_link(
        ingrid, url="https://nordlys.example.com/pricing/enterprise-plans-for-utilities?ref=mail"
    )
    for n, minutes in enumerate((35, 160, 60 * 30)):
        counted_click(article if n else pricing, minutes, f"198.51.100.{n}")
    vidar = Lead.objects.create(
        organisation=cast.nordlys, name="Vidar Vik", email="vidar@vindkraft.example",
        company="Vindkraft", owner=sven, notes="Sven's own notes",
    )  # fmt: skip
    counted_click(create_lead_link(vidar, url="https://nordlys.example.com/"), 90, "192.0.2.9")
    Lead.objects.create(
        organisation=cast.nordlys, name="Kari Nordmann", email="kari@havbruk.example",
        company="Havbruk", owner=None,
    )  # fmt: skip
    return ingrid


def ownerless(cast) -> Lead:
    return Lead.objects.get(organisation=cast.nordlys, owner=None)


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_lead_pages_for_sales_and_leaders(cast, new_context, traffic, device):
    width = WIDTHS[device]
    cast.sara.time_zone = "Europe/Oslo"
    cast.sara.save()
    sara = new_context(viewport={"width": width, "height": 800}).new_page()
    lena = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(sara, "sara")
    sign_in(lena, "lena")

    # Empty states.
    for who, page in (("sara", sara), ("lena", lena)):
        page.goto("/leads/")
        look_at(page, f"leads-{who}-list-empty-{device}")
        page.goto("/leads/hot/")
        expect(page.get_by_text("No lead clicked in that time.")).to_be_visible()
        look_at(page, f"leads-{who}-hot-empty-{device}")
        page.goto("/leads/new/")
        expect(page.get_by_label("Owner")).to_have_count(1 if who == "lena" else 0)
        look_at(page, f"leads-{who}-new-{device}")

    ingrid = some_leads(cast)
    for who, page in (("sara", sara), ("lena", lena)):
        page.goto("/leads/")
        look_at(page, f"leads-{who}-list-{device}")
        page.goto("/leads/hot/")
        look_at(page, f"leads-{who}-hot-{device}")
        page.goto(f"/leads/{ingrid.pk}/")
        expect(page.get_by_text("Times are in your time zone")).to_have_count(1)
        look_at(page, f"leads-{who}-detail-{device}")
        page.goto(f"/leads/{ingrid.pk}/hand-over/")
        look_at(page, f"leads-{who}-hand-over-{device}")
    expect(sara.get_by_text("Your notes go with the lead")).to_be_visible()
    expect(lena.get_by_text("The owner's notes on this lead will be deleted.")).to_be_visible()
    # A lead whose owner left, as a leader sees it: no links, no clicks yet.
    lena.goto(f"/leads/{ownerless(cast).pk}/")
    expect(lena.locator("#owner")).to_contain_text("Nobody: its owner has left.")
    look_at(lena, f"leads-lena-detail-ownerless-{device}")

    # Sara hands Ingrid over to Lena: Sara's list no longer has her, Lena's page says so.
    sara.get_by_label("New owner").select_option(label="Lena (Leader)")
    sara.get_by_role("button", name="Hand over").click()
    expect(sara.get_by_role("status")).to_contain_text("Ingrid Berg is now the lead of Lena")
    expect(sara.locator(f"#lead-{ingrid.pk}")).to_have_count(0)
    look_at(sara, f"leads-sara-after-hand-over-{device}")
    lena.goto(f"/leads/{ingrid.pk}/")
    expect(lena.locator("#owner")).to_contain_text("handed over")
    expect(lena.get_by_text("Budget decided in May.")).to_be_visible()
    look_at(lena, f"leads-lena-detail-after-hand-over-{device}")
    assert traffic.unexpected() == []
