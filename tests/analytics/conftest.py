import datetime as dt

import pytest
from django.utils import timezone

from budbringer.analytics.filters import last_days
from budbringer.analytics.rollup import refresh
from budbringer.links.models import Click, ClickKind, TrackedLink
from budbringer.links.tracking import record_click
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import record_share
from tests.conftest import make_item

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
LONG_AGO = dt.timedelta(days=40)


UNIQUE, REPEAT = ClickKind.UNIQUE, ClickKind.REPEAT


def click(link, ip, *, agent=CHROME, method="GET", now=None, kind=None):
    """A click as the redirect records it; ``kind`` settles it as the counting pass would."""
    recorded = record_click(link, method=method, user_agent=agent, referrer="", ip=ip, now=now)
    if kind:
        Click.objects.filter(pk=recorded.pk).update(kind=kind)
    return recorded


class Activity:
    """Shares and clicks with numbers worked out by hand (period: the last 30 days).

    Shares: bob linkedin twice and x, sara linkedin + facebook (second item), erik 40 days ago,
    charlie (Havn). Clicks, with the kind the counting pass would give them: on bob's linkedin
    link A unique, A repeat, B unique, a preview bot and a HEAD probe; on sara's linkedin C
    unique and one not yet counted; on bob's x A unique and a scanner. One old click on
    facebook and one on xing; two unique ones on Havn.
    """

    def __init__(self, cast):
        self.second = make_item(cast.nordlys, "Second story")
        record_share(cast.bob, cast.article, "linkedin")
        record_share(cast.bob, cast.article, "linkedin")
        record_share(cast.bob, cast.article, "x")
        record_share(cast.sara, cast.article, "linkedin")
        record_share(cast.sara, self.second, "facebook")
        record_share(cast.erik, cast.article, "xing")
        Share.objects.filter(person=cast.erik).update(created_at=timezone.now() - LONG_AGO)
        record_share(cast.charlie, cast.havn_article, "linkedin")

        def link(person, network):
            return TrackedLink.objects.get(person=person, network=network)

        bob_linkedin = link(cast.bob, "linkedin")
        for ip, kind in (
            ("198.51.100.1", UNIQUE),
            ("198.51.100.1", REPEAT),
            ("198.51.100.2", UNIQUE),
        ):
            click(bob_linkedin, ip, kind=kind)
        click(bob_linkedin, "198.51.100.3", agent="LinkedInBot/1.0")
        click(bob_linkedin, "198.51.100.4", method="HEAD")
        click(link(cast.sara, "linkedin"), "198.51.100.3", kind=UNIQUE)
        click(link(cast.sara, "linkedin"), "198.51.100.7")  # pending
        click(link(cast.bob, "x"), "198.51.100.1", kind=UNIQUE)
        click(link(cast.bob, "x"), "198.51.100.8", kind=ClickKind.SCANNER)
        click(
            link(cast.sara, "facebook"), "198.51.100.5", now=timezone.now() - LONG_AGO, kind=UNIQUE
        )
        click(link(cast.erik, "xing"), "198.51.100.6", now=timezone.now() - LONG_AGO, kind=UNIQUE)
        for ip in ("203.0.113.1", "203.0.113.2"):
            click(link(cast.charlie, "linkedin"), ip, kind=UNIQUE)


@pytest.fixture(params=["live", "rolled up"])
def activity(cast, request):
    """The activity, read live from the clicks and once more with past days rolled up."""
    made = Activity(cast)
    if request.param == "rolled up":
        refresh()
    return made


@pytest.fixture
def since():
    return timezone.now() - dt.timedelta(days=30)


@pytest.fixture
def period():
    """The last 30 days, with every group shown (as admins see them)."""
    return last_days(30, show_small_groups=True)
