"""Setting a new password with a link sent by e-mail.

1. ``claim_reset_request(email, client_address)``: at most a few links an hour for one
   e-mail address and from one client address (BUDBRINGER_PASSWORD_RESET_LIMIT_PER_*),
   counted in the database with conditional updates, so every web process shares the
   counts and two at once cannot both take the last one. The counts do not depend on
   whether an account has the address, so being refused tells nothing either.
2. The view then queues ``send_reset_mails`` (accounts/tasks.py) whether or not an account
   has the address: the answer, and how long it takes, are the same either way.
3. ``send_reset_mails``, in the worker: one message for each active login with that
   address, in the person's interface language, through the project's mail path
   (digests.mail.MailSender: Django's EMAIL_BACKEND, DEFAULT_FROM_EMAIL). The link carries
   Django's token, which expires after PASSWORD_RESET_TIMEOUT and works once: it hashes
   the password and the last sign-in, so a new password (or signing in) makes it void.
4. The link's page sets the password with ``forms.NewPasswordForm``, which also forgets
   the account's wrong sign-in passwords (accounts/lockout.py): its owner proved they
   read its mail.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from budbringer.accounts.models import PasswordResetThrottle, Person
from budbringer.digests.mail import MailSender
from budbringer.digests.outcomes import Outcome
from budbringer.sso.policy import password_sign_in_allowed

log = logging.getLogger(__name__)

RESET_WINDOW = dt.timedelta(hours=1)
_ADDRESS = re.compile(r"\S+@\S+")


def link_minutes() -> int:
    """How long a reset link works, in minutes (for the pages and the mail)."""
    return settings.PASSWORD_RESET_TIMEOUT // 60


def claim_reset_request(email: str, client_address: str, now: dt.datetime | None = None) -> bool:
    """Whether one more link may be sent now for this e-mail address from this client
    address; each is counted only if the one before it had room."""
    now = now or timezone.now()
    return _claim(
        _key("address", client_address), settings.PASSWORD_RESET_LIMIT_PER_IP, now
    ) and _claim(_key("email", email.strip().lower()), settings.PASSWORD_RESET_LIMIT_PER_EMAIL, now)


def _key(kind: str, value: str) -> str:
    # Keyed with SECRET_KEY: the table holds no address, and none can be found by trying.
    digest = salted_hmac(
        "budbringer.accounts.password_reset", f"{kind}:{value}", algorithm="sha256"
    )
    return digest.hexdigest()


def _claim(key: str, limit: int, now: dt.datetime) -> bool:
    """Count one request under ``key`` in its hour, if there is room (fixed windows)."""
    rows = PasswordResetThrottle.objects.filter(key=key)
    window_open = now - RESET_WINDOW
    for _attempt in range(3):
        # 1. A window that is open and has room: count this request in it.
        if rows.filter(window_started_at__gt=window_open, requests__lt=limit).update(
            requests=F("requests") + 1
        ):
            return True
        # 2. A window that has ended: this request opens the next.
        if rows.filter(window_started_at__lte=window_open).update(
            window_started_at=now, requests=1
        ):
            return True
        # 3. An open window without room.
        if rows.filter(window_started_at__gt=window_open, requests__gte=limit).exists():
            return False
        # 4. The first request under this key.
        try:
            with transaction.atomic():
                PasswordResetThrottle.objects.create(key=key, window_started_at=now, requests=1)
            return True
        except IntegrityError:
            continue  # another process made the row just now: count in its window
    return False


def send_reset_mails(email: str, request_language: str) -> list[str]:
    """Mail a link to every active login with this address; the outcome of each."""
    accounts = [
        user
        for user in PasswordResetForm().get_users(email)  # active, case-insensitive, Django's
        if password_sign_in_allowed(user)  # who must use SSO gets no password to reset
    ]
    if not accounts:
        return []
    outcomes = []
    with MailSender() as sender:
        for user in accounts:
            person = Person.objects.filter(user=user).first()
            language = person.interface_language if person else request_language
            with translation.override(language):
                message = compose_reset_mail(user, person)
            result = sender.send(message)
            if result.outcome is Outcome.SENT:
                log.info("Password reset link sent to account %s", user.pk)
            else:
                log.warning(
                    "Password reset link to account %s not sent (%s): %s",
                    user.pk,
                    result.outcome.value,
                    _ADDRESS.sub("<address>", result.detail),  # the server may name it
                )
            outcomes.append(result.outcome.value)
    return outcomes


def compose_reset_mail(user, person: Person | None) -> EmailMultiAlternatives:
    """The message with a text and an HTML part, in the active language."""
    link = settings.BASE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "name": person.name if person else user.get_username(),
        "username": user.get_username(),
        "link": link,
        "minutes": link_minutes(),
        "sign_in_url": settings.BASE_URL + reverse("login"),
    }
    subject = render_to_string("accounts/email/password_reset_subject.txt", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        render_to_string("accounts/email/password_reset.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/password_reset.html", context), "text/html"
    )
    return message


def prune_windows(now: dt.datetime) -> int:
    """Delete the counts of hours that have ended: they hold nothing back any more."""
    deleted, _ = PasswordResetThrottle.objects.filter(
        window_started_at__lte=now - RESET_WINDOW
    ).delete()
    return deleted
