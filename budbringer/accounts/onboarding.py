"""The onboarding checklist of a new organisation: what is done and what is next.

Derived from the data every time, never stored: a step is done when the organisation
has what the step asks for, however it got there (this page, the Django admin, an
import, SCIM). One small function per step; ``STEPS`` is their order on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from budbringer.accounts.models import EmailDomain, Organisation, Person
from budbringer.accounts.roles import may_administer
from budbringer.sources.models import Source, SourceList
from budbringer.sso.models import OidcConnection, SamlConnection


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    explanation: str  # one line: why this step matters
    links: list[tuple[str, str]]  # (label, path) of the pages where it is done
    done: bool
    # What is left to do even when the step is done (a connection saved but still off).
    note: str = ""


def defaults_step(organisation: Organisation) -> Step:
    return Step(
        "defaults",
        _("Languages and time zone"),
        _("What new people read and when their digests go out, until they choose themselves."),
        [(_("Organisation settings"), reverse("organisation_settings") + "#defaults")],
        bool(organisation.languages) and bool(organisation.time_zone),
    )


def domains_step(organisation: Organisation) -> Step:
    return Step(
        "domains",
        _("E-mail domains"),
        _("The domains of your work addresses: single sign-on and provisioning accept only these."),
        [(_("Add a domain"), reverse("organisation_settings") + "#domains")],
        EmailDomain.objects.filter(organisation=organisation).exists(),
    )


def sign_in_step(organisation: Organisation) -> Step:
    """Passwords always work; the step is done once sign-in is in use beyond the first
    admin: more than one person has a password, or a single sign-on connection is enabled.
    A connection saved but off, with none on, is noted as what is left."""
    with_password = (
        Person.objects.in_organisation(organisation)
        .active()
        # Django marks an unusable password with a leading "!".
        .exclude(user__password__startswith="!")  # noqa: S106
        .count()
    )
    # Whether each kind of connection is saved, and on: one query per kind.
    saved = {
        model: set(
            model.objects.filter(organisation=organisation).values_list("enabled", flat=True)
        )
        for model in (OidcConnection, SamlConnection)
    }
    single_sign_on = any(True in enabled for enabled in saved.values())
    note = ""
    if not single_sign_on and False in saved[OidcConnection]:
        note = _(
            "An OpenID Connect connection is saved but off: point it at your identity "
            "provider, test it and turn it on."
        )
    elif not single_sign_on and False in saved[SamlConnection]:
        note = _(
            "A SAML connection is saved but off: point it at your identity provider, test it "
            "and turn it on."
        )
    return Step(
        "sign_in",
        _("Sign-in method"),
        _(
            "Passwords work from the start. Done once a colleague has set a password, or "
            "once your company's single sign-on is connected."
        ),
        [
            (_("Single sign-on (OpenID Connect)"), reverse("sign_in_settings")),
            (_("Single sign-on (SAML)"), reverse("saml_admin")),
        ],
        with_password > 1 or single_sign_on,
        note,
    )


def content_step(organisation: Organisation) -> Step:
    return Step(
        "content",
        _("First sources and lists"),
        _("The feeds and sites Budbringer reads, grouped in lists people can follow."),
        [
            (_("Add a source"), reverse("editor_sources")),
            (_("Lists"), reverse("editor_lists")),
        ],
        Source.objects.filter(organisation=organisation).exists()
        and SourceList.objects.filter(organisation=organisation).exists(),
    )


def people_step(organisation: Organisation) -> Step:
    return Step(
        "people",
        _("People"),
        _("Invite your colleagues one by one, import them from a CSV file, or sync them by SCIM."),
        [
            (_("Invite people"), reverse("person_invite")),
            (_("Import a CSV file"), reverse("people_import")),
            (_("SCIM provisioning"), reverse("scim_tokens")),
        ],
        Person.objects.in_organisation(organisation).count() > 1,
    )


def digests_step(organisation: Organisation) -> Step:
    return Step(
        "digests",
        _("Digest defaults"),
        _("How often new people get a digest of what is worth sharing; each can change it."),
        [(_("Organisation settings"), reverse("organisation_settings") + "#defaults")],
        bool(organisation.digest_cadence),
    )


STEPS: list[Callable[[Organisation], Step]] = [
    defaults_step,
    domains_step,
    sign_in_step,
    content_step,
    people_step,
    digests_step,
]


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


def checklist(organisation: Organisation) -> Checklist:
    return Checklist([step(organisation) for step in STEPS])


def lands_on_checklist(person: Person) -> bool:
    """Whether the home page sends this person to the checklist: an admin of an
    organisation that is only starting (nobody but them yet)."""
    return (
        may_administer(person) and Person.objects.in_organisation(person.organisation).count() < 2
    )
