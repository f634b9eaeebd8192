"""Sign-in throttling: after repeated wrong passwords an account, or a client address, is
locked for a while.

django-axes does the work: its authentication backend (first in AUTHENTICATION_BACKENDS)
refuses a locked sign-in before the password is checked, on /accounts/login/, the admin's
login and anything else that calls ``authenticate``; its failures live in the database
(``axes.AccessAttempt``), so every web process counts the same ones. What is ours:

1. Two limits, each counted on its own within BUDBRINGER_LOGIN_LOCK_MINUTES: failures for
   one username from any address (someone guessing one person's password from many
   machines) and failures from one address for any username (one machine trying many
   accounts). The address limit is higher: an office signs in from one address.
2. A locked sign-in is refused even with the right password, and counts as another
   failure (axes keeps one row per username and address, whose time is its last
   failure): an attack that goes on from an address keeps its failures recent. The lock
   ends once fewer failures than the limit are left within the lock time, so at the
   latest one lock time after the last attempt.
3. A successful sign-in forgets that username's failures from that same address (the
   person's own typos), never those from elsewhere, which may be someone else's guesses.
   A new password set through a reset link forgets all of the account's failures.
4. One warning line per failure, without the password or the username typed (people type
   passwords into the username field): the account's id when it exists, the address,
   the path, and how near each limit is. Axes' own lines are silenced (settings.LOGGING).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.http import HttpRequest

from budbringer.lib.http import client_ip

log = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted by: the project's client address (it honours
    BUDBRINGER_BEHIND_PROXY), None when that is not an IP address (axes' column is one)."""
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def lock_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


class SignInLockout(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and one per client address."""

    def failures(self, request, credentials=None) -> tuple[int, int]:
        """Failures within the lock time for this username, and from this address (in the
        order of AXES_LOCKOUT_PARAMETERS)."""
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return by_account, by_address

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares one number with one limit, AXES_FAILURE_LIMIT (the account's). The
        # address's count is put on that scale: it reaches the limit exactly when the
        # address reaches its own (floor(n * A / B) >= A if and only if n >= B).
        by_account, by_address = self.failures(request, credentials)
        account_limit = settings.AXES_FAILURE_LIMIT
        return max(by_account, by_address * account_limit // settings.LOGIN_LIMIT_PER_IP)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            super().user_login_failed(sender, credentials, request, **kwargs)
            return  # axes logs that it cannot count this one
        # Nothing locks by browser, so the user-agent string is not kept with the failure.
        request.axes_user_agent = ""
        super().user_login_failed(sender, credentials, request, **kwargs)
        by_account, by_address = self.failures(request, credentials)
        log.warning(
            "Sign-in failed: %s from %s at %s; %d of %d failures for the account, "
            "%d of %d for the address%s",
            _account(credentials.get("username")),
            request.axes_ip_address or "an unknown address",
            request.path,
            by_account,
            settings.AXES_FAILURE_LIMIT,
            by_address,
            settings.LOGIN_LIMIT_PER_IP,
            f"; locked for {lock_minutes()} minutes" if request.axes_locked_out else "",
        )

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(
            username=user.get_username(), ip_address=request.axes_ip_address
        ).delete()


def what_is_locked(request, credentials=None) -> tuple[bool, bool]:
    """Whether this sign-in's account, and its address, are locked (for the lockout page)."""
    by_account, by_address = AxesProxyHandler.get_implementation().failures(request, credentials)
    return by_account >= settings.AXES_FAILURE_LIMIT, by_address >= settings.LOGIN_LIMIT_PER_IP


def _account(username: str | None) -> str:
    user_id = (
        get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    )
    return f"account {user_id}" if user_id else "an unknown username"


def forget_failures(user) -> int:
    """After a new password was set through a reset link: the account is its owner's again."""
    return AxesProxyHandler.reset_attempts(username=user.get_username())


def prune_failures(now: dt.datetime) -> int:
    """Delete failures older than the lock time: they lock nothing any more (axes only
    cleans them up when someone next signs in)."""
    deleted, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return deleted
