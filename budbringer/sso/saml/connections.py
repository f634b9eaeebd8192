"""The one home for saving an organisation's SAML connection from an admin's input."""

import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budbringer.accounts.models import Organisation
from budbringer.accounts.roles import Role
from budbringer.sso.models import SamlConnection
from budbringer.sso.saml.keys import new_key_pair
from budbringer.sso.saml.metadata import IdentityProvider, MetadataError


class ConnectionError_(ValueError):
    """The input cannot be saved; the message says why, for an admin."""


def parse_role_groups(text: str) -> dict[str, str]:
    """``group = role`` lines (as the admin form shows them) to {"group": "role"}."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        group, sep, role = line.rpartition("=")
        group, role = group.strip(), role.strip()
        if not sep or not group:
            raise ConnectionError_(_("Line %(n)d: write group = role.") % {"n": number})
        if role not in Role.values:
            raise ConnectionError_(
                _("Line %(n)d: %(role)s is not a role (%(roles)s).")
                % {"n": number, "role": role, "roles": ", ".join(Role.values)}
            )
        mapping[group] = role
    return mapping


def format_role_groups(mapping: dict[str, str]) -> str:
    return "\n".join(f"{group} = {role}" for group, role in mapping.items())


def save_connection(
    organisation: Organisation,
    provider: IdentityProvider | None,
    *,
    enabled: bool,
    email_attribute: str,
    name_attribute: str,
    department_attribute: str,
    groups_attribute: str,
    role_groups: dict[str, str],
    metadata_url: str = "",
) -> SamlConnection:
    """Create or update the organisation's connection. ``provider`` None keeps the
    provider as it is (only the mapping changes). Our key pair is made on creation."""
    connection = SamlConnection.objects.filter(organisation=organisation).first()
    if connection is None and provider is None:
        raise MetadataError(_("Paste or upload the identity provider's metadata first."))
    if provider is not None:
        taken = SamlConnection.objects.filter(idp_entity_id=provider.entity_id).exclude(
            organisation=organisation
        )
        if taken.exists():
            # Never name the other organisation.
            raise MetadataError(
                _("This identity provider is already connected to another organisation.")
            )
    if connection is None:
        key, certificate = new_key_pair(f"Budbringer {organisation.slug}")
        connection = SamlConnection(
            organisation=organisation, sp_private_key=key, sp_certificate=certificate
        )
    if provider is not None:
        connection.idp_entity_id = provider.entity_id
        connection.idp_sso_url = provider.sso_url
        connection.idp_certificates = "".join(provider.certificates)
        connection.idp_metadata_url = metadata_url
    connection.enabled = enabled
    connection.email_attribute = email_attribute.strip()
    connection.name_attribute = name_attribute.strip()
    connection.department_attribute = department_attribute.strip()
    connection.groups_attribute = groups_attribute.strip()
    connection.role_groups = json.loads(json.dumps(role_groups))
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError:  # the same entity id saved by another organisation just now
        raise MetadataError(
            _("This identity provider is already connected to another organisation.")
        ) from None
    return connection
