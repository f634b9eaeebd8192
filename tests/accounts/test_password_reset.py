"""Forgotten passwords: a link by e-mail (through a real SMTP server and the worker) that
sets a new password once, expires, says nothing about which addresses have accounts,
and is throttled per e-mail address and per client address."""

import datetime as dt
import logging
import re
import threading

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from budbringer.accounts.passwords import claim_reset_request, send_reset_mails
from tests.conftest import PASSWORD
from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401

NEW = "a new fjord in the morning"
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def ask(email: str, address: str = "198.51.100.10", client=None, **headers):
    client = client or Client()
    return client.post(
        "/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address, **headers
    )


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def link_in(message, settings) -> str:
    text = message.part("text/plain")
    found = re.search(re.escape(settings.BASE_URL) + r"(/accounts/reset/[^/\s]+/[^/\s]+/)", text)
    assert found, text
    assert found[0] in message.part("text/html")
    return found[1]


def set_password(link: str, password: str = NEW, client=None):
    """Follow the link as a browser does, then send the new password twice."""
    client = client or Client()
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    form = client.get(opened["Location"])
    assert form.status_code == 200
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def password_is(user_pk: int, password: str) -> bool:
    return User.objects.get(pk=user_pk).check_password(password)


def test_the_sign_in_pages_link_to_it(db, client):
    assert b'href="/accounts/password_reset/"' in client.get("/accounts/login/").content
    admin = client.get("/admin/login/")
    assert b'href="/admin/password_reset/"' in admin.content
    assert client.get("/admin/password_reset/")["Location"] == "/accounts/password_reset/"
    assert client.get("/accounts/password_reset/").status_code == 200


# The worker closes the database connection between tasks: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_the_link_arrives_and_sets_a_new_password_once(cast, smtp, settings):
    response = ask("Bob@Example.com")  # as people type it
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    run_worker()

    (mail,) = smtp.received
    assert mail.envelope_to == ["bob@example.com"]
    assert mail.message["From"] == settings.DEFAULT_FROM_EMAIL
    assert mail.message["Subject"] == "Set a new Budbringer password"
    text = mail.part("text/plain")
    assert "Hello Bob," in text
    assert "Your username is bob." in text
    assert "works once, for 60 minutes" in text
    assert "Set a new password" in mail.part("text/html")
    link = link_in(mail, settings)

    done = set_password(link)
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    assert password_is(cast.bob.user.pk, NEW)
    signed_in = Client().post("/accounts/login/", {"username": "bob", "password": NEW})
    assert signed_in.status_code == 302

    again = set_password(link, "yet another password of mine")
    assert again.status_code == 404
    assert b"This link no longer works" in again.content
    assert password_is(cast.bob.user.pk, NEW)


@pytest.mark.django_db(transaction=True)
def test_no_account_or_an_inactive_one_gets_the_same_answer_and_no_mail(cast, smtp):
    User.objects.filter(pk=cast.lena.user.pk).update(is_active=False)
    answers = [
        ask(email) for email in ("bob@example.com", "nobody@example.com", "lena@example.com")
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/accounts/password_reset/done/")
    }
    done = Client().get("/accounts/password_reset/done/")
    assert b"If an account has this address" in done.content
    run_worker()
    assert [mail.envelope_to for mail in smtp.received] == [["bob@example.com"]]


def test_a_link_expires_after_an_hour(cast, smtp, settings):
    with time_machine.travel(START, tick=False) as clock:
        assert send_reset_mails("bob@example.com", "en") == ["sent"]
        link = link_in(smtp.received[0], settings)
        clock.shift(dt.timedelta(minutes=59))
        browser = Client()
        assert browser.get(link).status_code == 302  # still good: into the session
        clock.shift(dt.timedelta(minutes=2))
        late = browser.post(
            "/accounts/reset/" + link.split("/")[3] + "/set-password/",
            {"new_password1": NEW, "new_password2": NEW},
        )
        assert late.status_code == 404
        assert set_password(link).status_code == 404
    assert password_is(cast.bob.user.pk, PASSWORD)


def test_the_link_lifetime_is_a_setting(cast, smtp, settings):
    settings.PASSWORD_RESET_TIMEOUT = 10 * 60
    with time_machine.travel(START, tick=False) as clock:
        send_reset_mails("bob@example.com", "en")
        assert "works once, for 10 minutes" in smtp.received[0].part("text/plain")
        link = link_in(smtp.received[0], settings)
        clock.shift(dt.timedelta(minutes=11))
        assert set_password(link).status_code == 404


def test_signing_in_after_the_mail_voids_the_link(cast, smtp, settings):
    send_reset_mails("bob@example.com", "en")
    link = link_in(smtp.received[0], settings)
    Client().post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert set_password(link).status_code == 404


def test_the_mail_speaks_the_persons_language(cast, smtp):
    cast.bob.interface_language = "sv"
    cast.bob.save()
    send_reset_mails("bob@example.com", "en")
    (mail,) = smtp.received
    with translation.override("sv"):
        subject = translation.gettext("Set a new Budbringer password")
    assert mail.message["Subject"] == subject
    assert '<html lang="sv"' in mail.part("text/html")


