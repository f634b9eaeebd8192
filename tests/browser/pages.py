"""What a person does in the browser, in the app's own words, and screenshots of it."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The two screens every page is used on.
WIDTHS = {"phone": 390, "laptop": 1366}


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail or user name").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in test-artifacts/ (gitignored) for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def look_at(page: Page, name: str) -> Path:
    """The page fits its screen (no sideways scrolling), and a screenshot to look at."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    return screenshot(page, name)
