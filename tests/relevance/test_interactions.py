"""Feedback for the ranker is recorded where people act, and nowhere else."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from budbringer.accounts.privacy import erase_person, export_person
from budbringer.links.models import TrackedLink
from budbringer.links.tracking import record_click
from budbringer.relevance.events import record_interaction
from budbringer.relevance.models import Interaction
from budbringer.sharing.sharing import record_share

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"


def kinds(person) -> list[tuple[int, str]]:
    return list(person.interactions.order_by("id").values_list("item_id", "kind"))


def test_opening_the_item_page_records_opened(cast, login):
    assert login(cast.bob).get(f"/items/{cast.article.pk}/").status_code == 200
    assert kinds(cast.bob) == [(cast.article.pk, "opened")]
    assert Interaction.objects.get().organisation == cast.nordlys


def test_a_refused_item_page_records_nothing(cast, login):
    assert login(cast.bob).get(f"/items/{cast.havn_article.pk}/").status_code == 404
    assert not Interaction.objects.exists()


def test_sharing_records_shared(cast, login):
    response = login(cast.bob).post(f"/items/{cast.article.pk}/share/linkedin/")
    assert response.status_code == 302
    assert kinds(cast.bob) == [(cast.article.pk, "shared")]


def test_the_publics_clicks_on_a_share_are_not_the_sharers_reading(cast, client):
    # "clicked" is the person's own click (their digest links, issue 6); a stranger
    # following bob's LinkedIn post says nothing about what bob likes to read.
    record_share(cast.bob, cast.article, "x")
    link = TrackedLink.objects.get(person=cast.bob)
    assert client.get(f"/l/{link.code}", HTTP_USER_AGENT=FIREFOX).status_code == 302
    record_click(link, method="GET", user_agent=FIREFOX, referrer="", ip="198.51.100.7")
    assert kinds(cast.bob) == [(cast.article.pk, "shared")]


def test_record_interaction_refuses_an_item_of_another_organisation(cast):
    with pytest.raises(ValueError, match="different organisations"):
        record_interaction(cast.bob, cast.havn_article, "opened")
    assert not Interaction.objects.exists()


def test_record_interaction_refuses_an_unknown_kind(cast):
    with pytest.raises(ValueError, match="unknown interaction kind"):
        record_interaction(cast.bob, cast.article, "liked")


def test_record_interaction_takes_the_time_given(cast):
    at = dt.datetime(2025, 3, 14, 9, 0, tzinfo=dt.UTC)
    interaction = record_interaction(cast.bob, cast.article, "dismissed", at=at)
    interaction.refresh_from_db()
    assert interaction.at == at


def test_an_interaction_holds_nothing_but_who_what_which_and_when():
    fields = {field.name for field in Interaction._meta.concrete_fields}
    assert fields == {"id", "organisation", "person", "item", "kind", "at"}


def test_interactions_are_in_the_persons_export(cast, login):
    login(cast.bob).get(f"/items/{cast.article.pk}/")
    record_interaction(cast.bob, cast.article, "more_like_this")
    record_interaction(cast.sara, cast.article, "dismissed")  # not Bob's
    data = export_person(cast.bob)
    assert [(row["item"], row["kind"]) for row in data["interactions"]] == [
        (cast.article.title, "opened"),
        (cast.article.title, "more_like_this"),
    ]


def test_erasing_a_person_erases_their_interactions(cast):
    record_interaction(cast.bob, cast.article, "opened")
    record_share(cast.bob, cast.article, "linkedin")
    record_interaction(cast.sara, cast.article, "opened")
    erase_person(cast.bob)
    assert not User.objects.filter(username="bob").exists()
    assert list(Interaction.objects.values_list("person__name", "kind")) == [("Sara", "opened")]
