"""The analytics dashboard in Chromium: Chart.js from the package draws every chart under the
page's strict policy, a filter redraws them, and a CSV export downloads and parses back."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from budbringer.accounts.models import Department, Person
from tests.analytics.conftest import Activity
from tests.browser.pages import screenshot, sign_in
from tests.conftest import make_person

CHARTS = ("participation-chart", "networks-chart", "items-chart")

# Pixels of a canvas that are not fully transparent: 0 for a chart never drawn.
DRAWN_PIXELS = """id => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
  return drawn;
}"""
SERIES = "id => Chart.getChart(document.getElementById(id)).data.datasets.map(d => d.data)"


@pytest.mark.browser
def test_dashboard_charts_filters_and_csv(cast, new_context, traffic):
    Activity(cast)
    page = new_context(accept_downloads=True).new_page()
    problems = []
    # Refused scripts show as console errors; failed loads are checked by their response.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, "alice")
    page.goto("/analytics/")

    for chart in CHARTS:
        expect(page.locator(f"#{chart}")).to_be_visible()
        assert page.evaluate(DRAWN_PIXELS, chart) > 500, chart
    # Networks in order: LinkedIn, X, Facebook, Xing, E-mail; shares then unique clicks.
    assert page.evaluate(SERIES, "networks-chart") == [[3, 1, 1, 0, 0], [3, 1, 0, 0, 0]]
    screenshot(page, "analytics-dashboard")

    page.get_by_label("Department").select_option(label="Sales")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(rf"[?&]department={cast.sales.pk}(&|$)"))
    assert page.evaluate(SERIES, "networks-chart") == [[1, 0, 1, 0, 0], [1, 0, 0, 0, 0]]
    assert page.evaluate(DRAWN_PIXELS, "networks-chart") > 500

    with page.expect_download() as download:
        page.locator(".table-scroll:has(#networks) ~ p a.export", has_text="CSV").first.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0][:4] == ["Network", "Shares", "Clicks", "Unique clicks"]
    assert rows[1] == ["LinkedIn", "1", "1", "1", "300", "0.3"]

    assert problems == []  # no script refused by the policy, no error while drawing
    assert traffic.unexpected() == []


PARTIAL_LEGEND = "Partial week: fewer days, not comparable (%)"
LEGEND = "id => Chart.getChart(document.getElementById(id)).data.datasets.map(d => d.label)"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_partial_weeks_and_small_groups_in_chromium(cast, new_context, traffic, width):
    """Whole weeks on the line, partial ones as loose points named in the legend; a leader
    who asks for a department of one is told why it is not shown. Nothing overflows."""
    Activity(cast)
    Person.objects.update(created_at=timezone.now() - dt.timedelta(days=90))
    legal = Department.objects.create(organisation=cast.nordlys, name="Legal")
    make_person(cast.nordlys, "ola", department=legal)
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, "alice")
    page.goto("/analytics/")
    expect(page.locator("#participation .partial-week").first).to_be_visible()
    complete, partial = page.evaluate(SERIES, "participation-chart")
    assert page.evaluate(LEGEND, "participation-chart") == [
        "Participation, whole weeks (%)",
        PARTIAL_LEGEND,
    ]
    # The first and the current week are partial (30 days never start on a Monday 00:00
    # and end on one): off the line, and only they are points of their own.
    assert complete[0] is None and complete[-1] is None
    assert partial[0] is not None and partial[-1] is not None
    assert all(value is None for value in partial[1:-1])
    assert None not in complete[1:-1]
    assert page.evaluate(OVERFLOW) == 0
    screenshot(page, f"analytics-admin-{width}")

    page = new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, "lena")
    page.goto(f"/analytics/?department={legal.pk}")
    expect(page.get_by_role("alert")).to_contain_text("That department cannot be chosen")
    assert page.get_by_label("Department").locator("option").all_inner_texts() == [
        "All departments"
    ]
    assert page.evaluate(OVERFLOW) == 0
    screenshot(page, f"analytics-leader-small-group-{width}")
    assert traffic.unexpected() == []
