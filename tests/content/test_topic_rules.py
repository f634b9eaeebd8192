"""Topics from admins' keywords: inflections in five languages, phrases, compounds, and the
matches we refuse (short words inside others, other languages' stems, loose compounds)."""

import pytest

from budbringer.content.topics import TopicMatcher, parse_keywords

ENERGY, CUSTOMERS, AI, CLOUD_SECURITY = 1, 2, 3, 4


def topics(keywords: str, text: str, language: str = "") -> set[int]:
    return TopicMatcher.compile([(1, keywords)]).topics_for(text, language)


@pytest.mark.parametrize(
    ("language", "keyword", "text"),
    [
        ("en", "investment", "Nordlys doubles its investments in the north"),
        ("en", "invest", "Why we keep investing in Luleå"),
        ("en", "cloud", "Two clouds are better than one"),
        ("en", "university", "Nordlys works with three universities"),
        ("sv", "vätgas", "Vätgasen blir billigare"),
        ("sv", "vätgasen", "Billig vätgas"),
        ("sv", "kund", "Kunderna är nöjda"),
        ("nb", "kunde", "Kundene er fornøyde"),
        ("nn", "kunde", "Kundane er nøgde"),
        ("da", "kunde", "Kunderne er glade"),
        ("nl", "klant", "De klanten zijn tevreden"),
        ("nl", "duurzaamheid", "Duurzaam bouwen in Rotterdam"),
    ],
)
def test_keyword_matches_inflections_in_the_texts_language(language, keyword, text):
    assert topics(keyword, text, language) == {1}


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        # Snowball keeps these apart, and so do we.
        ("university", "The universe is expanding"),
        ("police", "A new travel policy"),
        ("cloud", "A cloudy day in Tromsø"),
        ("organisation", "How to organize a team"),
    ],
)
def test_english_words_snowball_keeps_apart_do_not_match(keyword, text):
    assert topics(keyword, text, "en") == set()


def test_snowballs_own_conflations_are_inherited():
    # English Snowball stems "sustainability", "sustainable" and "sustained" all to "sustain",
    # and Swedish "kraftig" (powerful) to "kraft": we match what the stemmer conflates.
    assert topics("sustainability", "Sustainable shipping", "en") == {1}
    assert topics("sustainability", "Sustained growth", "en") == {1}
    assert topics("kraft", "En kraftig storm", "sv") == {1}


def test_other_languages_stems_are_not_mixed_in():
    # Swedish, Norwegian and Danish Snowball cut "intelligens" to "intel"; in an English
    # text that would be the chip maker.
    assert topics("intelligens", "Intel launches a new chip", "en") == set()
    assert topics("intelligens", "Kunstig intelligensen tar over", "nb") == {1}


@pytest.mark.parametrize("language", ["", "de", "fi", "xx"])
def test_unknown_or_unstemmed_language_tries_every_stemmer(language):
    matcher = TopicMatcher.compile([(ENERGY, "vätgas\nwaterstof"), (CUSTOMERS, "kunde\nklant")])
    assert matcher.topics_for("Vätgasen och kunderna", language) == {ENERGY, CUSTOMERS}
    assert matcher.topics_for("Kundene", language) == {CUSTOMERS}
    assert matcher.topics_for("Nieuwe klanten", language) == {CUSTOMERS}


def test_language_codes_with_a_region_are_understood():
    assert topics("kunde", "Kundene er fornøyde", "nb-NO") == {1}
    assert topics("invest", "Investing", "en_GB") == {1}


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("fuel cell", "Hydrogen fuel cells for ferries"),
        ("fuel cell", "A fuel-cell truck"),
        ("Offshore wind", "Offshore wind farms in the North Sea"),
        ("offshore wind", "Nordlys plans OFFSHORE WIND maintenance"),
        ("kunstig intelligens", "Kunstig intelligensen i logistikk"),
        ("zero trust network", "Zero trust networks, explained"),
    ],
)
def test_phrase_matches_the_same_words_in_a_row_in_any_inflection(keyword, text):
    assert topics(keyword, text) == {1}


@pytest.mark.parametrize(
    "text",
    ["Fuel prices rose; the cell tower fell", "A cell fuel", "fuel"],
)
def test_phrase_does_not_match_its_words_apart_or_reordered(text):
    assert topics("fuel cell", text, "en") == set()


def test_phrase_matches_across_punctuation():
    # Punctuation is not a word, so a sentence boundary does not separate a phrase's words.
    assert topics("fuel cell", "We sell fuel. Cell phones too", "en") == {1}


