"""/people/import/ in Chromium as an admin uses it, on a phone (390 px) and a laptop
(1366 px): a file with good rows and errors shows every row's outcome, the errors with
their reasons, and saves nothing; the corrected file imports exactly its preview; the
same file again is all unchanged."""

import pytest
from playwright.sync_api import expect

from budbringer.accounts.models import Person
from tests.browser.pages import WIDTHS, look_at, sign_in

HEADER = "email;name;department;role;language;time_zone;manager_email\n"
GOOD = (
    "anna.kristiansen-halvorsen@nordlys.example;Anna Kristiansen-Halvorsen;"
    "Customer success and onboarding;employee;en sv;Europe/Oslo;lena@example.com\n"
    "bob@example.com;Bob Berg;Engineering;employee;en sv;Europe/Oslo;\n"
    "per@nordlys.example;Per Lund;Sales;sales;sv;Europe/Stockholm;\n"
)
BAD = (
    "kari@nordlys.example;Kari Nilsen;Sales;boss;en;Europe/Oslo;\n"
    "not-an-address;Ola;Sales;employee;en;Europe/Oslo;\n"
    "jon@nordlys.example;Jon;Sales;employee;en;Mars/Olympus;\n"
)


def preview(page, tmp_path, text: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(path)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: nothing is saved yet")).to_be_visible()


def outcome(page, row: int):
    return page.locator("#import-rows tbody tr").nth(row - 2)


@pytest.mark.browser
@pytest.mark.parametrize("device", list(WIDTHS))
def test_import_people_from_a_csv_file(cast, new_context, device, tmp_path):
    width = WIDTHS[device]
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, "alice")
    page.goto("/people/")
    page.get_by_role("link", name="Import from CSV").click()
    look_at(page, f"people-import-empty-{device}")

    # Good rows and errors: every row's outcome, the reasons, no import, nothing saved.
    preview(page, tmp_path, HEADER + GOOD + BAD)
    expect(page.locator("#import-rows tbody tr")).to_have_count(6)
    expect(outcome(page, 2)).to_contain_text("new")
    expect(outcome(page, 3)).to_contain_text("changed")
    expect(outcome(page, 5)).to_contain_text("boss is not a role")
    expect(outcome(page, 3)).to_contain_text("Time zone: Europe/Stockholm → Europe/Oslo")
    expect(outcome(page, 4)).to_contain_text("Department: Sales")
    page.get_by_role("link", name="7", exact=True).click()
    expect(page.locator("#row-7")).to_be_in_viewport()
    for row in (5, 6, 7):
        expect(outcome(page, row)).to_contain_text("error")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    expect(page.get_by_text("nothing is imported while any row has an error")).to_be_visible()
    assert not Person.objects.filter(user__email__endswith="@nordlys.example").exists()
    look_at(page, f"people-import-errors-{device}")

    # The good rows alone: imported exactly as previewed.
    preview(page, tmp_path, HEADER + GOOD)
    look_at(page, f"people-import-preview-{device}")
    page.get_by_role("button", name="Import 3 people").click()
    expect(page.get_by_text("Imported: 2 new, 1 changed, 0 unchanged.")).to_be_visible()
    anna = Person.objects.get(user__email="anna.kristiansen-halvorsen@nordlys.example")
    assert anna.department.name == "Customer success and onboarding"
    assert anna.manager == cast.lena
    cast.bob.refresh_from_db()
    assert cast.bob.name == "Bob Berg"
    look_at(page, f"people-import-imported-{device}")

    # The same file again: nothing to do.
    preview(page, tmp_path, HEADER + GOOD)
    expect(page.locator("#import-rows tbody tr")).to_have_count(3)
    for row in (2, 3, 4):
        expect(outcome(page, row)).to_contain_text("unchanged")
    expect(page.get_by_text("there is nothing to import")).to_be_visible()
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    look_at(page, f"people-import-unchanged-{device}")
