"""Where tracked links come from: ``create_link`` and ``share_link`` alone (lead links
through ``create_lead_link``). A code is drawn again only when it was taken; the person's
link for an item and network is made once, even by two shares at the same moment."""

import importlib
import threading
import time
from urllib.parse import quote

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from budbringer.content.models import Item
from budbringer.links import tracking
from budbringer.links.models import TrackedLink
from budbringer.links.tracking import create_link, share_link, short_url
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import record_share


@pytest.fixture
def drawn(monkeypatch):
    """The codes ``create_link`` draws, in order, from the list the test gives."""
    codes: list[str] = []
    given: list[str] = []

    def next_code() -> str:
        code = given.pop(0)
        codes.append(code)
        return code

    monkeypatch.setattr(tracking, "new_code", next_code)
    return given, codes


def test_a_code_already_taken_is_drawn_again(cast, drawn):
    given, codes = drawn
    create_link(cast.nordlys, "https://blog.example.com/first", code="Taken123")
    given += ["Taken123", "Fresh123"]
    link = create_link(cast.nordlys, "https://blog.example.com/second")
    assert (link.code, codes) == ("Fresh123", ["Taken123", "Fresh123"])


def test_a_link_the_person_already_has_is_no_reason_to_draw_again(cast, drawn):
    given, codes = drawn
    given += ["Fresh123", "Fresh456", "Fresh789", "Again123", "Again456", "Again789"]
    share_link(cast.bob, cast.article, "linkedin")
    with pytest.raises(IntegrityError):
        create_link(
            cast.nordlys, cast.article.url, person=cast.bob, item=cast.article, network="linkedin"
        )
    assert codes == ["Fresh123", "Fresh456"]  # one for the link, one for the refused one


@pytest.mark.django_db(transaction=True)
def test_two_shares_at_the_same_moment_get_the_one_link(cast):
    """Two requests, each with its own connection, both find no link for Bob, the article
    and LinkedIn, and both insert one: the second insert fails on the person's constraint
    once the first commits, and that request answers with the first one's link."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite writes one transaction at a time, so two "
                    "shares never meet; see the PostgreSQL run")  # fmt: skip
    address = reverse("share", args=[cast.article.pk, "linkedin"])
    clients = [Client(raise_request_exception=False) for _ in range(2)]
    for client in clients:
        client.force_login(cast.bob.user)
    answers = {}

    def share(number: int) -> None:
        try:
            answers[number] = clients[number].post(address, {"text": ""})
        finally:
            connection.close()

    threads = [threading.Thread(target=share, args=(n,)) for n in range(2)]
    with transaction.atomic(), connection.cursor() as cursor:
        # Reading links goes on; inserting one waits until this transaction ends. So both
        # requests look for Bob's link, find none, and wait to insert theirs.
        cursor.execute("LOCK TABLE links_trackedlink IN SHARE MODE")
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _waiting_for_a_lock(cursor) < 2:
            assert time.monotonic() < deadline, "the two shares never both waited to insert"
            time.sleep(0.02)
    for thread in threads:
        thread.join(30)
    assert [answers[n].status_code for n in range(2)] == [302, 302]
    link = TrackedLink.objects.get(person=cast.bob, item=cast.article, network="linkedin")
    # Both share dialogs carry that one link.
    assert all(quote(short_url(link), safe="") in answers[n]["Location"] for n in range(2))
    assert Share.objects.filter(person=cast.bob, link=link).count() == 2


def _waiting_for_a_lock(cursor) -> int:
    cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return cursor.fetchone()[0]


def test_a_link_to_an_item_goes_to_the_items_address(cast):
    link = create_link(cast.nordlys, item=cast.article)
    assert link.target_url == cast.article.url
    assert create_link(cast.nordlys, cast.article.url, item=cast.article).target_url == (
        cast.article.url
    )
    with pytest.raises(ValueError, match="the item's address"):
        create_link(cast.nordlys, "https://evil.example/", item=cast.article)
    with pytest.raises(ValueError, match="another organisation"):
        create_link(cast.nordlys, item=cast.havn_article)
    with pytest.raises(ValueError, match="another organisation"):
        create_link(cast.nordlys, "https://blog.example.com/x", person=cast.charlie)
    with pytest.raises(ValueError, match="an address"):
        create_link(cast.nordlys)


def test_a_link_planted_for_someone_is_not_handed_out_when_they_share(cast, client):
    """A link made for Bob outside share_link, as the admin allowed before, to an address
    that is not the item's: Bob's share gets a link of its own to the article."""
    planted = TrackedLink.objects.create(
        organisation=cast.nordlys,
        person=cast.bob,
        item=cast.article,
        network="linkedin",
        target_url="https://evil.example/",
    )
    record_share(cast.bob, cast.article, "linkedin")
    link = Share.objects.get(person=cast.bob).link
    assert link != planted
    assert link.target_url == cast.article.url
    assert client.get(f"/l/{link.code}")["Location"].startswith(cast.article.url)
    assert share_link(cast.bob, cast.article, "linkedin") == link  # and it is kept
    planted.refresh_from_db()
    assert planted.replaced_at is not None


def test_after_an_item_moved_a_share_gets_a_link_to_its_new_address(cast):
    before = share_link(cast.bob, cast.article, "linkedin")
    Item.objects.filter(pk=cast.article.pk).update(url="https://blog.example.com/moved")
    cast.article.refresh_from_db()
    after = share_link(cast.bob, cast.article, "linkedin")
    assert after != before
    assert after.target_url == "https://blog.example.com/moved"
    before.refresh_from_db()
    # The posts already out go where they went: a link never changes its target.
    assert before.target_url != after.target_url
    assert share_link(cast.bob, cast.article, "linkedin") == after


def test_links_made_before_to_another_address_than_their_items_go_to_the_item(cast):
    """The migration that came with this rule: a link bound to an item but not to its
    address may have been planted in the admin, and whoever reads a post that carries it
    is sent to the item instead."""
    migration = importlib.import_module("budbringer.links.migrations.0008_link_bound_to_its_item")
    planted = TrackedLink.objects.create(
        organisation=cast.nordlys, person=cast.bob, item=cast.article, network="x",
        target_url="https://evil.example/",
    )  # fmt: skip
    shared = share_link(cast.sara, cast.article, "linkedin")
    plain = create_link(cast.nordlys, "https://nordlys.example/careers")
    migration.item_links_to_their_item(django_apps, None)
    assert TrackedLink.objects.get(pk=planted.pk).target_url == cast.article.url
    assert TrackedLink.objects.get(pk=shared.pk).target_url == cast.article.url
    assert TrackedLink.objects.get(pk=plain.pk).target_url == "https://nordlys.example/careers"