def test_a_login_without_a_person_gets_the_language_it_asked_in(db, smtp, client):
    User.objects.create_user("olga", "olga@example.com", PASSWORD)
    ask("olga@example.com", client=client, HTTP_ACCEPT_LANGUAGE="nb")
    task = DBTaskResult.objects.get(task_path="budbringer.accounts.tasks.send_password_reset")
    assert task.args_kwargs["args"] == ["olga@example.com", "nb"]
    send_reset_mails(*task.args_kwargs["args"])
    assert '<html lang="nb"' in smtp.received[0].part("text/html")


def test_a_mail_server_that_is_down_is_one_log_line_not_an_error(cast, settings, caplog):
    from tests.smtp import unused_port, use_smtp

    use_smtp(settings, port=unused_port())
    with caplog.at_level(logging.INFO):
        assert send_reset_mails("bob@example.com", "en") == ["temporary"]
    (line,) = [r.getMessage() for r in caplog.records if r.name == "budbringer.accounts.passwords"]
    assert line.startswith(
        f"Password reset link to account {cast.bob.user.pk} not sent (temporary)"
    )
    assert "bob@example.com" not in caplog.text


def queued() -> int:
    return DBTaskResult.objects.filter(
        task_path="budbringer.accounts.tasks.send_password_reset"
    ).count()


def test_three_links_an_hour_for_one_address_whatever_the_client(cast):
    with time_machine.travel(START, tick=False) as clock:
        for n in range(3):
            assert ask("bob@example.com", f"198.51.100.{n + 1}").status_code == 302
        refused = ask("BOB@example.com", "192.0.2.50")
        assert refused.status_code == 429
        assert b"Too many links have been asked for" in refused.content
        assert b"bob@example.com" in refused.content.lower()  # the form keeps what was typed
        assert ask("alice@example.com", "192.0.2.50").status_code == 302  # others are fine
        clock.shift(dt.timedelta(hours=1))
        assert ask("bob@example.com", "192.0.2.50").status_code == 302
    assert queued() == 5


def test_ten_links_an_hour_from_one_client_address(cast):
    for n in range(10):
        assert ask(f"someone{n}@example.com", "203.0.113.66").status_code == 302
    assert ask("bob@example.com", "203.0.113.66").status_code == 429
    assert queued() == 10
    # Refused by the client address, so bob's own count was not touched.
    for n in range(3):
        assert ask("bob@example.com", f"198.51.100.{n + 1}").status_code == 302


def test_the_limits_are_settings(cast, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    assert ask("bob@example.com", "198.51.100.1").status_code == 302
    assert ask("bob@example.com", "198.51.100.2").status_code == 429
    assert ask("lena@example.com", "198.51.100.1").status_code == 302
    assert ask("sara@example.com", "198.51.100.1").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_the_throttle_holds_through_the_worker_and_smtp(cast, smtp):
    answers = [ask("bob@example.com", f"198.51.100.{n + 1}").status_code for n in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    run_worker()
    assert len(smtp.messages_to("bob@example.com")) == 3


@pytest.mark.django_db(transaction=True)
def test_many_requests_at_once_never_pass_the_limit(db):
    """Web processes asking at the same moment: each claim is a conditional UPDATE (or the
    one INSERT a unique key lets through), so exactly the limit gets through."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("threads cannot share SQLite's in-memory test database; see PostgreSQL")
    now = dt.datetime.now(dt.UTC)
    start = threading.Barrier(8)
    passed = []

    def web_process(n: int):
        try:
            start.wait()
            passed.append(claim_reset_request("bob@example.com", f"198.51.100.{n}", now))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=web_process, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(passed) == [False] * 5 + [True] * 3


def test_bad_input_gives_a_form_error(db, client):
    response = client.post("/accounts/password_reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert queued() == 0


def test_a_new_password_from_a_link_ends_the_lock_on_the_account(cast, smtp, settings):
    for n in range(5):
        Client().post(
            "/accounts/login/",
            {"username": "bob", "password": f"guess {n}"},
            REMOTE_ADDR="203.0.113.66",
        )
    office = {"REMOTE_ADDR": "198.51.100.10"}
    locked = Client().post("/accounts/login/", {"username": "bob", "password": PASSWORD}, **office)
    assert locked.status_code == 429
    assert b'href="/accounts/password_reset/"' in locked.content
    assert b"With the new password you can sign in at once." in locked.content

    send_reset_mails("bob@example.com", "en")
    assert set_password(link_in(smtp.received[0], settings)).status_code == 302
    signed_in = Client().post("/accounts/login/", {"username": "bob", "password": NEW}, **office)
    assert signed_in.status_code == 302


def test_counts_of_ended_hours_are_pruned_and_hold_no_address(cast):
    from budbringer.accounts.models import PasswordResetThrottle
    from budbringer.accounts.tasks import prune_throttles

    with time_machine.travel(START, tick=False):
        ask("bob@example.com", "198.51.100.1")
    with time_machine.travel(START + dt.timedelta(minutes=30), tick=False):
        ask("lena@example.com", "198.51.100.2")
    stored = " ".join(f"{row.key} {row}" for row in PasswordResetThrottle.objects.all())
    for secret in ("bob", "lena", "example.com", "198.51.100"):
        assert secret not in stored
    with time_machine.travel(START + dt.timedelta(minutes=61), tick=False):
        assert prune_throttles.call() == 2  # bob's e-mail and client address
    assert PasswordResetThrottle.objects.count() == 2
