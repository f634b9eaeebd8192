"""The same press release on five sites clusters to the first; other releases do not."""

import os
import subprocess
import sys

import pytest

from budbringer.content.neardup import (
    SIGNATURE_BYTES,
    NearDuplicateIndex,
    signature,
    similarity,
)

ABOUT_NORDLYS = (
    "About Nordlys Systems. Nordlys Systems builds software that helps shipping, energy and "
    "logistics companies in the Nordics and the Benelux plan their operations. Founded in "
    "Tromsø in 2011, the company has 640 employees in seven offices and is listed on Oslo "
    "Børs. For more information, visit nordlys.example or follow Nordlys on LinkedIn."
)

DATA_CENTRE = (
    "Nordlys opens a hydro-powered data centre in Luleå. "
    "Nordlys Systems today announced that it will open its first Swedish data centre in "
    "Luleå in March, running entirely on hydropower from the Lule River. The centre will "
    "host the company's route-planning and fleet-tracking services for customers in Sweden "
    "and Finland, who have asked for their data to stay within the Nordic countries. "
    "The building, a former paper warehouse near the harbour, is being fitted with 1,200 "
    "servers in its first phase. Waste heat from the servers will be sold to the municipal "
    "district heating network and is expected to warm around 900 homes during the winter. "
    '"Our customers plan ships, trucks and wind farm maintenance with our software every '
    'day, and many of them have climate targets of their own," said Ingrid Solberg, chief '
    'executive of Nordlys Systems. "Running the service on renewable power close to where '
    'they operate is the most practical thing we can do for them." '
    "The investment, around 380 million Swedish kronor over three years, creates 45 local "
    "jobs in operations and security. Nordlys has signed a ten-year power purchase agreement "
    "with Luleå Energi and will publish the centre's energy use and carbon figures every "
    "quarter. Customers will be moved from the company's rented capacity in Frankfurt during "
    "the spring, without downtime, and new customers in Sweden will be served from Luleå from "
    "the first day. The company expects to open a second Nordic site, in Norway, in 2027. "
    + ABOUT_NORDLYS
)

NEW_CTO = (
    "Nordlys appoints Pieter de Vries as chief technology officer. "
    "Nordlys Systems has appointed Pieter de Vries as its new chief technology officer. He "
    "joins from the Rotterdam port authority, where he led the digital twin programme that "
    "models the movements of 30,000 ships a year, and he starts on 1 September. He succeeds "
    "Kari Nilsen, who becomes head of the company's research lab in Trondheim after eight "
    "years as technology chief. De Vries will lead the 280 engineers who build the company's "
    "planning software and will report to the chief executive, Ingrid Solberg. "
    '"Pieter knows the problems our customers wake up with, because he has had them himself," '
    'said Solberg. "He will help us bring machine learning into everyday planning without '
    'asking planners to trust a black box." De Vries said he looked forward to working with '
    'the team. "Ports, shipping lines and grid operators share data badly today. Nordlys is '
    'in a good position to change that, and I want to help it happen." '
    "De Vries studied applied mathematics at Delft University of Technology and has worked "
    "at Maersk and at Shell. He will be based in the Oslo office and will spend part of his "
    "time in Rotterdam, where Nordlys is opening a Dutch office later this year. " + ABOUT_NORDLYS
)

OM_NORDLYS = (
    "Om Nordlys Systems. Nordlys Systems utvecklar programvara som hjälper rederier, "
    "energibolag och logistikföretag i Norden och Benelux att planera sin verksamhet. "
    "Företaget grundades i Tromsø 2011, har 640 anställda på sju kontor och är noterat på "
    "Oslo Börs. Läs mer på nordlys.example eller följ Nordlys på LinkedIn."
)

DATACENTER = (
    "Nordlys öppnar ett vattenkraftsdrivet datacenter i Luleå. "
    "Nordlys Systems meddelade i dag att bolaget i mars öppnar sitt första svenska "
    "datacenter i Luleå, helt drivet av vattenkraft från Luleälven. Datacentret ska driva "
    "bolagets tjänster för ruttplanering och fordonsspårning för kunder i Sverige och "
    "Finland, som har bett om att deras data ska stanna inom Norden. Byggnaden, ett tidigare "
    "pappersmagasin nära hamnen, utrustas i en första etapp med 1 200 servrar. "
    "Spillvärmen från servrarna säljs till det kommunala fjärrvärmenätet och väntas värma "
    "omkring 900 bostäder under vintern. \u2013 Våra kunder planerar fartyg, lastbilar och "
    "underhåll av vindkraftparker med vår programvara varje dag, och många av dem har egna "
    "klimatmål, säger Ingrid Solberg, vd för Nordlys Systems. \u2013 Att driva tjänsten med "
    "förnybar el nära den plats där de verkar är det mest praktiska vi kan göra för dem. "
    "Investeringen, omkring 380 miljoner kronor under tre år, skapar 45 lokala jobb inom "
    "drift och säkerhet. Nordlys har tecknat ett tioårigt elavtal med Luleå Energi och "
    "kommer varje kvartal att redovisa datacentrets energianvändning och utsläpp. Kunderna "
    "flyttas under våren utan driftavbrott från bolagets hyrda kapacitet i Frankfurt, och "
    "nya svenska kunder får sina tjänster från Luleå från första dagen. Bolaget räknar med "
    "att öppna en andra nordisk anläggning, i Norge, under 2027. " + OM_NORDLYS
)

