"""Editors boost or pin an item: it rises in everyone's ranking, For you and digests alike."""

import datetime as dt

from django.utils import timezone

from budbringer.content.models import Item
from budbringer.relevance.service import picks_for
from tests.conftest import make_item


def test_pinning_lifts_an_item_above_fresher_ones(cast, login):
    now = timezone.now()
    old = make_item(
        cast.nordlys, "Older news about fjords", published_at=now - dt.timedelta(days=9)
    )
    for number in range(6):
        make_item(
            cast.nordlys, f"Fresh news {number}", published_at=now - dt.timedelta(hours=number)
        )
    before = [item.pk for item, _pick in picks_for(cast.bob)]
    response = login(cast.erik).post(f"/editor/items/{old.pk}/promote/", {"promotion": "pinned"})
    assert response.status_code == 302
    assert Item.objects.get(pk=old.pk).promotion == "pinned"
    after = [item.pk for item, _pick in picks_for(cast.bob)]
    assert old.pk not in before[:1] and after[0] == old.pk
    login(cast.erik).post(f"/editor/items/{old.pk}/promote/", {"promotion": "none"})
    assert Item.objects.get(pk=old.pk).promotion == "none"


def test_bad_promotions_and_other_roles_are_refused(cast, login):
    response = login(cast.erik).post(
        f"/editor/items/{cast.article.pk}/promote/", {"promotion": "top"}
    )
    assert response.status_code == 302
    assert Item.objects.get(pk=cast.article.pk).promotion == "none"
    assert (
        login(cast.bob)
        .post(f"/editor/items/{cast.article.pk}/promote/", {"promotion": "pinned"})
        .status_code
        == 403
    )
    assert (
        login(cast.erik)
        .post(f"/editor/items/{cast.havn_article.pk}/promote/", {"promotion": "pinned"})
        .status_code
        == 404
    )
    assert Item.objects.get(pk=cast.havn_article.pk).promotion == "none"
