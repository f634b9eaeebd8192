import datetime as dt

import pytest
from django.utils import timezone

from budbringer.sources.models import Source, SourceList
from tests.conftest import make_item
from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401


def company_items(organisation, count: int, prefix: str = "Company news"):
    """Fresh company-content items, each on its own source: they clear the ranker's bar."""
    company = SourceList.objects.get(organisation=organisation, kind="company")
    items = []
    now = timezone.now()
    for number in range(count):
        source = Source.objects.create(
            organisation=organisation,
            title=f"{prefix} blog {number}",
            feed_url=f"https://{prefix.replace(' ', '-').lower()}-{number}.example/feed",
        )
        source.lists.add(company)
        items.append(
            make_item(
                organisation,
                f"{prefix} {number}",
                source=source,
                published_at=now - dt.timedelta(hours=number + 1),
            )
        )
    return items


@pytest.fixture
def news(cast):
    return company_items(cast.nordlys, 6)
