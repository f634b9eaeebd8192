"""Filters for the log (settings.LOGGING)."""

import logging

from django.core.exceptions import PermissionDenied


class ForbiddenInOneLine(logging.Filter):
    """Every 403 as one warning line: method, path, who asked (a user id) and why.

    Django logs a PermissionDenied with its whole traceback (``django.request``), so anyone
    signed in could fill the log by asking for pages their role does not open. A refusal is
    expected, not a fault: the line says enough to notice someone probing. Attached to the
    loggers that report 403s: ``django.request`` (PermissionDenied, a 403 response) and
    ``django.security.csrf`` (CSRF failures).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or getattr(record, "one_line", False):
            return True
        request = getattr(record, "request", None)
        line = (
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            _who(request),
            _reason(record),
        )
        record.msg = "Forbidden: %s %s by %s: %s"
        record.args = tuple(_one_line(value) for value in line)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        # Done once: a second logging set-up (a second django.setup()) adds filters again.
        record.one_line = True
        return True


def _who(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user {user.pk}"
    return "someone not signed in"


def _reason(record: logging.LogRecord) -> str:
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, PermissionDenied):
        return str(error) or "permission denied"
    # CsrfViewMiddleware logs "Forbidden (%s): %s" with the reason, then the path.
    if record.msg == "Forbidden (%s): %s" and record.args:
        return str(record.args[0])
    return "forbidden"


def _one_line(value: object) -> str:
    # A path may hold a decoded newline: escaped, so that no one can forge a log line.
    return str(value).encode("unicode_escape").decode("ascii")
