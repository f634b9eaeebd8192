"""Wrong passwords lock an account (from any address) and an address (for any account), on
the sign-in page and on the admin's; while locked even the right password is refused with
a page that says how long to wait; the lock ends after the lock time; a successful
sign-in forgets only the person's own failures; each failure is one log line."""

import datetime as dt
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

from budbringer.core.schedule import SCHEDULE
from tests.conftest import PASSWORD

SIGN_IN_PAGES = ["/accounts/login/", "/admin/login/"]
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def attempt(path: str, username: str, password: str, address: str, client=None):
    client = client or Client()
    response = client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response, "_auth_user_id" in client.session


def assert_locked_out(response, signed_in) -> None:
    assert response.status_code == 429
    assert not signed_in
    assert b"Too many wrong passwords" in response.content
    assert b"Try again in 15 minutes" in response.content


@pytest.mark.parametrize("path", SIGN_IN_PAGES)
def test_100_wrong_passwords_from_100_addresses_lock_the_account(cast, path):
    for n in range(100):
        attempt(path, "erik", f"guess {n}", f"198.51.100.{n + 1}")
    # The right password, from an address that never failed, is refused while locked.
    response, signed_in = attempt(path, "erik", PASSWORD, "192.0.2.200")
    assert_locked_out(response, signed_in)
    assert b"signing in to it is paused" in response.content
    # Another account is not locked: the lock is erik's, not the site's.
    assert attempt(path, "alice", PASSWORD, "192.0.2.200")[1]


@pytest.mark.parametrize("path", SIGN_IN_PAGES)
def test_wrong_passwords_for_many_accounts_from_one_address_lock_the_address(cast, path):
    for n in range(100):
        username = ["alice", "erik", "lena", "bob"][n % 4] if n < 4 else f"nobody{n}"
        attempt(path, username, "guess", ATTACKER)
    response, signed_in = attempt(path, "erik", PASSWORD, ATTACKER)
    assert_locked_out(response, signed_in)
    assert b"Signing in from your network is paused" in response.content
    # A new password would not end a lock of the address: the page does not promise it.
    assert b'href="/accounts/password_reset/"' in response.content
    assert b"sign in at once" not in response.content
    # The accounts themselves are not locked: from elsewhere erik signs in.
    assert attempt(path, "erik", PASSWORD, OFFICE)[1]


