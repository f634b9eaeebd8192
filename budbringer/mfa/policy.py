"""Who must have a second factor: the one home of that rule."""

from __future__ import annotations

from budbringer.accounts import roles
from budbringer.accounts.models import Organisation, Person
from budbringer.mfa.models import MfaPolicy, Passkey, TotpDevice


def must_have_second_factor(person: Person | None) -> bool:
    """Admins and editors, when their organisation's admin requires it."""
    if person is None or not roles.may_edit(person):
        return False
    return MfaPolicy.objects.filter(
        organisation_id=person.organisation_id, required_for_admins_and_editors=True
    ).exists()


def has_second_factor(user) -> bool:
    """A confirmed authenticator app or at least one passkey."""
    return (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def policy_of(organisation: Organisation) -> MfaPolicy:
    return MfaPolicy.objects.get_or_create(organisation=organisation)[0]


def set_required(organisation: Organisation, required: bool) -> MfaPolicy:
    """The admin's choice. People already signed in are asked at their next sign-in."""
    policy = policy_of(organisation)
    policy.required_for_admins_and_editors = required
    policy.save(update_fields=["required_for_admins_and_editors", "updated_at"])
    return policy
