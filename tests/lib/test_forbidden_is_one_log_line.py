"""Every 403 is one warning line in the log (method, path, who, why), never a traceback:
anyone signed in can ask for pages their role does not open, as often as they like."""

import logging
import sys

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from budbringer.lib.log_filters import ForbiddenInOneLine
from tests.conftest import PASSWORD


def forbidden_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage().startswith("Forbidden")]


def assert_one_line(caplog, expected: str) -> None:
    records = forbidden_lines(caplog)
    assert [record.getMessage() for record in records] == [expected]
    (record,) = records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "Traceback" not in caplog.text
    assert "\n" not in caplog.text.strip()


def test_a_role_refused_by_our_decorators(cast, login, caplog):
    client = login(cast.bob)
    with caplog.at_level(logging.INFO):
        assert client.get("/editor/items/").status_code == 403
    assert_one_line(
        caplog, f"Forbidden: GET /editor/items/ by user {cast.bob.user.pk}: "
        "your role does not allow this page",
    )  # fmt: skip


def test_a_login_without_a_person(db, client, caplog):
    operator = User.objects.create_user("olga", "olga@example.com", PASSWORD)
    client.force_login(operator)
    with caplog.at_level(logging.INFO):
        assert client.post("/settings/").status_code == 403
    assert_one_line(
        caplog, f"Forbidden: POST /settings/ by user {operator.pk}: "
        "this login has no person in an organisation",
    )  # fmt: skip


def test_a_page_of_the_admin_the_role_does_not_open(cast, login, caplog):
    client = login(cast.erik)  # an editor; people are for admins
    with caplog.at_level(logging.INFO):
        assert client.get("/admin/accounts/person/").status_code == 403
    assert_one_line(
        caplog, f"Forbidden: GET /admin/accounts/person/ by user {cast.erik.user.pk}: "
        "permission denied",
    )  # fmt: skip


@pytest.mark.parametrize("path", ["/accounts/login/", "/settings/"])
def test_a_csrf_failure(cast, caplog, path):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO):
        response = client.post(path, {"username": "bob", "password": PASSWORD})
    assert response.status_code == 403
    assert_one_line(
        caplog, f"Forbidden: POST {path} by someone not signed in: CSRF cookie not set."
    )


def test_the_line_is_made_once_however_often_the_filter_runs(db):
    """Logging set up twice (django.setup() again) adds the filter twice to a logger."""
    request = RequestFactory().get("/editor/items/")
    request.user = AnonymousUser()
    try:
        raise PermissionDenied("your role does not allow this page")
    except PermissionDenied:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.WARNING, __file__, 1,
            "Forbidden (Permission denied): %s", ("/editor/items/",), sys.exc_info(),
            extra={"status_code": 403, "request": request},
        )  # fmt: skip
    for _ in range(2):
        assert ForbiddenInOneLine().filter(record)
    assert record.getMessage() == (
        "Forbidden: GET /editor/items/ by someone not signed in: your role does not allow this page"
    )
