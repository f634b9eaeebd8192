"""The one home for creating an organisation and changing its settings: its name, the
defaults new people get (content languages, time zone, digest cadence) and the e-mail
domains that belong to it. ``budbringer setup`` and the organisation settings page both
come through here.
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from budbringer.accounts.models import (
    CONTENT_LANGUAGES,
    DigestCadence,
    EmailDomain,
    Organisation,
    validate_email_domain,
    validate_time_zone,
)
from budbringer.lib.names import one_line, validate_one_line


class OrganisationError(ValueError):
    """A value an organisation cannot take; the message says why, for the admin fixing it."""


def slug_for(name: str) -> str:
    """The slug ``budbringer setup`` proposes for a name."""
    return slugify(name)[:60]


def check_name(name: str) -> str:
    name = (name or "").strip()
    try:
        validate_one_line(name)
    except ValidationError as error:
        raise OrganisationError(" ".join(error.messages)) from None
    if not name:
        raise OrganisationError(_("Give the organisation a name."))
    if len(name) > 200:
        raise OrganisationError(_("A name has at most 200 characters."))
    return one_line(name)


def check_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not slug or slug != slugify(slug) or len(slug) > 60:
        raise OrganisationError(
            _("%(slug)s is not a slug (lower-case letters, digits and hyphens, like fjell-energi).")
            % {"slug": slug or "''"}
        )
    if Organisation.objects.filter(slug=slug).exists():
        raise OrganisationError(
            _("There is an organisation with the slug %(slug)s already.") % {"slug": slug}
        )
    return slug


def check_languages(languages: list[str]) -> list[str]:
    codes = []
    for code in languages:
        code = code.strip().lower()
        if code and code not in codes:
            codes.append(code)
    unknown = [code for code in codes if code not in CONTENT_LANGUAGES]
    if unknown or not codes:
        raise OrganisationError(
            _("%(codes)s is not a language we serve (use one of: %(known)s).")
            % {"codes": ", ".join(unknown) or "''", "known": ", ".join(CONTENT_LANGUAGES)}
        )
    return codes


def check_time_zone(time_zone: str) -> str:
    time_zone = (time_zone or "").strip()
    try:
        validate_time_zone(time_zone)
    except ValidationError:
        raise OrganisationError(
            _("%(zone)s is not a time zone (write it like Europe/Oslo).") % {"zone": time_zone}
        ) from None
    return time_zone


def check_digest_cadence(cadence: str) -> str:
    if cadence not in DigestCadence.values:
        raise OrganisationError(
            _("%(cadence)s is not a digest cadence (use one of: %(known)s).")
            % {"cadence": cadence, "known": ", ".join(DigestCadence.values)}
        )
    return cadence


def normalise_domain(domain: str) -> str:
    """The form we store: trimmed, lower case, without a leading ``@``, in ASCII (IDNA)."""
    domain = (domain or "").strip().lower().removeprefix("@").rstrip(".")
    with contextlib.suppress(UnicodeError):  # the validator below explains
        domain = domain.encode("idna").decode("ascii")
    try:
        validate_email_domain(domain)
    except ValidationError as error:
        raise OrganisationError(" ".join(error.messages)) from None
    if len(domain) > 253 or not all(
        label.replace("-", "").isalnum() and not label.startswith("-") and not label.endswith("-")
        for label in domain.split(".")
    ):
        raise OrganisationError(
            _("%(value)s is not an e-mail domain (write it like example.com).") % {"value": domain}
        )
    return domain


def check_domain_free(organisation: Organisation | None, domain: str) -> None:
    """Refuse a domain that is taken; never say by whom (that would tell one organisation
    who else uses Budbringer here)."""
    taken = EmailDomain.objects.filter(domain=domain)
    if organisation is not None and organisation.pk:
        if taken.filter(organisation=organisation).exists():
            raise OrganisationError(
                _("%(domain)s is one of this organisation's domains already.") % {"domain": domain}
            )
        taken = taken.exclude(organisation=organisation)
    if taken.exists():
        raise OrganisationError(
            _(
                "%(domain)s belongs to another organisation on this installation. If it is "
                "yours, ask the operator of this installation to move it."
            )
            % {"domain": domain}
        )


@transaction.atomic
def create_organisation(
    name: str,
    slug: str,
    *,
    languages: list[str],
    time_zone: str,
    digest_cadence: str = DigestCadence.WEEKLY,
    domains: list[str] = (),
) -> Organisation:
    """A new organisation with its defaults and e-mail domains; nothing saved on error."""
    organisation = Organisation(
        name=check_name(name),
        slug=check_slug(slug),
        languages=check_languages(languages),
        time_zone=check_time_zone(time_zone),
        digest_cadence=check_digest_cadence(digest_cadence),
    )
    organisation.save()
    for domain in domains:
        add_email_domain(organisation, domain)
    return organisation


@transaction.atomic
def change_organisation(
    organisation: Organisation,
    *,
    name: str,
    languages: list[str],
    time_zone: str,
    digest_cadence: str,
) -> list[str]:
    """Save the organisation's name and defaults; returns the fields that changed.

    The defaults are for people who come in from now on (invited, imported, provisioned):
    people already here keep their own choices.
    """
    wanted = {
        "name": check_name(name),
        "languages": check_languages(languages),
        "time_zone": check_time_zone(time_zone),
        "digest_cadence": check_digest_cadence(digest_cadence),
    }
    changed = [field for field, value in wanted.items() if getattr(organisation, field) != value]
    if changed:
        for field in changed:
            setattr(organisation, field, wanted[field])
        organisation.save(update_fields=changed)
    return changed


def is_own_address(organisation: Organisation, email: str) -> bool:
    """The address is of one of the organisation's registered domains: what an identity
    provider (OIDC, SAML) must vouch for, since one provider may serve many tenants."""
    domain = email.rpartition("@")[2].lower()
    return EmailDomain.objects.filter(organisation=organisation, domain=domain).exists()


def takes_address(organisation: Organisation, email: str) -> bool:
    """An organisation that lists its e-mail domains takes people of those domains only;
    one that lists none takes any address from its own admins and directory (SCIM)."""
    domains = EmailDomain.objects.filter(organisation=organisation)
    return is_own_address(organisation, email) or not domains.exists()


def add_email_domain(organisation: Organisation, domain: str) -> EmailDomain:
    domain = normalise_domain(domain)
    check_domain_free(organisation, domain)
    try:
        with transaction.atomic():
            return EmailDomain.objects.create(organisation=organisation, domain=domain)
    except IntegrityError:
        # Another request took it between the check and the insert.
        check_domain_free(organisation, domain)
        raise


def remove_email_domain(organisation: Organisation, domain_id: int) -> str | None:
    """Remove one of the organisation's domains; returns it, or None when it has no such
    domain (another organisation's id removes nothing)."""
    domain = EmailDomain.objects.filter(organisation=organisation, pk=domain_id).first()
    if domain is None:
        return None
    domain.delete()
    return domain.domain
