import pytest

from budbringer.content.models import ShareText
from budbringer.sharing.networks.base import fit
from budbringer.sharing.suggestions import suggested_text


@pytest.fixture
def texts(cast):
    """The cast's article has generic English and X English; add more languages."""
    ShareText.objects.create(item=cast.article, language="sv", text="generic sv")
    ShareText.objects.create(item=cast.article, network="linkedin", language="da", text="li da")
    return cast.article


def suggest(item, network, person, interface="en", languages=("en",)):
    person.interface_language = interface
    person.languages = list(languages)
    return suggested_text(item, network, person)


def test_network_text_in_the_interface_language_first(cast, texts):
    assert suggest(texts, "x", cast.bob) == "Hydro-powered fjord DCs 🌊"


def test_generic_text_when_the_network_has_none(cast, texts):
    assert suggest(texts, "facebook", cast.bob) == "Our fjord data centres now run on hydro."


def test_interface_language_wins_over_languages_read(cast, texts):
    assert suggest(texts, "", cast.bob, interface="sv", languages=["en"]) == "generic sv"
    assert suggest(texts, "", cast.bob, interface="en", languages=["sv"]) == (
        "Our fjord data centres now run on hydro."
    )


def test_network_text_in_any_known_language_beats_generic(cast, texts):
    assert suggest(texts, "linkedin", cast.bob, interface="nb", languages=["da"]) == "li da"


def test_falls_back_to_the_items_language_then_the_title(cast, texts):
    assert suggest(texts, "", cast.bob, interface="nl", languages=["nl"]) == (
        "Our fjord data centres now run on hydro."  # the item is English
    )
    ShareText.objects.filter(item=texts, network="").delete()
    assert suggest(texts, "", cast.bob) == texts.title


def test_fit_leaves_room_and_marks_the_cut():
    assert fit("short", 280, reserved=24) == "short"
    assert fit("x" * 300, None) == "x" * 300
    cut = fit("word " * 100, 100, reserved=24)
    assert len(cut) <= 76
    assert cut.endswith("…")
    assert fit("anything", 10, reserved=20) == "…"
