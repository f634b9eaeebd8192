import datetime as dt

import pytest
from django.utils import timezone

from budbringer.content.models import ApprovalState, ShareText
from tests.conftest import make_item

NETWORKS = {
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "xing": "Xing",
    "email": "E-mail",
}


def test_item_page_shows_title_topics_and_a_button_per_network(cast, login):
    response = login(cast.bob).get(f"/items/{cast.article.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.article.title in html
    assert "Cloud" in html
    assert "Nordlys blog" in html
    for slug, label in NETWORKS.items():
        assert f'formaction="/items/{cast.article.pk}/share/{slug}/"' in html
        assert f"Share on {label}" in html


def test_suggested_text_is_the_generic_one_in_the_persons_language(cast, login):
    ShareText.objects.create(
        item=cast.article, language="sv", text="Våra datacenter går på vatten."
    )
    response = login(cast.bob).get(f"/items/{cast.article.pk}/")
    assert response.context["suggested_text"] == "Our fjord data centres now run on hydro."
    assert b"Our fjord data centres now run on hydro." in response.content

    cast.bob.interface_language = "sv"
    cast.bob.save()
    response = login(cast.bob).get(f"/items/{cast.article.pk}/")
    assert response.context["suggested_text"] == "Våra datacenter går på vatten."
    assert "Våra datacenter går på vatten.".encode() in response.content


def test_without_texts_the_title_is_suggested(cast, login):
    item = make_item(cast.nordlys, "Nothing written yet")
    response = login(cast.bob).get(f"/items/{item.pk}/")
    assert response.context["suggested_text"] == "Nothing written yet"


@pytest.mark.parametrize(
    "fields",
    [
        {"approval_state": ApprovalState.PENDING},
        {"approval_state": ApprovalState.REJECTED},
        {"expires_at": timezone.now() - dt.timedelta(minutes=1)},
    ],
    ids=["pending", "rejected", "expired"],
)
def test_items_people_may_not_share_are_404(cast, login, fields):
    item = make_item(cast.nordlys, "Not for sharing", **fields)
    assert login(cast.bob).get(f"/items/{item.pk}/").status_code == 404
    # Not even editors read it here; they use the editor pages.
    assert login(cast.erik).get(f"/items/{item.pk}/").status_code == 404


def test_item_of_another_organisation_is_404(cast, login):
    response = login(cast.alice).get(f"/items/{cast.havn_article.pk}/")
    assert response.status_code == 404
    assert b"Havn" not in response.content


def test_unknown_item_is_404(cast, login):
    assert login(cast.bob).get("/items/999999/").status_code == 404
