"""The small-group rule holds in every report and export: a leader cannot choose, nor reach
through a URL, a department of fewer than 5 active people, and sees no row that stands for
fewer than 5; an admin, and the API (tokens are made by admins), may."""

import csv
import io
import re

import pytest

from budbringer.accounts.models import Department
from budbringer.analytics.tables import TABLES
from budbringer.api.tokens import issue_token
from budbringer.sharing.sharing import record_share
from tests.conftest import make_person

REFUSED = "That department cannot be chosen: departments with fewer than 5 active people"


@pytest.fixture
def legal(cast, activity):
    """Engineering grown to 5 people; Legal, a department of one, where ola shared twice."""
    for number in range(3):
        make_person(cast.nordlys, f"engineer{number}", department=cast.engineering)
    legal = Department.objects.create(organisation=cast.nordlys, name="Legal")
    ola = make_person(cast.nordlys, "ola", department=legal)
    record_share(ola, activity.second, "xing")
    record_share(ola, cast.article, "xing")
    return legal


def department_options(html: str) -> list[str]:
    select = re.search(r'<select name="department"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>(.*?)</option>", select)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_leaders_are_offered_only_departments_of_five_or_more(cast, login, legal):
    html = login(cast.lena).get("/analytics/").content.decode()
    assert department_options(html) == ["All departments", "Engineering"]
    html = login(cast.alice).get("/analytics/").content.decode()
    assert department_options(html) == ["All departments", "Engineering", "Legal", "Sales"]


def test_a_small_department_in_the_url_is_refused_for_every_report(cast, login, legal):
    client = login(cast.lena)
    response = client.get(f"/analytics/?department={legal.pk}&network=xing")
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSED in html
    assert re.search(r'<option value="" selected>All departments</option>', html)
    assert 'id="never-shared"' not in html
    # The page's CSV links are of what it shows, not of the department refused.
    assert "/analytics/export/items.csv?period=30&amp;network=xing" in html
    # Every report is the one of all departments, under the network filter that was kept.
    everyone = client.get("/analytics/?network=xing").content.decode()
    for table in ("participation", "departments", "leaders", "networks", "items", "left-out"):
        pattern = re.compile(rf'<table id="{table}">(.*?)</table>', re.S)
        assert pattern.search(html).group(1) == pattern.search(everyone).group(1), table
    assert "Ola" not in html


@pytest.mark.parametrize("table", list(TABLES))
def test_every_export_of_a_small_department_is_refused_for_leaders(cast, login, legal, table):
    response = login(cast.lena).get(f"/analytics/export/{table}.csv?department={legal.pk}")
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


@pytest.mark.parametrize("table", list(TABLES))
def test_admins_export_any_department(cast, login, legal, table):
    response = login(cast.alice).get(f"/analytics/export/{table}.csv?department={legal.pk}")
    assert response.status_code == 200
    assert csv_rows(response)[0] == [str(column) for column in TABLES[table].columns]


def test_admins_see_the_department_of_one(cast, login, legal):
    html = login(cast.alice).get(f"/analytics/?department={legal.pk}").content.decode()
    assert REFUSED not in html
    assert "<td>Xing</td><td>2</td>" in html  # ola's two shares


def test_small_groups_that_are_still_under_five_together_show_no_figures(cast, login, activity):
    """Engineering and Sales grown to 5 each: alice (no department) is the only small group."""
    for number in range(3):
        make_person(cast.nordlys, f"engineer{number}", department=cast.engineering)
        make_person(cast.nordlys, f"seller{number}", department=cast.sales)
    html = login(cast.lena).get("/analytics/").content.decode()
    departments = re.search(r'<table id="departments">(.*?)</table>', html, re.S).group(1)
    assert (
        '<td>Groups under 5 people</td><td>1</td><td colspan="3" class="hint">'
        "Too few people to show</td>"
    ) in departments
    rows = csv_rows(login(cast.lena).get("/analytics/export/departments.csv"))
    assert rows[-1] == ["Groups under 5 people", "1", "", "", "", ""]


def test_the_api_sees_a_department_of_one(cast, legal, api_get):
    secret = issue_token(cast.nordlys, "CRM", cast.alice)[1]
    rows = api_get("/participation", secret, department=legal.pk).json()
    assert (rows[-1]["people"], rows[-1]["sharers"]) == (1, 1)
    havn = api_get("/participation", secret, department=cast.havn_ops.pk)
    assert havn.status_code == 400
