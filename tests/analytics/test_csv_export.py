"""Every dashboard table exported as CSV and parsed back."""

import csv
import io

import pytest

from budbringer.analytics.tables import TABLES


def export(client, table, query=""):
    response = client.get(f"/analytics/export/{table}.csv{query}")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{table}.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_exports_with_its_header(cast, login, activity, table):
    rows = export(login(cast.alice), table)
    assert rows[0] == [str(column) for column in TABLES[table].columns]


def test_networks_csv_has_the_page_numbers(cast, login, activity):
    rows = export(login(cast.alice), "networks")
    assert rows[1:] == [
        ["LinkedIn", "3", "4", "3", "900", "0.3"],
        ["X", "1", "1", "1", "150", "0.7"],
        ["Facebook", "1", "0", "0", "200", "0.0"],
        ["Xing", "0", "0", "0", "0", "n/a"],
        ["E-mail", "0", "0", "0", "0", "n/a"],
    ]


def test_csv_follows_the_filters(cast, login, activity):
    rows = export(login(cast.alice), "networks", f"?department={cast.sales.pk}&network=linkedin")
    assert rows[1:] == [["LinkedIn", "1", "1", "1", "300", "0.3"]]


def test_departments_csv_keeps_small_groups_merged_for_leaders(cast, login, activity):
    rows = export(login(cast.lena), "departments")
    assert rows[1:] == [["Groups under 5 people", "5", "2", "40.0", "2", ""]]
    rows = export(login(cast.alice), "departments")
    assert ["Sales", "2", "1", "50.0", "1", ""] in rows


def test_departments_csv_names_who_never_shared_in_the_chosen_department(cast, login, activity):
    query = f"?department={cast.sales.pk}"
    assert export(login(cast.alice), "departments", query)[1:] == [
        ["Sales", "2", "1", "50.0", "1", "Lena"]
    ]


def test_items_csv_and_left_out(cast, login, activity):
    client = login(cast.alice)
    items = export(client, "items")
    assert items[1] == [cast.article.title, "4", "5", "4", "1050", "0.4"]
    left_out = dict(export(client, "left-out")[1:])
    assert left_out == {
        "not yet counted": "1",
        "e-mail security scanner": "1",
        "crawler": "0",
        "link preview": "1",
        "HEAD or other probe": "1",
    }


def test_cells_a_spreadsheet_would_run_are_defused(cast, login, activity):
    cast.article.title = '=HYPERLINK("http://evil.example")'
    cast.article.save()
    items = export(login(cast.alice), "items")
    assert items[1][0] == '\'=HYPERLINK("http://evil.example")'


def test_unknown_table_is_404(cast, login):
    assert login(cast.alice).get("/analytics/export/nothing.csv").status_code == 404
