"""A mail scanner that follows every link of a digest at delivery gives no feedback."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from budbringer.digests.clicks import count_pending_digest_clicks
from budbringer.digests.composition import compose_due, digest_content
from budbringer.digests.models import Digest, DigestClick, DigestStatus
from budbringer.digests.planning import plan_digests
from budbringer.links.models import ClickKind
from budbringer.relevance.models import Interaction

# Safe Links and its kind fetch as an ordinary browser.
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


@pytest.fixture
def digest(cast, news):
    plan_digests()
    Digest.objects.filter(person=cast.bob).update(slot_at=timezone.now() - dt.timedelta(1))
    compose_due()
    return Digest.objects.get(person=cast.bob, status=DigestStatus.READY)


def path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_scanner_reading_every_link_at_delivery_is_no_feedback(client, digest):
    entries = digest_content(digest).entries
    assert len(entries) >= 2
    for entry in entries:
        client.get(path(entry.url), HTTP_USER_AGENT=EDGE, REMOTE_ADDR="40.94.0.12")
    count_pending_digest_clicks(timezone.now() + dt.timedelta(minutes=1))
    assert set(DigestClick.objects.values_list("kind", flat=True)) == {ClickKind.SCANNER}
    assert not Interaction.objects.filter(kind="clicked").exists()


def test_the_person_reading_later_is_feedback_once(client, digest):
    entries = digest_content(digest).entries
    for entry in entries:  # the scanner at delivery
        client.get(path(entry.url), HTTP_USER_AGENT=EDGE, REMOTE_ADDR="40.94.0.12")
    later = timezone.now() + dt.timedelta(minutes=20)
    count_pending_digest_clicks(later)
    # Twenty minutes on, the person opens the first item, twice, from home.
    first = digest.entries.get(position=1)
    for seconds in (0, 40):
        client.get(path(entries[0].url), HTTP_USER_AGENT=EDGE, REMOTE_ADDR="198.51.100.5")
        DigestClick.objects.filter(kind=ClickKind.PENDING, clicked_at__lt=later).update(
            clicked_at=later + dt.timedelta(seconds=seconds)
        )
    count_pending_digest_clicks(later + dt.timedelta(minutes=5))
    person_kinds = list(
        DigestClick.objects.exclude(kind=ClickKind.SCANNER)
        .order_by("clicked_at")
        .values_list("kind", flat=True)
    )
    assert person_kinds == [ClickKind.UNIQUE, ClickKind.REPEAT]
    clicked = Interaction.objects.filter(kind="clicked")
    assert [(i.person, i.item) for i in clicked] == [(digest.person, first.item)]


def test_share_visits_are_part_of_the_burst(client, digest):
    entry = digest_content(digest).entries[0]
    client.get(path(entry.url), HTTP_USER_AGENT=EDGE, REMOTE_ADDR="40.94.0.12")
    for button in entry.shares:
        client.get(path(button.url), HTTP_USER_AGENT=EDGE, REMOTE_ADDR="40.94.0.12")
    count_pending_digest_clicks(timezone.now() + dt.timedelta(minutes=1))
    assert set(DigestClick.objects.values_list("kind", flat=True)) == {ClickKind.SCANNER}
    assert not Interaction.objects.filter(kind="clicked").exists()


def test_digest_visits_are_in_the_persons_export_and_erased_with_them(client, digest):
    from budbringer.accounts.privacy import erase_person, export_person

    entry = digest_content(digest).entries[0]
    client.get(path(entry.url), HTTP_USER_AGENT=EDGE, REMOTE_ADDR="198.51.100.5")
    exported = export_person(digest.person)["digest_clicks"]
    assert [(c["item"], c["action"], c["kind"]) for c in exported] == [
        (entry.title, "read", "pending")
    ]
    assert "198.51.100.5" not in str(list(DigestClick.objects.values()))
    erase_person(digest.person)
    assert not DigestClick.objects.exists()
