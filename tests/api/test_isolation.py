"""A token of one organisation sees nothing of another, on every endpoint."""

import json

import pytest

from budbringer.links.models import Click, ClickKind
from budbringer.sharing.models import Share
from tests.api.conftest import ENDPOINTS

HAVN_WORDS = ["Havn", "havn.example.com", "terminal"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_nordlys_token_sees_nothing_of_havn(cast, activity, api_get, nordlys_secret, path):
    response = api_get(path, nordlys_secret, since="2020-01-01T00:00:00Z")
    assert response.status_code == 200
    text = response.content.decode()
    assert not [word for word in HAVN_WORDS if word in text]
    havn_links = set(
        Click.objects.filter(organisation=cast.havn).values_list("link__code", flat=True)
    )
    assert not [code for code in havn_links if code in text]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_havn_token_sees_only_havn(cast, activity, api_get, havn_secret, path):
    response = api_get(path, havn_secret, since="2020-01-01T00:00:00Z")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nordlys" not in text and cast.article.title not in text


def test_rows_are_exactly_the_organisations(cast, activity, api_get, nordlys_secret, havn_secret):
    since = "2020-01-01T00:00:00Z"
    for organisation, secret in ((cast.nordlys, nordlys_secret), (cast.havn, havn_secret)):
        clicks = api_get("/clicks", secret, since=since).json()["items"]
        assert {row["id"] for row in clicks} == set(
            Click.objects.filter(
                organisation=organisation, kind__in=(ClickKind.UNIQUE, ClickKind.REPEAT)
            ).values_list("id", flat=True)
        )
        shares = api_get("/shares", secret, since=since).json()["items"]
        assert {row["id"] for row in shares} == set(
            Share.objects.filter(organisation=organisation).values_list("id", flat=True)
        )


def test_havn_cursor_does_not_open_nordlys_rows(cast, activity, api_get, havn_secret):
    """A cursor is only a position: handed to another organisation it selects nothing of ours."""
    response = api_get("/clicks", havn_secret, since="2020-01-01T00:00:00Z", cursor="aWQ6MA")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["items"]} <= set(
        Click.objects.filter(organisation=cast.havn).values_list("id", flat=True)
    )
    assert json.dumps(response.json()).count(cast.article.title) == 0
