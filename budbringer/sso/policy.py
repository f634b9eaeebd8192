"""Who may still sign in with a password: the one rule the password sign-in, password
reset and password change all ask."""

from __future__ import annotations

from budbringer.accounts.models import Person
from budbringer.sso.models import SignInPolicy


def password_sign_in_allowed(user) -> bool:
    """False for people whose organisation requires single sign-on, unless they are one
    of its break-glass admins. Logins without a person (operators) keep passwords: they
    belong to no organisation's identity provider."""
    person = Person.objects.filter(user=user).only("pk", "organisation_id").first()
    if person is None:
        return True
    policy = SignInPolicy.objects.filter(organisation_id=person.organisation_id).first()
    if policy is None or not policy.require_sso:
        return True
    return policy.break_glass.filter(pk=person.pk).exists()
