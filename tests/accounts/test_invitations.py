"""Invitations: an e-mail through a real SMTP server and the worker, in the person's
language, with a link that sets a password and signs in once, expires, and gives a page
that says what to do when it no longer works; one reminder at most."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from budbringer.accounts import invitations
from budbringer.accounts.models import Invitation, Person
from budbringer.accounts.provisioning import (
    PersonDetails,
    ProvisioningError,
    deactivate_person,
    provision_person,
)
from budbringer.core.schedule import SCHEDULE
from tests.smtp import smtp_fixture, smtp_server_fixture  # noqa: F401

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
NEW = "a new fjord in the morning"


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def link_in(message, settings) -> str:
    text = message.part("text/plain")
    found = re.search(
        re.escape(settings.BASE_URL) + r"(/accounts/invitation/[^/\s]+/[^/\s]+/)", text
    )
    assert found, text
    assert found[0] in message.part("text/html")
    return found[1]


def accept(link: str, password: str = NEW, client=None):
    client = client or Client()
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    form = client.get(opened["Location"])
    assert form.status_code == 200, form.content
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def newcomer(cast, email="nina@example.com", languages=None):
    details = PersonDetails(email, "Nina", languages=languages)
    return provision_person(cast.nordlys, details).person


# The worker closes the database connection between tasks: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_the_invitation_arrives_and_its_link_works_once(cast, smtp, settings):
    nina = newcomer(cast)
    with time_machine.travel(START, tick=False):
        invitations.invite(nina, invited_by=cast.alice)
        run_worker()
    (mail,) = smtp.received
    assert mail.envelope_to == ["nina@example.com"]
    assert mail.message["Subject"] == "Join Nordlys Systems on Budbringer"
    assert "Alice invited you" in mail.part("text/plain")
    link = link_in(mail, settings)

    client = Client()
    with time_machine.travel(START + dt.timedelta(days=1)):
        response = accept(link, client=client)
        assert response.status_code == 302
        assert response["Location"] == "/"
        # Signed in at once, and the person is active, no longer invited.
        assert client.get("/for-you/").status_code == 200
        nina = Person.objects.get(pk=nina.pk)
        assert nina.status == "active"
        assert nina.user.check_password(NEW)
        assert Invitation.objects.get(person=nina).accepted_at is not None
        # Used: a clear page, not the form, and not an error.
        again = Client().get(link)
    assert again.status_code == 404
    assert b"You have joined already" in again.content
    assert b'href="/accounts/login/"' in again.content


@pytest.mark.django_db(transaction=True)
def test_the_invitation_is_in_the_persons_language(cast, smtp):
    nina = newcomer(cast, languages=["sv", "en"])
    assert nina.interface_language == "sv"
    invitations.invite(nina)
    run_worker()
    (mail,) = smtp.received
    # Until the lead translates the new strings, Swedish falls back to English words,
    # but the message is composed under Swedish: the HTML says so.
    assert 'lang="sv"' in mail.part("text/html")


@pytest.mark.django_db(transaction=True)
def test_the_link_expires(cast, smtp, settings):
    nina = newcomer(cast)
    with time_machine.travel(START, tick=False):
        invitations.invite(nina)
        run_worker()
    link = link_in(smtp.received[0], settings)
    with time_machine.travel(START + dt.timedelta(days=settings.INVITATION_DAYS, hours=1)):
        response = accept(link)
    assert response.status_code == 404
    assert b"this one is older" in response.content
    assert b"Ask an admin of your organisation to send you a new invitation" in response.content
    assert not Person.objects.get(pk=nina.pk).user.has_usable_password()


@pytest.mark.django_db(transaction=True)
def test_a_forged_or_cut_link_says_what_to_do(cast, smtp, settings):
    nina = newcomer(cast)
    invitations.invite(nina)
    run_worker()
    link = link_in(smtp.received[0], settings)
    for broken in (
        link[:-3] + "/",
        "/accounts/invitation/MQ/nonsense/",
        "/accounts/invitation/@@/x-y/",
    ):
        response = Client().get(broken)
        assert response.status_code == 404, broken
        assert b"The link is not complete" in response.content, broken
    # The password page without having opened a link first.
    response = Client().get(link.rsplit("/", 2)[0] + "/")
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_password_validators_apply(cast, smtp, settings):
    nina = newcomer(cast)
    invitations.invite(nina)
    run_worker()
    link = link_in(smtp.received[0], settings)
    response = accept(link, password="123")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Person.objects.get(pk=nina.pk).user.has_usable_password()


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_person_cannot_use_their_link(cast, smtp, settings):
    nina = newcomer(cast)
    invitations.invite(nina)
    run_worker()
    link = link_in(smtp.received[0], settings)
    deactivate_person(nina)
    response = accept(link)
    assert response.status_code == 404
    assert b"deactivated" in response.content
    with pytest.raises(ProvisioningError):
        invitations.invite(Person.objects.get(pk=nina.pk))


@pytest.mark.django_db(transaction=True)
def test_one_reminder_at_most_and_only_to_people_still_invited(cast, smtp, settings):
    nina = newcomer(cast)
    olle = newcomer(cast, "olle@example.com")
    with time_machine.travel(START, tick=False):
        invitations.invite(nina)
        invitations.invite(olle)
        run_worker()
    assert len(smtp.received) == 2
    olle.user.last_login = START + dt.timedelta(days=1)  # came in by single sign-on
    olle.user.save()
    early = START + dt.timedelta(days=settings.INVITATION_REMINDER_DAYS - 1)
    assert invitations.send_reminders(early) == 0
    due = START + dt.timedelta(days=settings.INVITATION_REMINDER_DAYS, minutes=1)
    with time_machine.travel(due, tick=False):
        assert invitations.send_reminders(due) == 1
        assert invitations.send_reminders(due + dt.timedelta(days=1)) == 0
    assert len(smtp.received) == 3
    reminder = smtp.received[2]
    assert reminder.envelope_to == ["nina@example.com"]
    assert reminder.message["Subject"] == "Reminder: join Nordlys Systems on Budbringer"
    # The reminder's link works like the first.
    with time_machine.travel(due + dt.timedelta(hours=1)):
        assert accept(link_in(reminder, settings)).status_code == 302


def test_the_reminders_are_scheduled():
    assert "accounts.send_invitation_reminders" in {entry.name for entry in SCHEDULE}


def test_people_who_signed_in_need_no_invitation(cast):
    with pytest.raises(ProvisioningError, match="signed in already"):
        cast.bob.user.last_login = START
        invitations.invite(cast.bob)


def test_sso_organisations_get_the_company_sign_in(cast, monkeypatch, client):
    nina = newcomer(cast)
    monkeypatch.setattr(
        "budbringer.accounts.views.start_url_for", lambda organisation: "/sso/start/nordlys"
    )
    link = invitations.invitation_link(nina).removeprefix("http://127.0.0.1:8000")
    response = client.get(link)
    assert response.status_code == 200
    assert b"Sign in with your company account" in response.content
    assert b'href="/sso/start/nordlys"' in response.content
