"""Inviting people: the one home of the invitation e-mail, its link and its reminder.

1. ``invite(person, invited_by=...)`` records the invitation (one per person; sending it
   again moves ``sent_at``) and queues ``accounts.tasks.send_invitation`` for the worker,
   which mails it through the project's mail path (digests.mail.MailSender), in the
   person's interface language.
2. The link carries a token of ``InvitationTokenGenerator``: Django's password-reset
   token with its own salt and BUDBRINGER_INVITATION_DAYS as its lifetime. It hashes the
   password and the last sign-in, so it works once: setting the password (which signs the
   person in) makes it void, and so does signing in any other way.
3. Where the organisation signs in with single sign-on (``sso.discovery.start_url_for``),
   the link's page sends the person there instead of asking for a password.
4. ``send_reminders(now)``, a periodic task: one reminder, BUDBRINGER_INVITATION_REMINDER_DAYS
   after the invitation, to people still invited; claimed by a conditional update, so two
   workers cannot both send it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from budbringer.accounts.models import Invitation, Person
from budbringer.accounts.provisioning import ProvisioningError
from budbringer.digests.mail import MailSender
from budbringer.digests.outcomes import Outcome
from budbringer.sso.discovery import start_url_for

log = logging.getLogger(__name__)

_ADDRESS = re.compile(r"\S+@\S+")


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token (password hash, last sign-in, e-mail) under its own salt, so a
    reset link is no invitation and the other way round, and with its own lifetime."""

    key_salt = "budbringer.accounts.invitations.InvitationTokenGenerator"

    def state(self, user, token: str) -> str:
        """ "valid", "expired" (genuine but too old) or "invalid" (used, or never ours)."""
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return "invalid"
        genuine = any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        if not genuine:
            return "invalid"
        age = self._num_seconds(self._now()) - ts
        return "valid" if age <= settings.INVITATION_DAYS * 86400 else "expired"

    def check_token(self, user, token) -> bool:
        return bool(user and token) and self.state(user, token) == "valid"


invitation_tokens = InvitationTokenGenerator()


def invite(person: Person, *, invited_by: Person | None = None) -> Invitation:
    """Record an invitation (or a new sending of it) and queue its e-mail.

    Refused for people who are deactivated or have signed in already: they need no link.
    """
    from budbringer.accounts import tasks  # tasks import this module: the worker's entry

    if not person.user.is_active:
        raise ProvisioningError(
            _("%(name)s is deactivated: reactivate them first.") % {"name": person.name}
        )
    if person.user.last_login is not None:
        raise ProvisioningError(
            _("%(name)s has signed in already and needs no invitation.") % {"name": person.name}
        )
    now = timezone.now()
    with transaction.atomic():
        invitation, _created = Invitation.objects.update_or_create(
            person=person, defaults={"sent_at": now, "invited_by": invited_by}
        )
        transaction.on_commit(lambda: tasks.send_invitation.enqueue(invitation.pk, False))
    return invitation


def invitation_link(person: Person) -> str:
    return settings.BASE_URL + reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.user_id)),
            "token": invitation_tokens.make_token(person.user),
        },
    )


def compose_invitation(invitation: Invitation, *, reminder: bool) -> EmailMultiAlternatives:
    """The message with a text and an HTML part, in the active language."""
    person = invitation.person
    organisation = person.organisation
    context = {
        "name": person.name,
        "organisation": organisation.name,
        "invited_by": invitation.invited_by.name if invitation.invited_by else "",
        "email": person.user.email,
        "link": invitation_link(person),
        "days": settings.INVITATION_DAYS,
        "uses_sso": start_url_for(organisation) is not None,
        "reminder": reminder,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        render_to_string("accounts/email/invitation.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [person.user.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/invitation.html", context), "text/html"
    )
    return message


def send_invitation(invitation_id: int, reminder: bool = False) -> str:
    """Mail one invitation (in the worker); the outcome, or "skipped" when the person no
    longer needs it (deactivated, or signed in since it was queued)."""
    invitation = (
        Invitation.objects.select_related("person__user", "person__organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not _still_invited(invitation.person):
        return "skipped"
    with MailSender() as sender:
        with translation.override(invitation.person.interface_language):
            message = compose_invitation(invitation, reminder=reminder)
        result = sender.send(message)
    kind = "reminder" if reminder else "invitation"
    if result.outcome is Outcome.SENT:
        log.info("Sent the %s of person %s", kind, invitation.person_id)
    else:
        log.warning(
            "The %s of person %s was not sent (%s): %s",
            kind,
            invitation.person_id,
            result.outcome.value,
            _ADDRESS.sub("<address>", result.detail),
        )
    return result.outcome.value


def _still_invited(person: Person) -> bool:
    return person.user.is_active and person.user.last_login is None


def send_reminders(now: dt.datetime) -> int:
    """Remind, once, everyone invited at least BUDBRINGER_INVITATION_REMINDER_DAYS ago
    whose link still works and who has not come in yet; returns how many were sent."""
    due = Invitation.objects.filter(
        accepted_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__lte=now - dt.timedelta(days=settings.INVITATION_REMINDER_DAYS),
        sent_at__gt=now - dt.timedelta(days=settings.INVITATION_DAYS),
        person__user__is_active=True,
        person__user__last_login__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for invitation_id in list(due):
        # The claim: only the pass that sets reminded_at sends the reminder.
        claimed = Invitation.objects.filter(pk=invitation_id, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if claimed and send_invitation(invitation_id, reminder=True) == Outcome.SENT.value:
            sent += 1
    return sent


def accept(person: Person) -> None:
    """Mark the invitation accepted (the person set a password through its link)."""
    Invitation.objects.filter(person=person, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
