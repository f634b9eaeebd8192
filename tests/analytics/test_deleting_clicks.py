"""However clicks are deleted (with a lead, with a tracked link or an item in the admin, with
an organisation), the roll-ups keep the sums of the clicks that remain: the dashboard's
numbers read from them equal those read live from the clicks. Erasing a person deletes none.

Each test rolls up ten days of clicks (today by the hour, its last hours live), deletes
one way, and compares."""

import dataclasses
import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from budbringer.accounts.privacy import erase_person
from budbringer.analytics import reports
from budbringer.analytics.filters import Filters
from budbringer.analytics.models import ClickRollup, DailyClicks, DepartmentClicks, NetworkClicks
from budbringer.analytics.rollup import refresh, rolled_up
from budbringer.content.models import Item
from budbringer.leads.leads import create_lead_link, delete_lead
from budbringer.leads.models import Lead
from budbringer.links.models import Click, ClickKind, TrackedLink
from budbringer.sharing.sharing import record_share
from tests.analytics.conftest import REPEAT, UNIQUE, click
from tests.analytics.test_rollup import narrower_sums_agree
from tests.conftest import make_item
from tests.test_admin import url

DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
KINDS = [UNIQUE, REPEAT, UNIQUE, ClickKind.BOT, ClickKind.SCANNER, UNIQUE, ClickKind.PENDING]