NY_TEKNIKCHEF = (
    "Nordlys utser Pieter de Vries till teknikchef. "
    "Nordlys Systems har utsett Pieter de Vries till ny teknikchef. Han kommer närmast från "
    "hamnen i Rotterdam, där han ledde arbetet med en digital tvilling som följer 30 000 "
    "fartyg om året, och tillträder den 1 september. Han efterträder Kari Nilsen, som efter "
    "åtta år som teknikchef blir chef för bolagets forskningslabb i Trondheim. De Vries ska "
    "leda de 280 utvecklare som bygger bolagets planeringsprogramvara och rapporterar till "
    "vd Ingrid Solberg. \u2013 Pieter känner till de problem våra kunder vaknar upp med, eftersom "
    "han själv har haft dem, säger Solberg. \u2013 Han kommer att hjälpa oss att föra in "
    "maskininlärning i den vardagliga planeringen utan att be planerare lita på en svart "
    "låda. De Vries säger att han ser fram emot att arbeta med teamet. \u2013 Hamnar, rederier och "
    "nätbolag delar data dåligt i dag. Nordlys har ett bra läge för att ändra på det. "
    "De Vries har studerat tillämpad matematik vid Tekniska universitetet i Delft och har "
    "arbetat på Maersk och Shell. Han kommer att utgå från kontoret i Oslo och delvis arbeta i "
    "Rotterdam, där Nordlys öppnar ett kontor senare i år. " + OM_NORDLYS
)


def truncated(text: str, share: float) -> str:
    words = text.split()
    return " ".join(words[: int(len(words) * share)]) + " …"


def wrapped_five_ways(release: str, changes: dict[str, str]) -> list[str]:
    """The release as it appears on five other sites, each wrapping it its own way."""
    reworded = release
    for old, new in changes.items():
        assert old in reworded
        reworded = reworded.replace(old, new)
    return [
        # A news site's title prefix and its own sentences before and after.
        "PRESS RELEASE: " + release,
        "Published by Nordic Newswire on behalf of the sender. The issuer is solely "
        "responsible for the content of this announcement. " + release,
        release + " Subscribe to our newsletter and get the week's most important energy and "
        "technology news every Friday. Share this article on LinkedIn.",
        # An aggregator that edits a few words.
        reworded,
        # A feed that only carries the first 80%, with a "read more".
        truncated(release, 0.8) + " Read more at nordlys.example",
    ]


ENGLISH_CHANGES = {
    "data centre": "data center",
    "Luleå": "Lulea",
    "around 900": "about 900",
    "ten-year": "10-year",
}
SWEDISH_CHANGES = {
    "i dag": "idag",
    "1 200": "1200",
    "omkring 900": "cirka 900",
    "tioårigt": "10-årigt",
}


@pytest.mark.parametrize(
    ("release", "changes"),
    [(DATA_CENTRE, ENGLISH_CHANGES), (DATACENTER, SWEDISH_CHANGES)],
    ids=["english", "swedish"],
)
def test_release_wrapped_five_ways_clusters_to_the_first(release, changes):
    index = NearDuplicateIndex()
    index.add(1, signature(release))
    for key, variant in enumerate(wrapped_five_ways(release, changes), start=2):
        sig = signature(variant)
        assert index.find(sig) == 1, variant[:60]
        index.add(key, sig)


def test_release_wrapped_all_ways_at_once_still_clusters():
    reworded = DATA_CENTRE.replace("data centre", "data center").replace("Luleå", "Lulea")
    everything = (
        "PRESS RELEASE: Published by Nordic Newswire on behalf of the sender. "
        + truncated(reworded, 0.8)
        + " Read more at nordlys.example. Share this article on LinkedIn."
    )
    index = NearDuplicateIndex()
    index.add(1, signature(DATA_CENTRE))
    assert index.find(signature(everything)) == 1


