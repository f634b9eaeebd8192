"""Times on the lead pages are in the viewer's own time zone, and the page says which."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from budbringer.leads.leads import hand_over_lead
from budbringer.leads.models import Lead
from tests.leads.conftest import click_on

CLICKED = dt.datetime(2026, 3, 3, 13, 5, tzinfo=dt.UTC)  # a Tuesday, winter time in both zones
LATER = CLICKED + dt.timedelta(hours=2)  # still "hot"


def visible(html: str) -> str:
    """The page's text as a person reads it (tags left out)."""
    return re.sub(r"<[^>]+>", "", html)


VIEWERS = [
    # (who, zone, the click as they read it, the zone as the page names it, as a machine does)
    ("sara", "Europe/Oslo", "2026-03-03 14:05", "Europe/Oslo", "2026-03-03T14:05+01:00"),
    ("lena", "America/New_York", "2026-03-03 08:05", "America/New York", "2026-03-03T08:05-05:00"),
]


@pytest.mark.parametrize(("who", "zone", "local", "named", "machine"), VIEWERS)
def test_a_click_shows_in_the_viewers_zone_with_the_zone_named(
    cast, login, lead, lead_link, who, zone, local, named, machine
):
    viewer = getattr(cast, who)
    viewer.time_zone = zone
    viewer.save()
    click_on(lead_link, now=CLICKED)
    Lead.objects.filter(pk=lead.pk).update(last_alert_at=CLICKED)
    client = login(viewer)
    with time_machine.travel(LATER, tick=False):
        for url in (
            reverse("lead_list"),
            reverse("leads_hot"),
            reverse("lead_detail", args=[lead.pk]),
        ):
            html = client.get(url).text
            assert f'datetime="{machine}"' in html, url
            text = visible(html)
            assert local in text, url
            assert "2026-03-03 13:05" not in text, url  # the UTC time
            assert f"Times are in your time zone, {named}." in text, url


def test_the_hand_over_time_is_in_the_viewers_zone(cast, login, lead):
    cast.lena.time_zone = "Asia/Tokyo"
    cast.lena.save()
    hand_over_lead(lead, cast.lena, by=cast.sara, now=CLICKED)
    text = visible(login(cast.lena).get(reverse("lead_detail", args=[lead.pk])).text)
    assert "handed over 2026-03-03 22:05" in text
    assert "Times are in your time zone, Asia/Tokyo." in text


def test_pages_without_times_name_no_zone(cast, login, lead):
    """A lead not yet clicked, and an empty Hot now: nothing to say about time zones."""
    client = login(cast.sara)
    for url in (reverse("lead_detail", args=[lead.pk]), reverse("leads_hot")):
        assert "Times are in" not in client.get(url).text, url
