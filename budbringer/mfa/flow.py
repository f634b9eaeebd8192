"""The second step of a password sign-in.

1. ``password_verified`` is what the password step calls on success. A login without a
   second factor is signed in at once. One with a factor is not: the session remembers
   who is pending (for PENDING_SECONDS), and the person goes to /accounts/login/verify/.
2. There, a code of their authenticator app, one of their recovery codes, or one of
   their passkeys finishes the sign-in (Django's ``login``, which also gives the session
   a new key). Each wrong code counts as a failed sign-in for django-axes (the account's
   lock, accounts/lockout.py), and WRONG_CODES_LIMIT of them end the pending sign-in.
3. An admin or editor whom the organisation requires to have a factor (``mfa.policy``)
   and who has none is signed in, but ``EnrolmentRequired`` keeps them on the security
   settings page until they have set one up.

Single sign-on does not come through here: the identity provider does its own MFA.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model, login, user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from budbringer.accounts.models import Person
from budbringer.mfa import policy, recovery, totp

PENDING = "mfa_pending"
MUST_ENROL = "mfa_must_enrol"
PENDING_SECONDS = 5 * 60
WRONG_CODES_LIMIT = 5


def password_verified(request: HttpRequest, user, next_url: str) -> HttpResponse:
    """The password was right: sign in, or ask for the second factor first."""
    if policy.has_second_factor(user):
        request.session[PENDING] = {
            "user_id": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": next_url,
            "wrong_codes": 0,
        }
        return redirect("mfa_verify")
    login(request, user)
    if policy.must_have_second_factor(Person.objects.filter(user=user).first()):
        request.session[MUST_ENROL] = True
        return redirect("security_settings")
    return redirect(next_url)


def pending_user(request: HttpRequest):
    """Whose sign-in waits for a second factor, or None (none, or it took too long)."""
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if time.time() - pending["since"] > PENDING_SECONDS:
        del request.session[PENDING]
        return None
    return get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()


def finish(request: HttpRequest, user) -> str:
    """Sign in the pending person; the address to go on to."""
    pending = request.session.pop(PENDING)
    login(request, user, backend=pending["backend"])
    return pending["next"]


@dataclass
class CodeOutcome:
    accepted: bool
    ended: bool = False  # too many wrong codes: back to the password
    used_recovery_code: bool = False


def code_entered(request: HttpRequest, user, code: str) -> CodeOutcome:
    """An authenticator code or a recovery code typed on the verify page."""
    device = totp.confirmed_device(user)
    if device is not None and totp.check_code(device, code):
        return CodeOutcome(accepted=True)
    if recovery.use(user, code):
        return CodeOutcome(accepted=True, used_recovery_code=True)
    return wrong_factor(request, user)


def wrong_factor(request: HttpRequest, user) -> CodeOutcome:
    """Count a wrong code or refused passkey, for axes and for this pending sign-in."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    pending = request.session.get(PENDING)
    if pending is None:
        return CodeOutcome(accepted=False, ended=True)
    pending["wrong_codes"] += 1
    if pending["wrong_codes"] >= WRONG_CODES_LIMIT:
        del request.session[PENDING]
        return CodeOutcome(accepted=False, ended=True)
    request.session[PENDING] = pending
    return CodeOutcome(accepted=False)


def enrolled(request: HttpRequest) -> None:
    """The person has a factor now: the rest of the app opens."""
    request.session.pop(MUST_ENROL, None)


class EnrolmentRequired:
    """Keeps a person whom the policy requires to set up a second factor on the security
    settings page (and what it needs) until they have one."""

    ALLOWED_PREFIXES = ("/settings/security/", "/accounts/logout/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(MUST_ENROL) and not request.path.startswith(self.ALLOWED_PREFIXES):
            if policy.has_second_factor(request.user):
                enrolled(request)
            else:
                return redirect(reverse("security_settings"))
        return self.get_response(request)
