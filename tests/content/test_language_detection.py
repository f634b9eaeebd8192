"""Item languages from their own words, short titles and long articles alike."""

import pytest

from budbringer.content.language import detect_language, detect_languages

SHORT = {
    "en": "Our new data centre runs entirely on hydroelectric power",
    "sv": "Vårt nya datacenter drivs helt med vattenkraft från älven",
    "nb": "Det nye datasenteret vårt går helt på vannkraft fra elva",
    "da": "Vores nye datacenter kører udelukkende på vedvarende energi",
    "nl": "Ons nieuwe datacenter draait volledig op waterkracht uit de rivier",
    "de": "Unser neues Rechenzentrum läuft vollständig mit Wasserkraft",
    "fi": "Uusi datakeskuksemme toimii kokonaan vesivoimalla",
}
LONG = {
    "en": "The company announced on Tuesday that its customers in Norway and Sweden can now "
    "move their workloads to the new site without changing their contracts, and that the "
    "first of them have already done so during the autumn, cutting their emissions.",
    "sv": "Företaget meddelade på tisdagen att kunderna i Norge och Sverige nu kan flytta sina "
    "system till den nya anläggningen utan att ändra sina avtal, och att de första redan "
    "har gjort det under hösten, vilket minskar deras utsläpp kraftigt.",
    "nb": "Selskapet opplyste tirsdag at kundene i Norge og Sverige nå kan flytte systemene "
    "sine til det nye anlegget uten å endre avtalene, og at de første allerede har gjort "
    "det i løpet av høsten, noe som kutter utslippene deres kraftig.",
    "da": "Virksomheden oplyste tirsdag, at kunderne i Norge og Sverige nu kan flytte deres "
    "systemer til det nye anlæg uden at ændre aftalerne, og at de første allerede har gjort "
    "det i løbet af efteråret, hvilket skærer kraftigt i deres udledninger.",
    "nl": "Het bedrijf maakte dinsdag bekend dat klanten in Noorwegen en Zweden hun systemen "
    "nu naar de nieuwe locatie kunnen verhuizen zonder hun contracten te wijzigen, en dat de "
    "eersten dat in de herfst al hebben gedaan, wat hun uitstoot flink verlaagt.",
}


@pytest.mark.parametrize(("language", "text"), SHORT.items())
def test_short_texts(language, text):
    assert detect_language(text) == language


@pytest.mark.parametrize(("language", "text"), LONG.items())
def test_long_texts(language, text):
    text = f"{text} {text}"  # an article's first paragraphs
    assert detect_language(text) == language


def test_a_batch_mixes_short_long_and_too_short_in_order():
    texts = [LONG["da"], SHORT["nl"], "OK!", LONG["sv"], SHORT["nb"]]
    assert detect_languages(texts, fallback="xx") == ["da", "nl", "xx", "sv", "nb"]


def test_long_only_leaves_short_texts_blank_for_the_large_models():
    long_text = f"{LONG['nl']} {LONG['nl']}"
    assert detect_languages([SHORT["sv"], long_text, "OK"], "en", long_only=True) == [
        "",
        "nl",
        "",
    ]