def test_a_teaser_of_the_first_two_fifths_is_not_a_near_duplicate():
    # Jaccard similarity compares whole texts: 40% of the words is about 0.4 of the shingles.
    teaser = signature(truncated(DATA_CENTRE, 0.4))
    index = NearDuplicateIndex()
    index.add(1, signature(DATA_CENTRE))
    assert index.find(teaser) is None
    lenient = NearDuplicateIndex(threshold=0.3)
    lenient.add(1, signature(DATA_CENTRE))
    assert lenient.find(teaser) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [(DATA_CENTRE, NEW_CTO), (DATACENTER, NY_TEKNIKCHEF)],
    ids=["english", "swedish"],
)
def test_releases_sharing_the_about_paragraph_do_not_cluster(first, second):
    index = NearDuplicateIndex()
    index.add(1, signature(first))
    assert index.find(signature(second)) is None
    # Not even their shortest wrapping: the truncated second release with the boilerplate.
    assert index.find(signature(truncated(second, 0.5) + " " + first[-400:])) is None


def test_release_and_its_translation_do_not_cluster():
    index = NearDuplicateIndex()
    index.add(1, signature(DATA_CENTRE))
    assert index.find(signature(DATACENTER)) is None


def test_similarity_separates_copies_from_other_releases():
    copies = [
        similarity(signature(DATA_CENTRE), signature(variant))
        for variant in wrapped_five_ways(DATA_CENTRE, ENGLISH_CHANGES)
    ]
    others = [
        similarity(signature(DATA_CENTRE), signature(NEW_CTO)),
        similarity(signature(DATACENTER), signature(NY_TEKNIKCHEF)),
    ]
    assert min(copies) >= 0.7
    assert max(others) <= 0.25
    assert similarity(signature(DATA_CENTRE), signature(DATA_CENTRE)) == 1.0


def test_short_texts_have_no_signature():
    assert signature("") is None
    assert signature("Nordlys opens a data centre in Luleå") is None
    assert signature(" ".join(["word"] * 24)) is None
    assert signature(" ".join(f"word{n}" for n in range(25))) is not None


def test_signature_ignores_case_punctuation_and_unicode_forms():
    plain = signature(DATA_CENTRE)
    assert len(plain) == SIGNATURE_BYTES
    shouting = DATA_CENTRE.upper().replace(",", " ,").replace(".", "!")
    assert signature(shouting) == plain
    # "ﬁ" (a ligature) and full-width digits are the same words after NFKC.
    assert (
        signature(DATA_CENTRE.replace("fi", "\ufb01").replace("1,200", "\uff11,\uff12\uff10\uff10"))
        == plain
    )


def test_signature_is_the_same_in_another_process():
    code = (
        "import sys; from budbringer.content.neardup import signature; "
        "sys.stdout.write(signature(sys.stdin.read()).hex())"
    )
    for seed in ("1", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=DATACENTER,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert bytes.fromhex(result.stdout) == signature(DATACENTER)


def test_find_returns_the_oldest_of_equally_good_matches():
    index = NearDuplicateIndex()
    sig = signature(DATA_CENTRE)
    index.add(7, sig)
    index.add(3, sig)
    index.add(5, sig)
    assert index.find(sig) == 3


def test_find_prefers_the_closest_match_over_the_oldest():
    index = NearDuplicateIndex()
    index.add(1, signature(truncated(DATA_CENTRE, 0.8)))
    index.add(2, signature(DATA_CENTRE))
    assert index.find(signature("PRESS RELEASE: " + DATA_CENTRE)) == 2


def test_empty_index_finds_nothing():
    assert NearDuplicateIndex().find(signature(DATA_CENTRE)) is None


def test_signature_of_the_wrong_size_is_refused():
    index = NearDuplicateIndex()
    with pytest.raises(ValueError):
        index.add(1, b"\x00" * 10)
    with pytest.raises(ValueError):
        similarity(b"\x00" * 10, signature(DATA_CENTRE))


def test_index_built_from_many_signatures_still_finds_the_copy():
    index = NearDuplicateIndex()
    # Unrelated items first, then the release, then more unrelated items.
    for key in range(1, 2001):
        index.add(key, signature(" ".join(f"item{key} word{n}" for n in range(40))))
    index.add(5000, signature(DATACENTER))
    for key in range(6000, 7000):
        index.add(key, signature(" ".join(f"later{key} word{n}" for n in range(40))))
    assert index.find(signature("Pressmeddelande: " + DATACENTER)) == 5000
    assert index.find(signature(NY_TEKNIKCHEF)) is None


def test_items_added_between_finds_are_found_before_and_after_merging():
    # The ingestion pass: find, then add, one new item at a time. The first few hundred wait
    # in a dict; then they move into the sorted array of band hashes.
    index = NearDuplicateIndex()
    index.add(1, signature(DATA_CENTRE))
    for key in range(2, 1200):
        sig = signature(" ".join(f"item{key} word{n}" for n in range(40)))
        assert index.find(sig) is None
        index.add(key, sig)
        if key == 10:
            index.add(5000, signature(DATACENTER))
        if key in (12, 1199):
            assert index.find(signature("Pressmeddelande: " + DATACENTER)) == 5000
            assert index.find(signature("PRESS RELEASE: " + DATA_CENTRE)) == 1
