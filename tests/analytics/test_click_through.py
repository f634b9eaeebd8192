"""Click-through is an estimate: unique clicks / estimated people reached, shown as a
percentage with one decimal, and "n/a" where the estimated reach makes it meaningless."""

import csv
import io
import re

from budbringer.analytics import reports
from budbringer.links.models import TrackedLink
from budbringer.sharing.sharing import record_share
from tests.analytics.conftest import UNIQUE, click
from tests.analytics.test_overview_page import row


def reached(unique_clicks, estimated_reach):
    return reports.NetworkRow(
        network="x",
        label="X",
        shares=1,
        clicks=unique_clicks,
        unique_clicks=unique_clicks,
        estimated_reach=estimated_reach,
    )


def test_click_through_is_given_only_where_the_estimate_carries_it():
    assert reached(3, 900).click_through == 3 / 900
    assert reached(100, 100).click_through == 1.0
    assert reached(0, 0).click_through is None  # nothing reached
    assert reached(1, 99).click_through is None  # too few reached for a percentage
    assert reached(201, 200).click_through is None  # over 100 %: the audience is too small


def emailed(cast, activity):
    """Two e-mail shares of the second story (assumed to reach 1 person each), clicked by
    three people."""
    record_share(cast.bob, activity.second, "email")
    record_share(cast.bob, activity.second, "email")
    link = TrackedLink.objects.get(person=cast.bob, network="email")
    for ip in ("198.51.100.21", "198.51.100.22", "198.51.100.23"):
        click(link, ip, kind=UNIQUE)


def test_the_page_shows_an_estimated_percentage_or_n_a(cast, login, activity):
    emailed(cast, activity)
    html = login(cast.alice).get("/analytics/").content.decode()
    assert row(html, "linkedin") == ["LinkedIn", "3", "4", "3", "900", "0.3%"]
    # Three clicks on two e-mails "reaching" two people was printed as 1.5000.
    assert row(html, "email") == ["E-mail", "2", "3", "3", "2", "n/a"]
    for table in ("networks", "items"):
        header = re.search(rf'<table id="{table}">\s*<thead>(.*?)</thead>', html, re.S).group(1)
        assert "<th>Estimated reach</th><th>Estimated click-through</th>" in header
    items = re.search(r'<table id="items">(.*?)</table>', html, re.S).group(1)
    # The second story: facebook 200 + e-mail 2 reached, 3 unique clicks: 1.5 %.
    assert "<td>Second story</td><td>3</td><td>3</td><td>3</td><td>202</td><td>1.5%</td>" in items
    text = " ".join(html.split())
    assert "Estimated click-through: unique clicks ÷ estimated people reached." in text
    assert "It is n/a under 100 people estimated reached" in text


def test_the_csv_has_a_percentage_column_and_n_a(cast, login, activity):
    emailed(cast, activity)
    response = login(cast.alice).get("/analytics/export/networks.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-2:] == ["Estimated reach", "Estimated click-through (%)"]
    by_network = {line[0]: line[1:] for line in rows[1:]}
    assert by_network["LinkedIn"] == ["3", "4", "3", "900", "0.3"]
    assert by_network["E-mail"] == ["2", "3", "3", "2", "n/a"]
    assert by_network["Xing"] == ["0", "0", "0", "0", "n/a"]
