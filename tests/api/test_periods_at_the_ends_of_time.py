"""since and until near year 1 or 9999: moved into the range anything can have happened in,
or refused with a 400 that says why, never a 500 (an OverflowError in datetime)."""

import pytest

from budbringer.leads.leads import create_lead_link
from budbringer.leads.models import Lead
from budbringer.links.models import ClickKind
from tests.api.conftest import ENDPOINTS
from tests.api.test_lead_events import settled

EVER = "2000-01-01T00:00:00Z"
DAWN = "0001-01-01T00:00:00+14:00"  # before year 1 once in UTC
DUSK = "9999-12-31T23:59:59-14:00"  # after year 9999 once in UTC
PERIOD_ENDPOINTS = ["/clicks", "/shares", "/participation", "/lead-events"]
SINCE_ENDPOINTS = ["/summaries/networks", "/summaries/items"]


@pytest.fixture
def lead_click(cast, activity):
    ingrid = Lead.objects.create(
        organisation=cast.nordlys, name="Ingrid", email="ingrid@fjordkraft.example", owner=cast.sara
    )
    return settled(create_lead_link(ingrid, item=cast.article), ClickKind.UNIQUE, "198.51.100.7")


def body(response):
    assert response.status_code == 200, response.content
    return response.json()


def rows(response) -> list:
    return body(response)["items"]


@pytest.mark.parametrize("path", ["/clicks", "/shares", "/lead-events", *SINCE_ENDPOINTS])
def test_since_the_dawn_of_time_is_everything(cast, lead_click, api_get, nordlys_secret, path):
    everything = body(api_get(path, nordlys_secret, since=EVER))
    assert everything
    assert body(api_get(path, nordlys_secret, since=DAWN)) == everything
    assert body(api_get(path, nordlys_secret, since="0001-01-01T00:00:00")) == everything


@pytest.mark.parametrize("path", ["/clicks", "/shares", "/lead-events"])
def test_until_the_end_of_time_is_everything(cast, lead_click, api_get, nordlys_secret, path):
    everything = rows(api_get(path, nordlys_secret, since=EVER))
    assert everything
    assert rows(api_get(path, nordlys_secret, since=EVER, until=DUSK)) == everything
    # The default period is the 30 days before until, so nothing is that late.
    assert rows(api_get(path, nordlys_secret, until=DUSK)) == []


@pytest.mark.parametrize("path", PERIOD_ENDPOINTS)
@pytest.mark.parametrize("until", ["0001-01-01T00:00:00Z", DAWN, "1969-12-31T23:59:59Z"])
def test_a_period_ending_before_1970_is_refused(cast, api_get, nordlys_secret, path, until):
    response = api_get(path, nordlys_secret, until=until)
    assert response.status_code == 400
    assert response.json() == {"detail": "until must be after 1970-01-01T00:00:00Z"}


@pytest.mark.parametrize("path", PERIOD_ENDPOINTS)
def test_a_period_starting_at_the_end_of_time_is_refused(cast, api_get, nordlys_secret, path):
    response = api_get(path, nordlys_secret, since=DUSK)
    assert response.status_code == 400
    assert response.json() == {"detail": "since must be before until"}


def test_participation_since_the_dawn_of_time_is_too_long_a_period(cast, api_get, nordlys_secret):
    response = api_get("/participation", nordlys_secret, since=DAWN)
    assert response.status_code == 400
    assert response.json() == {"detail": "a period of at most 520 weeks"}
    late = api_get("/participation", nordlys_secret, until=DUSK)
    assert late.status_code == 200 and all(row["sharers"] == 0 for row in late.json())


@pytest.mark.parametrize("path", SINCE_ENDPOINTS)
def test_summaries_since_the_end_of_time_are_empty(cast, activity, api_get, nordlys_secret, path):
    assert body(api_get(path, nordlys_secret, since=EVER))  # there is something to leave out
    summary = body(api_get(path, nordlys_secret, since=DUSK))
    assert all(row["shares"] == row["clicks"] == 0 for row in summary)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "params",
    [
        {"since": DAWN},
        {"until": DUSK},
        {"since": DUSK},
        {"until": DAWN},
        {"since": DAWN, "until": DUSK},
        {"until": "0001-01-01T00:00:00Z"},
        {"since": "9999-12-31T23:59:59Z"},
    ],
)
def test_no_moment_is_a_server_error(cast, activity, api_get, nordlys_secret, path, params):
    response = api_get(path, nordlys_secret, **params)
    assert response.status_code in (200, 400), (response.status_code, response.content[:200])
    if response.status_code == 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("department", ["99999999999999999999999", "-1", "0"])
def test_a_department_no_row_can_have_is_a_400(cast, api_get, nordlys_secret, department):
    response = api_get("/participation", nordlys_secret, department=department)
    assert response.status_code == 400
    assert response.json()["detail"] == "unknown department"
