"""The admins' digests page: what is planned, when (in the viewer's time zone) and for whom,
on which channels, paged; what went out, as before; empty states that say what is true;
the same number of queries however many rows it shows."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from budbringer.accounts.models import Person
from budbringer.digests import overview
from budbringer.digests.composition import compose_due
from budbringer.digests.models import Delivery, Digest, DigestStatus
from budbringer.digests.planning import plan_digests
from tests.conftest import make_person

PAGE = "/editor/digests/"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def alice_in_new_york(cast):
    Person.objects.filter(pk=cast.alice.pk).update(time_zone="America/New_York")
    return cast.alice


def rows(html: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r"<tr.*?</tr>", body[1], re.S) if body else []


def test_planned_digests_are_counted_and_listed_for_whom_when_and_how(
    cast, login, alice_in_new_york
):
    Person.objects.filter(pk=cast.bob.pk).update(
        digest_channel="both", chat_webhook_url="https://hooks.slack.com/services/T/B/bob"
    )
    plan_digests()
    # Sara's mail server refused her address after her digest was planned.
    Person.objects.filter(pk=cast.sara.pk).update(email_failed_at=timezone.now())
    planned = list(
        Digest.objects.filter(organisation=cast.nordlys, status=DigestStatus.PLANNED)
        .select_related("person")
        .order_by("slot_at")
    )
    assert len(planned) == 5  # Nordlys' cast; Charlie's digest is Havn's
    html = login(cast.alice).get(PAGE).content.decode()
    assert '<dd data-count="planned">5</dd>' in html
    soon = sum(d.slot_at < timezone.now() + dt.timedelta(hours=24) for d in planned)
    assert f'<dd data-count="soon">{soon}</dd>' in html
    assert "Times are in your time zone, America/New York." in html
    listed = rows(html, "upcoming")
    assert len(listed) == 5
    for row, digest in zip(listed, planned, strict=True):
        when = dateformat.format(digest.slot_at.astimezone(NEW_YORK), "D j M, H:i")
        assert when in row and digest.person.name in row
    by_name = {digest.person.name: row for row, digest in zip(listed, planned, strict=True)}
    assert "E-mail, Chat (Slack or Teams)" in by_name["Bob"]
    assert "None reachable: it will be cancelled" in by_name["Sara"]
    assert "Charlie" not in html
    assert "nothing-planned" not in html


def test_the_planned_list_is_paged(cast, login):
    for number in range(overview.PER_PAGE + 3):
        make_person(cast.nordlys, f"person{number:02}")
    plan_digests()
    client = login(cast.alice)
    first = client.get(PAGE).content.decode()
    assert len(rows(first, "upcoming")) == overview.PER_PAGE
    assert "Page 1 of 2" in first and 'href="?planned=2"' in first
    second = client.get(PAGE, {"planned": 2, "state": "sent"}).content.decode()
    assert len(rows(second, "upcoming")) == 8  # 53 and the cast's 5, less 50
    assert 'href="?planned=1&amp;state=sent"' in second  # the deliveries' filter is kept


def test_with_nothing_planned_or_sent_the_page_says_so(cast, login):
    html = login(cast.alice).get(PAGE).content.decode()
    assert '<dd data-count="planned">0</dd>' in html
    assert "No digest is planned right now." in html
    assert "No digest went out in the last 7 days." in html
    failed = login(cast.alice).get(PAGE, {"state": "failed"}).content.decode()
    assert "No delivery of the last 7 days is “Failed”." in failed


def test_what_went_out_is_listed_with_each_delivery_status(cast, login, news):
    plan_digests()
    Digest.objects.filter(person__in=[cast.bob, cast.lena]).update(
        slot_at=timezone.now() - dt.timedelta(hours=1)
    )
    compose_due()  # composed, not sent yet: their deliveries wait
    html = login(cast.alice).get(PAGE).content.decode()
    assert "Waiting to be sent (2)" in html
    assert len(rows(html, "deliveries")) == 2
    assert '<dd data-count="planned">3</dd>' in html  # the others' are still planned


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_page_makes_as_many_queries_for_many_rows_as_for_few(
    cast, login, news, django_assert_num_queries
):
    def plan_and_compose_some():
        plan_digests()
        waiting = Digest.objects.filter(organisation=cast.nordlys, status=DigestStatus.PLANNED)
        Digest.objects.filter(pk__in=list(waiting.values_list("pk", flat=True)[:3])).update(
            slot_at=timezone.now() - dt.timedelta(hours=1)
        )
        compose_due()
        plan_digests()

    Person.objects.filter(pk=cast.erik.pk).update(email_failed_at=timezone.now())
    plan_and_compose_some()
    client = login(cast.alice)
    few = page_queries(client)
    for number in range(30):
        make_person(cast.nordlys, f"person{number:02}", digest_channel="both",
                    chat_webhook_url=f"https://hooks.slack.com/services/T/B/{number}")  # fmt: skip
    plan_and_compose_some()
    assert Delivery.objects.filter(digest__organisation=cast.nordlys).count() >= 6
    with django_assert_num_queries(few):
        html = client.get(PAGE).content.decode()
    assert len(rows(html, "upcoming")) > 30