def test_each_limit_is_its_own(cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_LIMIT_PER_IP = 6
    for _ in range(2):
        attempt("/accounts/login/", "bob", "guess", ATTACKER)
    assert attempt("/accounts/login/", "bob", PASSWORD, OFFICE)[1]  # 2 of 3: not yet
    AccessAttempt.objects.all().delete()

    for username in ("a", "b", "c", "d", "e"):
        attempt("/accounts/login/", username, "guess", ATTACKER)  # 5 of 6 for the address
    assert attempt("/accounts/login/", "bob", PASSWORD, ATTACKER)[1]
    assert_locked_out(*attempt("/accounts/login/", "f", "guess", ATTACKER))  # the 6th
    assert_locked_out(*attempt("/accounts/login/", "bob", PASSWORD, ATTACKER))


def test_the_failure_that_reaches_the_limit_is_answered_with_the_lockout(cast):
    for _ in range(4):
        response, _ = attempt("/accounts/login/", "bob", "guess", OFFICE)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    assert_locked_out(*attempt("/accounts/login/", "bob", "guess", OFFICE))


def test_the_lock_ends_after_the_lock_time_since_the_last_attempt(cast):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            attempt("/accounts/login/", "bob", "guess", ATTACKER)
        clock.shift(dt.timedelta(minutes=14))
        # The attacker goes on: refused, counted, and their failures are recent again.
        assert_locked_out(*attempt("/accounts/login/", "bob", "guess", ATTACKER))
        clock.shift(dt.timedelta(minutes=14, seconds=59))
        assert_locked_out(*attempt("/accounts/login/", "bob", PASSWORD, OFFICE))
        clock.shift(dt.timedelta(seconds=2))  # 15 minutes after the attacker's last try
        response, signed_in = attempt("/accounts/login/", "bob", PASSWORD, OFFICE)
    assert response.status_code == 302
    assert signed_in


def test_signing_in_forgets_own_typos_but_not_failures_from_elsewhere(cast):
    for _ in range(4):
        attempt("/accounts/login/", "bob", "typo", OFFICE)
    assert attempt("/accounts/login/", "bob", PASSWORD, OFFICE)[1]
    for _ in range(4):  # four more typos: 4 of 5 again, not 8
        attempt("/accounts/login/", "bob", "typo", OFFICE)
    assert attempt("/accounts/login/", "bob", PASSWORD, OFFICE)[1]

    AccessAttempt.objects.all().delete()
    for _ in range(4):
        attempt("/accounts/login/", "bob", "guess", ATTACKER)
    assert attempt("/accounts/login/", "bob", PASSWORD, OFFICE)[1]
    # The attacker's four are still counted: one more failure from anywhere locks.
    assert_locked_out(*attempt("/accounts/login/", "bob", "typo", OFFICE))


def test_each_failure_is_one_log_line_without_password_or_typed_username(cast, caplog):
    with caplog.at_level(logging.INFO):
        for n in range(6):
            attempt("/accounts/login/", "bob", f"hunter{n}", OFFICE)
        attempt("/admin/login/", "correct-horse-in-the-wrong-field", "x", OFFICE)
    lines = [r.getMessage() for r in caplog.records if r.name == "budbringer.accounts.lockout"]
    bob = cast.bob.user.pk
    assert lines == [
        *(
            f"Sign-in failed: account {bob} from {OFFICE} at /accounts/login/; "
            f"{n} of 5 failures for the account, {n} of 30 for the address"
            for n in range(1, 5)
        ),
        f"Sign-in failed: account {bob} from {OFFICE} at /accounts/login/; "
        "5 of 5 failures for the account, 5 of 30 for the address; locked for 15 minutes",
        f"Sign-in failed: account {bob} from {OFFICE} at /accounts/login/; "
        "6 of 5 failures for the account, 6 of 30 for the address; locked for 15 minutes",
        f"Sign-in failed: an unknown username from {OFFICE} at /admin/login/; "
        "1 of 5 failures for the account, 7 of 30 for the address",
    ]
    assert "hunter" not in caplog.text
    assert "correct-horse" not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("axes")]


def test_what_is_kept_of_a_failure(cast):
    Client(HTTP_USER_AGENT="Firefox/130.0").post(
        "/accounts/login/",
        {"username": "bob", "password": "hunter2", "csrfmiddlewaretoken": "token-value"},
        REMOTE_ADDR=OFFICE,
    )
    (failure,) = AccessAttempt.objects.all()
    assert (failure.username, failure.ip_address, failure.user_agent) == ("bob", OFFICE, "")
    for secret in ("hunter2", "bob", "token-value", "Firefox"):
        assert secret not in failure.post_data + failure.get_data


def test_behind_a_proxy_the_address_is_the_one_our_proxy_saw(cast, settings):
    settings.BEHIND_PROXY = True
    for n in range(30):
        Client().post(
            "/accounts/login/",
            {"username": f"nobody{n}", "password": "guess"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",  # the first hop is made up
        )
    locked = Client().post(
        "/accounts/login/",
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    assert locked.status_code == 429
    others = Client().post(
        "/accounts/login/",
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=OFFICE,
    )
    assert others.status_code == 302  # the proxy's own address is not what is locked


def test_failures_are_forgotten_within_the_hour_after_they_stop_counting(cast):
    """Privacy: a failure keeps an address; the hourly prune deletes it once it locks
    nothing, even if nobody signs in again (axes itself cleans up only then)."""
    entry = next(e for e in SCHEDULE if e.name == "accounts.prune_throttles")
    assert entry.every == dt.timedelta(hours=1)
    with time_machine.travel(START, tick=False):
        attempt("/accounts/login/", "bob", "guess", OFFICE)
    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        attempt("/accounts/login/", "lena", "guess", OFFICE)
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert entry.task.call() == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["lena"]
