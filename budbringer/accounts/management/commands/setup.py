"""`budbringer setup`: a new organisation and its first admin, from nothing.

In a terminal it asks for what it was not given (each question shows its default and is
asked again after a bad answer); with ``--no-input`` (or without a terminal) it takes
flags and the environment only. Never a password on the command line: it comes from
``BUDBRINGER_ADMIN_PASSWORD``, ``--password-file`` or the terminal. Everything is checked
before anything is saved, and saved in one transaction.
"""

import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from budbringer.accounts import organisation as organisations
from budbringer.accounts.models import DigestCadence
from budbringer.accounts.organisation import OrganisationError
from budbringer.accounts.provisioning import (
    DEFAULT_LANGUAGES,
    DEFAULT_TIME_ZONE,
    PersonDetails,
    ProvisioningError,
    normalise_email,
    provision_person,
)
from budbringer.accounts.roles import Role
from budbringer.lib.names import one_line, validate_one_line

PASSWORD_VARIABLE = "BUDBRINGER_ADMIN_PASSWORD"  # noqa: S105 (a name, not a password)
NO_DOMAINS = "-"


@dataclass
class Answers:
    organisation: str
    slug: str
    email: str
    name: str
    languages: list[str]
    time_zone: str
    domains: list[str]
    password: str


def check_email_free(email: str) -> str:
    email = normalise_email(email)
    User = get_user_model()
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise ProvisioningError(_("%(email)s already has a login here.") % {"email": email})
    return email


def check_name(name: str) -> str:
    try:
        validate_one_line(name or "")
    except ValidationError as error:
        raise ProvisioningError(" ".join(error.messages)) from None
    name = one_line(name or "")
    if not name:
        raise ProvisioningError(_("Give the admin's name."))
    return name


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def check_domains(domains: list[str]) -> list[str]:
    checked: list[str] = []
    for domain in domains:
        domain = organisations.normalise_domain(domain)
        organisations.check_domain_free(None, domain)
        if domain not in checked:
            checked.append(domain)
    return checked


