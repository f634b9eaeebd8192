"""The analytics dashboard in Chromium: Chart.js from the package draws every chart under the
page's strict policy, a filter redraws them, and a CSV export downloads and parses back."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.analytics.conftest import Activity
from tests.browser.pages import screenshot, sign_in

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
        page.locator("#networks ~ p a.export", has_text="CSV").first.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0][:4] == ["Network", "Shares", "Clicks", "Unique clicks"]
    assert rows[1] == ["LinkedIn", "1", "1", "1", "300", "0.3"]

    assert problems == []  # no script refused by the policy, no error while drawing
    assert traffic.unexpected() == []
