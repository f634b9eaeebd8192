import pytest
from django.utils import translation

from budbringer.accounts.models import Person


@pytest.fixture
def valid(cast):
    """A complete, valid settings form for bob."""
    return {
        "interface_language": "nb",
        "languages": ["sv", "en"],
        "time_zone": "Europe/Oslo",
        "digest_cadence": "daily",
        "digest_max_items": "5",
        "digest_channel": "email",
        "send_days": ["0", "2", "4"],
        "quiet_from": "21:30",
        "quiet_until": "06:00",
        "on_holiday_until": "",
        "topics": [cast.cloud.pk],
        "followed_lists": [cast.company_list.pk],
    }


def snapshot(person: Person) -> tuple:
    person = Person.objects.get(pk=person.pk)
    return (
        person.interface_language,
        person.languages,
        person.time_zone,
        person.digest_cadence,
        sorted(person.topics.values_list("pk", flat=True)),
        sorted(person.followed_lists.values_list("pk", flat=True)),
    )


def test_settings_page_shows_own_choices(cast, login):
    response = login(cast.bob).get("/settings/")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["topics"].queryset) == [cast.cloud]
    assert list(form.fields["followed_lists"].queryset) == [cast.company_list]
    assert b"Cloud" in response.content
    assert b"Ports" not in response.content
    assert b"Havn news" not in response.content


def test_saving_stores_every_choice(cast, login, valid):
    response = login(cast.bob).post("/settings/", valid)
    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert snapshot(cast.bob) == (
        "nb",
        ["sv", "en"],
        "Europe/Oslo",
        "daily",
        [cast.cloud.pk],
        [cast.company_list.pk],
    )


def test_saving_empty_topics_and_lists_clears_them(cast, login, valid):
    cast.bob.topics.add(cast.cloud)
    cast.company_list.followers.add(cast.bob)
    login(cast.bob).post("/settings/", {**valid, "topics": [], "followed_lists": []})
    assert snapshot(cast.bob)[4:] == ([], [])


def test_pages_speak_the_chosen_interface_language(cast, login, valid):
    client = login(cast.bob)
    client.post("/settings/", {**valid, "interface_language": "sv"})
    response = client.get("/for-you/")
    assert response.status_code == 200
    assert response["Content-Language"] == "sv"
    assert b'<html lang="sv">' in response.content
    with translation.override("sv"):
        swedish = translation.gettext("For you")
    if swedish != "For you":  # once the Swedish catalogue is compiled
        assert swedish.encode() in response.content
    # Someone else keeps their own language.
    assert login(cast.alice).get("/for-you/")["Content-Language"] == "en"


@pytest.mark.parametrize(
    "bad",
    [
        {"languages": ["sv", "xx"]},
        {"languages": []},
        {"interface_language": "klingon"},
        {"time_zone": "Mars/Olympus_Mons"},
        {"digest_cadence": "hourly"},
        {"topics": ["HAVN_TOPIC"]},
        {"followed_lists": ["HAVN_LIST"]},
        {"topics": ["not-a-number"]},
    ],
    ids=lambda bad: next(iter(bad)) + "=" + str(next(iter(bad.values()))),
)
def test_bad_input_gives_a_form_error_and_changes_nothing(cast, login, valid, bad):
    replacements = {"HAVN_TOPIC": cast.havn_topic.pk, "HAVN_LIST": cast.havn_list.pk}
    bad = {key: [replacements.get(v, v) for v in value] if isinstance(value, list) else value
           for key, value in bad.items()}  # fmt: skip
    before = snapshot(cast.bob)
    response = login(cast.bob).post("/settings/", {**valid, **bad})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == set(bad)
    assert snapshot(cast.bob) == before


@pytest.mark.parametrize(
    "missing", ["interface_language", "languages", "time_zone", "digest_cadence"]
)
def test_missing_required_fields_give_a_form_error_and_change_nothing(cast, login, valid, missing):
    before = snapshot(cast.bob)
    del valid[missing]
    response = login(cast.bob).post("/settings/", valid)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [missing]
    assert snapshot(cast.bob) == before


def test_other_persons_are_not_touched(cast, login, valid):
    before = snapshot(cast.alice)
    login(cast.bob).post("/settings/", valid)
    assert snapshot(cast.alice) == before
