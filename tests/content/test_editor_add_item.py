import pytest
from django.db import IntegrityError

from budbringer.content.editorial import add_item
from budbringer.content.models import ApprovalState, Item, ShareText

URL = "https://blog.example.com/nordlys/new-office-in-tromso"


def texts(*rows, extra_untouched: int = 1) -> dict:
    """Formset data with prefix "texts": the given rows, plus untouched blank rows."""
    data = {
        "texts-TOTAL_FORMS": str(len(rows) + extra_untouched),
        "texts-INITIAL_FORMS": "0",
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "20",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"texts-{n}-{key}"] = value
    for n in range(len(rows), len(rows) + extra_untouched):
        data[f"texts-{n}-network"] = ""
        data[f"texts-{n}-language"] = "en"  # what an untouched row submits (the default)
        data[f"texts-{n}-text"] = ""
    return data


@pytest.fixture
def form(cast):
    return {
        "url": URL + "?utm_source=newsletter#top",
        "title": "New office in Tromsø",
        "summary": "We open an office above the Arctic Circle.",
        "language": "en",
        "topics": [cast.cloud.pk],
        "expires_at": "",
        "approve": "on",
        **texts(
            {"network": "", "language": "en", "text": "We are moving north!"},
            {"network": "x", "language": "en", "text": "North! 🧭"},
            {"network": "", "language": "sv", "text": "Vi flyttar norrut!"},
        ),
    }


def counts() -> tuple[int, int]:
    return Item.objects.count(), ShareText.objects.count()


def test_form_page_has_the_share_text_formset(cast, login):
    response = login(cast.erik).get("/editor/items/new/")
    assert response.status_code == 200
    assert b'name="texts-TOTAL_FORMS"' in response.content
    assert b'name="texts-0-text"' in response.content


def test_adding_creates_item_texts_and_topics_approved(cast, login, form):
    response = login(cast.erik).post("/editor/items/new/", form)
    assert response.status_code == 302
    assert response["Location"] == "/editor/items/"
    item = Item.objects.get(title="New office in Tromsø")
    assert item.organisation == cast.nordlys
    assert item.url == URL + "?utm_source=newsletter#top"
    assert item.canonical_url == URL
    assert list(item.topics.all()) == [cast.cloud]
    assert sorted(item.share_texts.values_list("network", "language", "text")) == [
        ("", "en", "We are moving north!"),
        ("", "sv", "Vi flyttar norrut!"),
        ("x", "en", "North! 🧭"),
    ]
    assert item.approval_state == ApprovalState.APPROVED
    assert item.approved_by == cast.erik
    assert item.approved_at is not None


def test_without_approve_the_item_waits(cast, login, form):
    del form["approve"]
    login(cast.erik).post("/editor/items/new/", form)
    item = Item.objects.get(title="New office in Tromsø")
    assert item.approval_state == ApprovalState.PENDING
    assert item.approved_by is None


def test_untouched_rows_are_ignored(cast, login, form):
    form.update(texts(extra_untouched=3))
    response = login(cast.erik).post("/editor/items/new/", form)
    assert response.status_code == 302
    assert not Item.objects.get(title="New office in Tromsø").share_texts.exists()


def test_same_article_with_tracking_parameters_is_refused(cast, login, form):
    before = counts()
    form["url"] = cast.article.url.replace("https://blog", "https://BLOG") + "?utm_medium=x"
    response = login(cast.erik).post("/editor/items/new/", form)
    assert response.status_code == 200
    assert response.context["form"].errors["url"] == ["This article is already in Budbringer."]
    assert b"This article is already in Budbringer." in response.content
    assert counts() == before


def test_an_article_of_another_organisation_is_no_duplicate(cast, login, form):
    # Havn has this URL; Nordlys may add it too, and learns nothing about Havn.
    form["url"] = cast.havn_article.url
    response = login(cast.erik).post("/editor/items/new/", form)
    assert response.status_code == 302
    assert Item.objects.filter(canonical_url=cast.havn_article.url).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "T" * 301}, "title"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.com/file"}, "url"),
        ({"url": ""}, "url"),
        ({"language": "xx"}, "language"),
        ({"topics": ["HAVN_TOPIC"]}, "topics"),
        ({"expires_at": "someday"}, "expires_at"),
        ({"texts-0-text": "W" * 3001}, "texts"),
        ({"texts-1-network": "myspace"}, "texts"),
        ({"texts-1-network": "", "texts-1-language": "en"}, "texts"),  # two generic English
    ],
    ids=[
        "no-title", "long-title", "javascript-url", "ftp-url", "no-url", "bad-language",
        "havn-topic", "bad-date", "long-text", "bad-network", "duplicate-text",
    ],
)  # fmt: skip
def test_bad_input_gives_an_error_and_saves_nothing(cast, login, form, change, field):
    if change.get("topics") == ["HAVN_TOPIC"]:
        change = {"topics": [cast.havn_topic.pk]}
    before = counts()
    response = login(cast.erik).post("/editor/items/new/", {**form, **change})
    assert response.status_code == 200
    if field == "texts":
        formset = response.context["texts"]
        assert formset.total_error_count() > 0
        assert not response.context["form"].errors
    else:
        assert field in response.context["form"].errors
    assert b"errorlist" in response.content
    assert counts() == before


def test_title_of_300_characters_is_fine(cast, login, form):
    response = login(cast.erik).post("/editor/items/new/", {**form, "title": "T" * 300})
    assert response.status_code == 302


def test_add_item_is_all_or_nothing(cast):
    """A failure on the share texts leaves no item behind."""
    before = counts()
    with pytest.raises(IntegrityError):
        add_item(
            cast.erik,
            url=URL,
            canonical_url=URL,
            title="Half made",
            language="en",
            topics=[cast.cloud],
            share_texts=[
                {"network": "", "language": "en", "text": "one"},
                {"network": "", "language": "en", "text": "two"},
            ],
        )
    assert counts() == before


def test_the_same_address_added_meanwhile_is_a_form_error_not_a_crash(
    cast, login, form, monkeypatch
):
    """A feed stores the address just after the form checked it (tests/test_unique_names_race.py
    races real requests on PostgreSQL)."""
    from budbringer.content.forms import ItemForm

    checked = ItemForm.is_valid

    def checked_then_a_feed_stores_it(self):
        valid = checked(self)
        Item.objects.get_or_create(
            organisation=cast.nordlys,
            canonical_url=URL,
            defaults={"title": "From the feed", "url": URL, "language": "en"},
        )
        return valid

    monkeypatch.setattr(ItemForm, "is_valid", checked_then_a_feed_stores_it)
    response = login(cast.erik).post("/editor/items/new/", form)

    assert response.status_code == 200
    assert "This article is already in Budbringer." in response.content.decode()
    assert response.context["form"]["title"].value() == "New office in Tromsø"  # input kept
    assert list(Item.objects.filter(canonical_url=URL).values_list("title", flat=True)) == [
        "From the feed"
    ]
