"""From a checked assertion to the person it signs in: replay refused, then the shared
just-in-time provisioning (``sso.mapping``). Every refusal is a SignInRefused with a
message for the person and a reason code for the log."""

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from budbringer.accounts.models import Organisation, Person
from budbringer.sso.mapping import SignInRefused, person_signing_in
from budbringer.sso.models import SamlConnection, SeenAssertion
from budbringer.sso.saml.protocol import Assertion, replay_record_until

log = logging.getLogger(__name__)


class AssertionRefused(SignInRefused):
    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def saml_start_url(organisation: Organisation) -> str | None:
    """Where the sign-in page sends a person of this organisation, or None without an
    enabled SAML connection (sso.discovery asks)."""
    enabled = SamlConnection.objects.filter(organisation=organisation, enabled=True).exists()
    return reverse("saml_login", args=[organisation.slug]) if enabled else None


def person_for_assertion(connection: SamlConnection, assertion: Assertion) -> Person:
    """The person the assertion vouches for; the assertion is used up whatever follows,
    so a copy of it can never sign anyone in."""
    email = (
        _first(assertion.attributes, connection.email_attribute)
        if connection.email_attribute
        else assertion.name_id
    )
    name = _first(assertion.attributes, connection.name_attribute) or ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                SeenAssertion.objects.create(
                    connection=connection,
                    assertion_id=assertion.assertion_id,
                    keep_until=replay_record_until(assertion),
                )
        except IntegrityError:
            raise AssertionRefused(
                _("This sign-in was already used. Start again from the sign-in page."), "replayed"
            ) from None
    if not email:
        raise AssertionRefused(
            _("Your identity provider did not send your e-mail address."), "no_email"
        )
    return person_signing_in(
        connection.organisation, connection, email, name.strip(), assertion.attributes
    )


def _first(attributes: dict[str, list[str]], name: str) -> str:
    values = attributes.get(name) or []
    return values[0] if values else ""
