import pytest

from budbringer.api.tokens import issue_token
from budbringer.links.models import Click, ClickKind
from tests.analytics.conftest import Activity, since  # noqa: F401 (a fixture)


@pytest.fixture
def activity(cast):
    """The analytics activity, with the counting pass's outcome written in by hand: the
    first click of each visitor unique, the rest repeats, machines as they were told."""
    activity = Activity(cast)
    seen = set()
    for click in Click.objects.filter(kind=ClickKind.PENDING).order_by("id"):
        key = (click.link_id, click.visitor_hash)
        click.kind = ClickKind.REPEAT if key in seen else ClickKind.UNIQUE
        seen.add(key)
        click.save(update_fields=["kind"])
    return activity


@pytest.fixture
def nordlys_secret(cast):
    return issue_token(cast.nordlys, "CRM sync", cast.alice)[1]


@pytest.fixture
def havn_secret(cast):
    return issue_token(cast.havn, "Havn CRM", cast.charlie)[1]


ENDPOINTS = [
    "/clicks",
    "/shares",
    "/summaries/networks",
    "/summaries/items",
    "/participation",
    "/lead-events",
]
