import re

import pytest

from tests.conftest import make_person


def row(html: str, network: str) -> list[str]:
    match = re.search(rf'<tr data-network="{network}">(.*?)</tr>', html)
    assert match, network
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


def table(html: str, table_id: str) -> str:
    return re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)


@pytest.mark.parametrize("who", ["bob", "sara", "erik"])
def test_people_without_analytics_role_are_forbidden(cast, login, who):
    client = login(getattr(cast, who))
    assert client.get("/analytics/").status_code == 403
    assert client.get("/analytics/export/networks.csv").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/analytics/export/networks.csv")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("who", ["lena", "alice"])
def test_leaders_and_admins_see_the_numbers(cast, login, activity, who):
    response = login(getattr(cast, who)).get("/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert row(html, "linkedin") == ["LinkedIn", "3", "4", "3", "900", "0.3%"]
    assert row(html, "x") == ["X", "1", "1", "1", "150", "0.7%"]
    assert row(html, "email") == ["E-mail", "0", "0", "0", "0", "n/a"]
    assert "4 clicks by bots, link previews, scanners or not yet counted are left out." in html
    items = table(html, "items")
    assert items.index(cast.article.title) < items.index("Second story")
    assert "<td>Lena</td><td>Sales</td><td>0</td><td>0</td>" in table(html, "leaders")


def test_admins_see_small_departments(cast, login, activity):
    departments = table(login(cast.alice).get("/analytics/").content.decode(), "departments")
    assert "<td>Sales</td><td>2</td><td>1</td><td>50.0%</td><td>1</td>" in departments
    assert "Lena" not in departments  # names only for a chosen department


def test_the_chosen_department_names_who_never_shared_page_by_page(cast, login, activity):
    for number in range(55):
        make_person(cast.nordlys, f"seller{number:02d}", department=cast.sales)
    client = login(cast.alice)
    html = client.get(f"/analytics/?department={cast.sales.pk}").content.decode()
    assert "56 people in Sales have never shared" in html
    names = re.search(r'<p class="names">(.*?)</p>', html).group(1).split(", ")
    assert names[:2] == ["Lena", "Seller00"] and len(names) == 50
    assert "Page 1 of 2" in html
    following = re.search(r'href="\?([^"]*never_shared_page=2)[^"]*"', html).group(1)
    html = client.get("/analytics/?" + following.replace("&amp;", "&")).content.decode()
    assert re.search(r'<p class="names">(.*?)</p>', html).group(1).split(", ") == [
        f"Seller{number}" for number in range(49, 55)
    ]
    assert "Page 2 of 2" in html


def test_leaders_see_small_departments_only_merged(cast, login, activity):
    html = login(cast.lena).get("/analytics/").content.decode()
    departments = table(html, "departments")
    assert "<td>Groups under 5 people</td><td>5</td><td>2</td><td>40.0%</td>" in departments
    for name in ("Sales", "Engineering", "Lena", "Alice", "Erik"):
        assert name not in departments
    assert "Team too small to show" in table(html, "leaders")


def test_filters_change_the_numbers(cast, login, activity):
    client = login(cast.alice)
    html = client.get(f"/analytics/?department={cast.sales.pk}").content.decode()
    assert row(html, "linkedin")[:4] == ["LinkedIn", "1", "1", "1"]
    html = client.get("/analytics/?network=x&period=7").content.decode()
    assert re.findall(r'data-network="(\w+)"', html) == ["x"]
    assert "Last 7 days" in html


def test_hostile_or_foreign_filters_fall_back_to_the_default(cast, login, activity):
    client = login(cast.alice)
    for query in (
        f"department={cast.havn_ops.pk}",
        "period=100000",
        "network=<script>",
        "source_list=abc",
    ):
        response = client.get(f"/analytics/?{query}")
        assert response.status_code == 200, query
        assert row(response.content.decode(), "linkedin")[:4] == ["LinkedIn", "3", "4", "3"]


def test_page_shows_nothing_of_another_organisation(cast, login, activity):
    html = login(cast.alice).get("/analytics/").content.decode()
    for secret in ("Havn", "Charlie", cast.havn_article.title):
        assert secret not in html


def test_empty_period_says_so(cast, login):
    html = login(cast.lena).get("/analytics/").content.decode()
    assert "No shares yet in this period." in html
    assert "0 clicks by bots, link previews, scanners or not yet counted are left out." in html


def test_charts_load_from_the_package_under_a_strict_policy(cast, login):
    response = login(cast.alice).get("/analytics/")
    policy = response["Content-Security-Policy"]
    # Scripts and styles from this site only (default-src), nothing inline anywhere.
    assert "default-src 'self'" in policy and "script-src" not in policy
    assert "unsafe-inline" not in policy and "style-src" not in policy
    html = response.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert [src.rsplit("/", 1)[-1] for src in scripts] == ["chart.umd.js", "dashboard.js"]
    assert all(src.startswith("/static/") for src in scripts)
    # The only inline <script> is the JSON the charts draw, which a browser does not run.
    assert re.findall(r"<script(?! src)[^>]*>", html) == [
        '<script id="chart-data" type="application/json">'
    ]


def test_the_period_shown_is_the_period_counted(cast, login):
    html = login(cast.alice).get("/analytics/").content.decode()
    assert re.search(r'<option value="30" selected>', html)
    assert "Last 30 days" in html