@pytest.mark.parametrize(
    ("keyword", "text", "language"),
    [
        ("vätgas", "Fler vätgasbilar i Luleå", "sv"),
        ("waterstof", "De eerste waterstofauto's", "nl"),
        ("havvind", "Nye havvindmøller ved Esbjerg", "da"),
        ("kraft", "Nytt kraftverk i Narvik", "nb"),
        ("vätgas", "Fler vätgasbilar", ""),
    ],
)
def test_keyword_of_five_letters_or_more_matches_as_the_head_of_a_compound(keyword, text, language):
    assert topics(keyword, text, language) == {1}


@pytest.mark.parametrize(
    ("keyword", "text", "language"),
    [
        # Fewer than 3 letters after the keyword: an ending, not a compound.
        ("energi", "En energisk vd", "sv"),
        # Keywords under 5 letters are never compound heads.
        ("vind", "Ny vindkraft i Jämtland", "sv"),
        # Only the head of a compound, not its tail.
        ("kraft", "Mer vattenkraft", "sv"),
        # English glues few words together; a solarium is not solar power.
        ("solar", "A new solarium opens", "en"),
    ],
)
def test_compound_matching_is_not_too_loose(keyword, text, language):
    assert topics(keyword, text, language) == set()


@pytest.mark.parametrize(
    ("keyword", "text", "expected"),
    [
        ("AI", "AI in planning", {1}),
        ("AI", "What AI-driven planning means", {1}),
        ("ai", "An AI model", {1}),
        ("AI", "He said the mail was late", set()),
        ("AI", "Sustainable fairs", set()),
        ("AI", "Three AIs", set()),
        ("IT", "Its people", set()),
        ("IT", "IT security", {1}),
        ("5G", "Private 5G networks in ports", {1}),
        ("5G", "5GHz radios", set()),
    ],
)
def test_keyword_under_four_letters_matches_only_the_same_word(keyword, text, expected):
    assert topics(keyword, text, "en") == expected


def test_case_and_unicode_forms_do_not_matter():
    decomposed = "Va\u0308tgasen"  # "ä" as "a" + combining diaeresis
    assert topics("VÄTGAS", decomposed, "sv") == {1}
    assert topics("fiber", "New \ufb01ber routes", "en") == {1}  # the "ﬁ" ligature


def test_each_topic_with_a_matching_keyword_is_returned():
    matcher = TopicMatcher.compile(
        [
            (ENERGY, "hydrogen\nvätgas\noffshore wind"),
            (CUSTOMERS, "kunde\nklant"),
            (AI, "AI\nmachine learning"),
            (CLOUD_SECURITY, "cloud security\nzero trust"),
        ]
    )
    text = "Skagerak Shipping tests machine learning to plan hydrogen bunkering for its clients"
    assert matcher.topics_for(text, "en") == {ENERGY, AI}
    assert matcher.topics_for("Our cloud. Security matters", "en") == {CLOUD_SECURITY}
    assert matcher.topics_for("Security in the cloud", "en") == set()


def test_keyword_shared_by_two_topics_gives_both():
    matcher = TopicMatcher.compile([(ENERGY, "hydrogen"), (CUSTOMERS, "Hydrogen\nklant")])
    assert matcher.topics_for("Hydrogen news", "en") == {ENERGY, CUSTOMERS}


def test_nothing_to_match():
    assert TopicMatcher.compile([]).topics_for("Hydrogen news", "en") == set()
    assert TopicMatcher.compile([(ENERGY, "\n  \n")]).topics_for("Hydrogen", "en") == set()
    assert topics("hydrogen", "", "en") == set()
    assert topics("hydrogen", "!!! ...", "en") == set()


def test_a_long_text_is_matched_as_a_whole():
    filler = " ".join(["planning software for shipping and logistics"] * 300)
    matcher = TopicMatcher.compile([(ENERGY, "fuel cell"), (AI, "AI")])
    assert matcher.topics_for(f"Title. {filler} Fuel cells at the end.", "en") == {ENERGY}
    assert matcher.topics_for(f"{filler} fuel {filler} cell", "en") == set()


def test_parse_keywords_tidies_lines_and_drops_blanks_and_repeats():
    text = "  Hydrogen \n\nfuel   cell\r\nFuel cell\n---\n\tvätgas\nhydrogen\n"
    assert parse_keywords(text) == ["Hydrogen", "fuel cell", "vätgas"]