class Command(BaseCommand):
    help = "Create an organisation and its first admin (asks in a terminal, or takes flags)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # No abbreviations: `--password SECRET` must not pass for `--password-file`.
        parser.allow_abbrev = False
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="The organisation's name")
        parser.add_argument("--slug", help="Its short name in addresses (default: from the name)")
        parser.add_argument("--email", help="The first admin's e-mail address (their login)")
        parser.add_argument("--name", help="The first admin's name")
        parser.add_argument(
            "--languages",
            help="Content languages for new people, comma-separated (default: en)",
        )
        parser.add_argument(
            "--time-zone", dest="time_zone", help=f"Time zone (default: {DEFAULT_TIME_ZONE})"
        )
        parser.add_argument(
            "--domain",
            dest="domains",
            action="append",
            help="An e-mail domain of the organisation (repeat for more)",
        )
        parser.add_argument(
            "--password-file",
            dest="password_file",
            type=Path,
            help=f"A file holding the admin's password (or set {PASSWORD_VARIABLE})",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            dest="interactive",
            action="store_false",
            help="Ask nothing: take flags and the environment only",
        )

    def handle(self, *args, interactive, **options):
        interactive = interactive and sys.stdin.isatty()
        try:
            answers = self._ask(options) if interactive else self._take(options)
        except EOFError:
            raise CommandError(_("Stopped before the end; nothing was saved.")) from None
        try:
            organisation, person = self._create(answers)
        except (OrganisationError, ProvisioningError) as error:
            raise CommandError(_("%(error)s Nothing was saved.") % {"error": error}) from None
        base = settings.BASE_URL
        self.stdout.write(
            _(
                "%(organisation)s (%(slug)s) is ready, with %(name)s <%(email)s> as its admin.\n"
                "\n"
                "Sign in at %(login)s with that e-mail address and password.\n"
                "Then follow the checklist at %(start)s: languages and time zone, e-mail\n"
                "domains, sign-in method, first sources and lists, people, digest defaults."
            )
            % {
                "organisation": organisation.name,
                "slug": organisation.slug,
                "name": person.name,
                "email": person.user.email,
                "login": f"{base}/accounts/login/",
                "start": f"{base}/start/",
            }
        )

    @transaction.atomic
    def _create(self, answers: Answers):
        organisation = organisations.create_organisation(
            answers.organisation,
            answers.slug,
            languages=answers.languages,
            time_zone=answers.time_zone,
            digest_cadence=DigestCadence.WEEKLY,
            domains=answers.domains,
        )
        person = provision_person(
            organisation,
            PersonDetails(
                email=answers.email,
                name=answers.name,
                role=Role.ADMIN,
                languages=answers.languages,
                time_zone=answers.time_zone,
            ),
        ).person
        user = person.user
        user.set_password(answers.password)
        user.is_staff = True  # organisation admins manage their content in the Django admin
        user.save(update_fields=["password", "is_staff"])
        return organisation, person

    # Without a terminal: flags and the environment, all checked before anything is saved.

    def _take(self, options) -> Answers:
        missing = [flag for flag in ("organisation", "email") if not options[flag]]
        if missing:
            raise CommandError(
                _("Give %(flags)s (or run in a terminal to be asked).")
                % {"flags": " and ".join(f"--{flag}" for flag in missing)}
            )
        try:
            name = organisations.check_name(options["organisation"])
            slug = organisations.check_slug(options["slug"] or organisations.slug_for(name))
            email = check_email_free(options["email"])
            answers = Answers(
                organisation=name,
                slug=slug,
                email=email,
                name=check_name(options["name"] or email.split("@")[0]),
                languages=organisations.check_languages(
                    split_list(options["languages"] or ",".join(DEFAULT_LANGUAGES))
                ),
                time_zone=organisations.check_time_zone(options["time_zone"] or DEFAULT_TIME_ZONE),
                domains=check_domains(options["domains"] or []),
                password="",
            )
        except (OrganisationError, ProvisioningError) as error:
            raise CommandError(_("%(error)s Nothing was saved.") % {"error": error}) from None
        answers.password = self._password_given(options, email, answers.name)
        if answers.password is None:
            raise CommandError(
                _("Set %(variable)s or give --password-file (or run in a terminal to be asked).")
                % {"variable": PASSWORD_VARIABLE}
            )
        return answers

    def _password_given(self, options, email: str, name: str) -> str | None:
        """The password from the file or the environment, checked; None when neither."""
        if options["password_file"] is not None:
            try:
                password = options["password_file"].read_text(encoding="utf-8")
            except (OSError, UnicodeError) as error:
                raise CommandError(
                    _("Cannot read the password file: %(error)s") % {"error": error}
                ) from None
            password = password.rstrip("\r\n")
        else:
            password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            return None
        try:
            self._check_password(password, email, name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password

    def _check_password(self, password: str, email: str, name: str) -> None:
        User = get_user_model()
        validate_password(password, User(username=email, email=email, first_name=name))

    # In a terminal: ask for what the flags did not give, again after a bad answer.

    def _ask(self, options) -> Answers:
        self.stdout.write(
            _("Setting up a new organisation. Press Enter to take the value in [brackets].")
        )
        name = self._question(
            _("Organisation name"), options["organisation"], organisations.check_name
        )
        slug = self._question(
            _("Slug (its short name in addresses)"),
            options["slug"] or organisations.slug_for(name),
            organisations.check_slug,
        )
        email = self._question(_("Your e-mail address"), options["email"], check_email_free)
        person_name = self._question(
            _("Your name"), options["name"] or email.split("@")[0], check_name
        )
        password = self._password_given(options, email, person_name) or self._ask_password(
            email, person_name
        )
        languages = self._question(
            _("Content languages, comma-separated"),
            options["languages"] or ",".join(DEFAULT_LANGUAGES),
            lambda value: organisations.check_languages(split_list(value)),
        )
        time_zone = self._question(
            _("Time zone"), options["time_zone"] or DEFAULT_TIME_ZONE, organisations.check_time_zone
        )
        self.stdout.write(
            _("E-mail domains: addresses at these belong to the organisation (- for none).")
        )
        domains = self._question(
            _("E-mail domains, comma-separated"),
            ",".join(options["domains"] or [email.split("@")[1]]),
            lambda value: [] if value == NO_DOMAINS else check_domains(split_list(value)),
        )
        return Answers(name, slug, email, person_name, languages, time_zone, domains, password)

    def _question(self, label: str, default: str | None, check: Callable):
        prompt = f"{label} [{default}]: " if default else f"{label}: "
        while True:
            self.stdout.flush()
            answer = input(prompt).strip() or (default or "")
            try:
                return check(answer)
            except (OrganisationError, ProvisioningError) as error:
                self.stderr.write(str(error))

    def _ask_password(self, email: str, name: str) -> str:
        while True:
            first = getpass.getpass(_("Password: "))
            if first != getpass.getpass(_("Password (again): ")):
                self.stderr.write(_("The passwords differ. Again:"))
                continue
            try:
                self._check_password(first, email, name)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return first
