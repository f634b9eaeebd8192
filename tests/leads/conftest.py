import pytest

from budbringer.accounts.models import Role
from budbringer.leads.leads import create_lead_link
from budbringer.leads.models import Lead
from budbringer.links.models import ClickKind
from budbringer.links.tracking import record_click
from tests import webhooks
from tests.conftest import make_person
from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401

webhook_receiver = webhooks.webhook_receiver


@pytest.fixture
def lead(cast):
    """Sara (sales) owns Ingrid of Fjordkraft, who got a link to the article."""
    return Lead.objects.create(
        organisation=cast.nordlys,
        name="Ingrid Berg",
        email="ingrid@fjordkraft.example",
        company="Fjordkraft",
        owner=cast.sara,
    )


@pytest.fixture
def lead_link(cast, lead):
    return create_lead_link(lead, item=cast.article)


def click_on(link, kind=ClickKind.UNIQUE, *, ip="198.51.100.7", now=None):
    """A click as the counting pass leaves it: recorded, then settled to ``kind``."""
    click = record_click(
        link,
        method="GET",
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0",
        referrer="",
        ip=ip,
        now=now,
    )
    click.kind = kind
    click.save(update_fields=["kind"])
    return click


@pytest.fixture
def sven(cast):
    """A second sales person of Nordlys, whose leads are none of Sara's business."""
    return make_person(cast.nordlys, "sven", Role.SALES, cast.sales)


@pytest.fixture
def svens_lead(cast, sven):
    return Lead.objects.create(
        organisation=cast.nordlys,
        name="Vidar Vik",
        email="vidar@vindkraft.example",
        company="Vindkraft",
        owner=sven,
        notes="Sven's private word: budget frozen until March",
    )
