"""A digest as a shape shared by colleagues and the person's own values: the same mail as
building it whole, every link the person's own, and nothing a feed writes taken for a link."""

import datetime as dt

import pytest
from django.utils import timezone

from budbringer.digests import tokens
from budbringer.digests.composition import compose_due, entries_of, personal_digest
from budbringer.digests.content import marker
from budbringer.digests.models import Digest, DigestStatus
from budbringer.digests.planning import plan_digests
from budbringer.digests.rendering import build_email
from budbringer.sharing.networks import NETWORKS


@pytest.fixture
def digests(cast, news):
    plan_digests()
    Digest.objects.update(slot_at=timezone.now() - dt.timedelta(1))
    compose_due()
    ready = Digest.objects.filter(status=DigestStatus.READY).select_related(
        "person__user", "organisation"
    )
    return {digest.person.user.username: digest for digest in ready}


def token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_colleagues_share_one_shape_and_each_link_is_their_own(digests):
    bob, lena = digests["bob"], digests["lena"]
    entries = entries_of([bob.pk, lena.pk])
    assert [item.pk for item, _r in entries[bob.pk]] == [item.pk for item, _r in entries[lena.pk]]
    shapes: dict = {}
    mine = personal_digest(bob, entries[bob.pk], shapes)
    theirs = personal_digest(lena, entries[lena.pk], shapes)
    assert len(shapes) == 1 and mine.shape is theirs.shape
    assert not set(mine.values) & set(theirs.values)

    content = mine.content()
    assert content.digest_id == bob.pk and content.recipient_email == bob.person.user.email
    assert content.person_name == bob.person.name
    assert tokens.digest_for_preferences(token(content.preferences_url)) == bob.pk
    assert tokens.unsubscribe_link(token(content.unsubscribe_url)) == tokens.UnsubscribeLink(
        bob.person_id, bob.pk
    )
    for entry, (item, _reason) in zip(content.entries, entries[bob.pk], strict=True):
        assert tokens.read_link(token(entry.url)) == tokens.EntryLink(bob.pk, item.pk)
        assert [share.network for share in entry.shares] == list(NETWORKS)
        for share in entry.shares:
            link = tokens.share_link(token(share.url))
            assert link == tokens.EntryLink(bob.pk, item.pk, share.network)
        assert tokens.feedback_link(token(entry.more_url)).network == "more_like_this"
        assert tokens.feedback_link(token(entry.fewer_url)).network == "dismissed"


def test_the_mail_from_the_shape_is_the_mail_built_whole(digests):
    bob = digests["bob"]
    personal = personal_digest(bob)
    shared, whole = build_email(personal), build_email(personal.content())
    assert shared.body == whole.body
    assert shared.alternatives == whole.alternatives
    assert shared.extra_headers == whole.extra_headers
    assert (shared.subject, shared.to) == (whole.subject, whole.to)
    assert personal.unsubscribe_url in whole.extra_headers["List-Unsubscribe"]


def test_a_feed_cannot_write_a_marker_into_someones_mail(cast, news, digests):
    bob = digests["bob"]
    item = entries_of([bob.pk])[bob.pk][0][0]
    # Markers as they looked before they had a random part, and as another process makes
    # them: the random part of this one's is never written anywhere a feed could read it.
    other = marker(1).replace(marker(1)[2:10], "0123abcd")
    assert other != marker(1)
    item.title = f"Win bbmark0001z and {other} now"
    item.save(update_fields=["title"])
    mail = build_email(personal_digest(bob))
    assert f"Win bbmark0001z and {other} now" in mail.body
    assert f"Win bbmark0001z and {other} now" in mail.alternatives[0][0]
