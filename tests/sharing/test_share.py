from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.conf import settings

from budbringer.content.models import ApprovalState
from budbringer.links.models import TrackedLink
from budbringer.sharing.models import Share
from tests.conftest import make_item

INTENTS = {
    "linkedin": "https://www.linkedin.com/feed/?shareActive=true&",
    "x": "https://x.com/intent/post?",
    "facebook": "https://www.facebook.com/sharer/sharer.php?",
    "xing": "https://www.xing.com/spi/shares/new?",
    "email": "mailto:?",
}
GENERIC = "Our fjord data centres now run on hydro."
FOR_X = "Hydro-powered fjord DCs 🌊"


def share(client, item, network, text=None):
    data = {} if text is None else {"text": text}
    return client.post(f"/items/{item.pk}/share/{network}/", data)


def intent_params(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.mark.parametrize("network", INTENTS)
def test_share_records_a_share_and_opens_the_network_with_the_tracked_link(cast, login, network):
    response = share(login(cast.bob), cast.article, network, GENERIC)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(INTENTS[network])

    shared = Share.objects.get()
    assert (shared.organisation, shared.person, shared.item, shared.network) == (
        cast.nordlys, cast.bob, cast.article, network,
    )  # fmt: skip
    link = TrackedLink.objects.get(person=cast.bob)
    assert shared.link == link
    assert (link.organisation, link.item, link.network) == (cast.nordlys, cast.article, network)
    assert link.target_url == cast.article.url
    short = f"{settings.BASE_URL}/l/{link.code}"
    assert short in unquote(location)


def test_each_network_gets_its_own_link(cast, login):
    client = login(cast.bob)
    for network in INTENTS:
        share(client, cast.article, network)
    links = TrackedLink.objects.filter(person=cast.bob)
    assert sorted(links.values_list("network", flat=True)) == sorted(INTENTS)
    assert len(set(links.values_list("code", flat=True))) == len(INTENTS)


def test_sharing_twice_reuses_the_link_but_counts_two_shares(cast, login):
    client = login(cast.bob)
    first = share(client, cast.article, "linkedin")["Location"]
    second = share(client, cast.article, "linkedin")["Location"]
    assert first == second
    assert TrackedLink.objects.filter(person=cast.bob).count() == 1
    assert Share.objects.filter(person=cast.bob).count() == 2


def test_two_people_get_two_links(cast, login):
    share(login(cast.bob), cast.article, "linkedin")
    share(login(cast.sara), cast.article, "linkedin")
    bob, sara = (TrackedLink.objects.get(person=p) for p in (cast.bob, cast.sara))
    assert bob.code != sara.code


def test_the_persons_own_words_are_carried(cast, login):
    client = login(cast.bob)
    mine = "Proud of the team — read this!"
    assert intent_params(share(client, cast.article, "linkedin", mine)["Location"])[
        "text"
    ].startswith(mine + " ")
    assert intent_params(share(client, cast.article, "x", mine)["Location"])["text"] == mine
    body = intent_params(share(client, cast.article, "email", mine)["Location"])["body"]
    assert body.startswith(mine + "\n\n")
    assert body.endswith("/l/" + TrackedLink.objects.get(network="email").code)


def test_unchanged_text_gives_way_to_the_networks_own_suggestion(cast, login):
    client = login(cast.bob)
    x = intent_params(share(client, cast.article, "x", GENERIC)["Location"])
    assert x["text"] == FOR_X
    linkedin = intent_params(share(client, cast.article, "linkedin", GENERIC)["Location"])
    assert linkedin["text"].startswith(GENERIC + " ")
    # Whitespace the browser adds does not count as a change.
    x = intent_params(share(client, cast.article, "x", f"  {GENERIC}\n")["Location"])
    assert x["text"] == FOR_X


def test_empty_text_gives_the_suggestion(cast, login):
    x = intent_params(share(login(cast.bob), cast.article, "x", "")["Location"])
    assert x["text"] == FOR_X


def test_email_subject_is_the_title(cast, login):
    params = intent_params(share(login(cast.bob), cast.article, "email")["Location"])
    assert params["subject"] == cast.article.title


def test_x_text_is_cut_to_fit_280_with_the_link(cast, login):
    long = "Fjords " * 60  # 420 characters
    location = share(login(cast.bob), cast.article, "x", long)["Location"]
    params = intent_params(location)
    # X counts any link as 23 characters, plus a space before it.
    assert len(params["text"]) + 1 + 23 <= 280
    assert params["text"].endswith("…")
    assert params["text"].startswith("Fjords Fjords")
    assert params["url"].startswith(settings.BASE_URL + "/l/")


def test_x_text_that_fits_is_not_cut(cast, login):
    fits = "F" * 256
    params = intent_params(share(login(cast.bob), cast.article, "x", fits)["Location"])
    assert params["text"] == fits


def test_text_over_3000_characters_is_refused_and_nothing_recorded(cast, login):
    client = login(cast.bob)
    response = share(client, cast.article, "linkedin", "w" * 3001)
    assert response.status_code == 302
    assert response["Location"] == f"/items/{cast.article.pk}/"
    page = client.get(response["Location"])
    assert b"The text is too long: at most 3,000 characters." in page.content
    assert not Share.objects.exists()
    assert not TrackedLink.objects.filter(person=cast.bob).exists()


def test_text_of_3000_characters_is_fine(cast, login):
    response = share(login(cast.bob), cast.article, "linkedin", "w" * 3000)
    assert response["Location"].startswith(INTENTS["linkedin"])
    assert Share.objects.count() == 1


def test_unknown_network_is_404(cast, login):
    assert share(login(cast.bob), cast.article, "myspace").status_code == 404
    assert not Share.objects.exists()


def test_get_is_not_allowed(cast, login):
    response = login(cast.bob).get(f"/items/{cast.article.pk}/share/linkedin/")
    assert response.status_code == 405
    assert not Share.objects.exists()


def test_item_of_another_organisation_is_404(cast, login):
    response = share(login(cast.bob), cast.havn_article, "linkedin")
    assert response.status_code == 404
    assert not Share.objects.exists()
    assert not TrackedLink.objects.filter(person=cast.bob).exists()


@pytest.mark.parametrize("state", [ApprovalState.PENDING, ApprovalState.REJECTED])
def test_item_that_is_not_approved_cannot_be_shared(cast, login, state):
    item = make_item(cast.nordlys, "Draft", approval_state=state)
    assert share(login(cast.bob), item, "linkedin").status_code == 404
    assert not Share.objects.exists()