def noon(days_ago: int = 0) -> dt.datetime:
    today = timezone.now().astimezone(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return today - days_ago * DAY


# The roll-up's "now": 15:00 UTC today, so today's hours up to 14:00 are rolled up by the
# hour and its clicks at 17:00 and 23:00 are read live, whatever the clock says.
NOW = noon() + dt.timedelta(hours=3)


@pytest.fixture
def history(cast):
    second = make_item(cast.nordlys, "Second story")
    quiet = make_item(cast.nordlys, "Only sent to leads")
    record_share(cast.bob, cast.article, "linkedin")
    record_share(cast.sara, cast.article, "x")
    record_share(cast.bob, second, "facebook")
    record_share(cast.charlie, cast.havn_article, "linkedin")
    lead = Lead.objects.create(
        organisation=cast.nordlys, name="Ingrid Berg", company="Fjordkraft", owner=cast.sara
    )
    lead_links = [
        create_lead_link(lead, item=cast.article),
        create_lead_link(lead, item=quiet),
        create_lead_link(lead, url="https://nordlys.example/pricing"),
    ]
    made = 0
    for days_ago in range(10):
        for hour in (-11, -3, 0, 5, 11):
            for link in TrackedLink.objects.order_by("pk"):
                at = noon(days_ago) + dt.timedelta(hours=hour, minutes=made % 60)
                click(link, f"198.51.100.{made % 250}", now=at, kind=KINDS[made % len(KINDS)])
                made += 1
    refresh(now=NOW)
    complete_before, hours_before = rolled_up()
    assert complete_before == NOW.date()
    assert hours_before == noon() + dt.timedelta(hours=2)  # 12:00 and 13:00 by the hour
    assert DailyClicks.objects.exclude(hour=None).exists()
    return SimpleNamespace(lead=lead, lead_links=lead_links, second=second, quiet=quiet)


def periods(cast, *, departments=True):
    until = NOW + dt.timedelta(hours=12)
    chosen = []
    # 30 days; from a day's middle; from 09:00 today (hour rows, then live).
    for since in (NOW - 30 * DAY, NOW - dt.timedelta(days=3, hours=5), noon() - 3 * HOUR):
        period = Filters(since=since, until=until)
        chosen += [
            period,
            dataclasses.replace(period, network="linkedin"),
            dataclasses.replace(period, source_list=cast.company_list),
        ]
        if departments:
            chosen.append(dataclasses.replace(period, department=cast.sales))
    return chosen


def numbers(organisation, filters):
    return [
        (reports.networks(organisation, f), reports.items(organisation, f),
         reports.left_out(organisation, f))
        for f in filters
    ]  # fmt: skip


def assert_rollups_agree_with_the_clicks(organisation, filters):
    """The reports from the roll-ups equal the reports read live from the clicks."""
    assert narrower_sums_agree()
    rolled = numbers(organisation, filters)
    state = ClickRollup.objects.values("complete_before", "hours_before").get()
    ClickRollup.objects.update(complete_before=None, hours_before=None)  # read all live
    live = numbers(organisation, filters)
    ClickRollup.objects.update(**state)
    assert rolled == live
    return rolled


def deleted(cast, history, delete, *, departments=True):
    """Delete as ``delete`` does; check the numbers changed and still agree."""
    filters = periods(cast, departments=departments)
    before = assert_rollups_agree_with_the_clicks(cast.nordlys, filters)
    clicks = Click.objects.count()
    delete()
    after = assert_rollups_agree_with_the_clicks(cast.nordlys, filters)
    return clicks - Click.objects.count(), before != after


def test_deleting_a_lead(cast, history):
    gone, changed = deleted(cast, history, lambda: delete_lead(history.lead))
    assert gone == 3 * 50 and changed
    assert not Click.objects.filter(link__in=history.lead_links).exists()


def test_deleting_a_tracked_link_in_the_admin(cast, history, login):
    link = TrackedLink.objects.get(person=cast.bob, network="linkedin")
    client = login(cast.alice)

    def delete():
        assert client.get(url(TrackedLink, "delete", link.pk)).status_code == 200
        response = client.post(url(TrackedLink, "delete", link.pk), {"post": "yes"})
        assert response.status_code == 302

    assert deleted(cast, history, delete) == (50, True)
    assert not TrackedLink.objects.filter(pk=link.pk).exists()


def test_deleting_tracked_links_in_the_admin_list(cast, history, login):
    links = [
        TrackedLink.objects.get(person=cast.sara, network="x"),
        history.lead_links[2],  # to an address, no item
    ]
    client = login(cast.erik)

    def delete():
        response = client.post(
            url(TrackedLink),
            {"action": "delete_selected", "_selected_action": [link.pk for link in links],
             "post": "yes"},
        )  # fmt: skip
        assert response.status_code == 302

    assert deleted(cast, history, delete) == (100, True)
    assert not TrackedLink.objects.filter(pk__in=[link.pk for link in links]).exists()


def test_deleting_an_item_in_the_admin(cast, history, login):
    # An item that was shared keeps its shares (read-only): this one only went to a lead.
    client = login(cast.erik)

    def delete():
        response = client.post(url(Item, "delete", history.quiet.pk), {"post": "yes"})
        assert response.status_code == 302

    assert deleted(cast, history, delete) == (50, True)
    assert not Item.objects.filter(pk=history.quiet.pk).exists()


def test_deleting_items_in_the_admin_list(cast, history, login):
    unclicked = make_item(cast.nordlys, "Never clicked")
    client = login(cast.alice)

    def delete():
        response = client.post(
            url(Item),
            {"action": "delete_selected", "_selected_action": [history.quiet.pk, unclicked.pk],
             "post": "yes"},
        )  # fmt: skip
        assert response.status_code == 302

    assert deleted(cast, history, delete) == (50, True)


def test_a_link_deleted_after_its_sharer_moved_to_another_department(cast, history, login):
    """The day rows hold Bob's department when they were rolled up; the sums stay right
    when a link of the same item and day goes after he moved."""
    cast.bob.department = cast.sales
    cast.bob.save(update_fields=["department"])
    link = TrackedLink.objects.get(person=cast.sara, network="x")

    def delete():
        response = login(cast.alice).post(url(TrackedLink, "delete", link.pk), {"post": "yes"})
        assert response.status_code == 302

    # The department filter reads his clicks under the department he had on each day.
    assert deleted(cast, history, delete, departments=False) == (50, True)


def test_erasing_a_person_deletes_no_click(cast, history):
    gone, changed = deleted(cast, history, lambda: erase_person(cast.bob), departments=False)
    assert (gone, changed) == (0, False)


def test_deleting_an_organisation_takes_its_rollups(cast, history):
    gone, changed = deleted(cast, history, cast.havn.delete)
    assert gone == 2 * 50 and not changed  # Charlie's two links; Nordlys's numbers stay
    for table in (DailyClicks, NetworkClicks, DepartmentClicks):
        assert not table.objects.filter(organisation_id=cast.havn.pk).exists()
