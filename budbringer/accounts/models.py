"""Organisations (tenants), their departments, and the people who work there."""

import datetime as dt
import functools
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from budbringer.accounts import roles
from budbringer.accounts.roles import Role
from budbringer.lib.names import validate_one_line

CONTENT_LANGUAGES = [code for code, _name in settings.LANGUAGES]


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA zones this machine knows; read once, as reading them takes about 0.3 s
    (and an import checks one per row)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


WEEKDAYS = list(range(7))  # 0 = Monday, as in datetime.weekday()
WORKDAYS = [0, 1, 2, 3, 4]


def default_send_days() -> list[int]:
    return list(WORKDAYS)


def validate_send_days(value: list) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one day."))
    if any(day not in WEEKDAYS for day in value) or len(set(value)) != len(value):
        raise ValidationError(_("Days are numbers from 0 (Monday) to 6 (Sunday), each once."))


def validate_languages(value: list) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [code for code in value if code not in CONTENT_LANGUAGES]
    if unknown:
        raise ValidationError(
            _("Unknown language: %(codes)s."), params={"codes": ", ".join(map(str, unknown))}
        )


class DigestCadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    NEVER = "never", _("Never")


class Organisation(models.Model):
    """A tenant: everything a person can see belongs to exactly one organisation."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    # What new people get until they choose themselves; empty until an admin chose
    # (the onboarding checklist reads that as "not done yet").
    languages = models.JSONField(_("content languages"), default=list, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    digest_cadence = models.CharField(
        _("digest cadence for new people"), max_length=10, choices=DigestCadence, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.languages:
            validate_languages(self.languages)


def validate_email_domain(value: str) -> None:
    if (
        value != value.strip().lower()
        or "@" in value
        or "." not in value
        or any(not label or len(label) > 63 for label in value.split("."))
        or any(ch.isspace() for ch in value)
    ):
        raise ValidationError(
            _("%(value)s is not an e-mail domain (write it like example.com)."),
            params={"value": value},
        )


class EmailDomain(models.Model):
    """A domain whose addresses belong to this organisation: the sign-in page sends a
    person with such an address to the organisation's single sign-on, and people
    provisioned by SSO or SCIM must have one. A domain belongs to one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(
        _("domain"), max_length=253, unique=True, validators=[validate_email_domain]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail domain")
        verbose_name_plural = _("e-mail domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            # Case-insensitive, as people read names (lib/names.py).
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="department_name_unique_per_organisation",
                violation_error_message=_("There is a department with this name already."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class DigestChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat (Slack or Teams)")
    BOTH = "both", _("E-mail and chat")


def validate_webhook_url(value: str) -> None:
    """A Slack or Microsoft Teams incoming-webhook address (https only)."""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(_("A webhook address starts with https://."))


class PersonQuerySet(models.QuerySet):
    def in_organisation(self, organisation: Organisation) -> "PersonQuerySet":
        return self.filter(organisation=organisation)

    def active(self) -> "PersonQuerySet":
        return self.filter(user__is_active=True)

    def inactive(self) -> "PersonQuerySet":
        return self.filter(user__is_active=False)

    def invited(self) -> "PersonQuerySet":
        """Active people who never signed in yet (invited, imported or provisioned)."""
        return self.filter(user__is_active=True, user__last_login__isnull=True)

    def signed_in(self) -> "PersonQuerySet":
        """Active people who signed in at least once."""
        return self.filter(user__is_active=True, user__last_login__isnull=False)

    def with_status(self, status: str) -> "PersonQuerySet":
        return {
            PersonStatus.INVITED: self.invited,
            PersonStatus.ACTIVE: self.signed_in,
            PersonStatus.DEACTIVATED: self.inactive,
        }[status]()


class PersonStatus(models.TextChoices):
    """Derived from the login, never stored: deactivated is ``user.is_active`` false,
    invited is a login that never signed in."""

    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Active")
    DEACTIVATED = "deactivated", _("Deactivated")


class Person(models.Model):
    """Someone who reads and shares; linked one-to-one to a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("department"),
    )
    # Whom the person reports to; a leader's team is their reports (and the department).
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.EMPLOYEE)
    # Languages this person reads, in order of preference; items in others are not suggested.
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    interface_language = models.CharField(
        _("interface language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Stockholm", validators=[validate_time_zone]
    )
    digest_cadence = models.CharField(
        _("digest cadence"), max_length=10, choices=DigestCadence, default=DigestCadence.WEEKLY
    )
    topics = models.ManyToManyField(
        "content.Topic", blank=True, related_name="followers", verbose_name=_("topics")
    )
    digest_max_items = models.PositiveSmallIntegerField(
        _("at most this many items per digest"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    digest_channel = models.CharField(
        _("send digests by"), max_length=10, choices=DigestChannel, default=DigestChannel.EMAIL
    )
    chat_webhook_url = models.URLField(
        _("chat webhook"), max_length=500, blank=True, validators=[validate_webhook_url]
    )
    # A permanent delivery failure (the mail server refused the address): no more e-mail
    # until the address is changed or an admin clears it.
    email_failed_at = models.DateTimeField(_("e-mail failed at"), null=True, blank=True)
    email_failure = models.CharField(_("e-mail failure"), max_length=500, blank=True)
    chat_failed_at = models.DateTimeField(_("chat failed at"), null=True, blank=True)
    chat_failure = models.CharField(_("chat failure"), max_length=500, blank=True)
    # When Budbringer may reach the person (the timing app plans every send inside these).
    send_days = models.JSONField(
        _("days to receive digests"), default=default_send_days, validators=[validate_send_days]
    )
    # Night by default: nobody should be woken by a digest; the person can change or clear it.
    quiet_from = models.TimeField(
        _("quiet hours from"), null=True, blank=True, default=dt.time(22, 0)
    )
    quiet_until = models.TimeField(
        _("quiet hours until"), null=True, blank=True, default=dt.time(7, 0)
    )
    on_holiday_until = models.DateField(_("on holiday until"), null=True, blank=True)
    # Some people like to keep up on holiday, some do not: their choice, not ours.
    digests_on_holiday = models.BooleanField(_("keep sending on holiday"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the first share (``sharing.record_share``) and kept: the dashboard counts who
    # never shared, per department, from an index instead of from every share.
    first_shared_at = models.DateTimeField(_("first shared"), null=True, blank=True, editable=False)
    # Set by ``accounts.provisioning.deactivate_person`` (by an admin, SCIM or SSO), cleared
    # on reactivation; the login's ``is_active`` is what refuses sign-in.
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        indexes = [
            # The dashboard counts people, and those who never shared, per department.
            models.Index(
                fields=["organisation", "department", "first_shared_at"],
                name="person_org_dept_shared",
            ),
            # The dashboard's leaders.
            models.Index(fields=["organisation", "role"], name="person_org_role"),
            # The people page, sorted by name (its default) and paged.
            models.Index(fields=["organisation", "name"], name="person_org_name"),
            # Weekly participation: who joined within the period (analytics.headcounts).
            models.Index(fields=["organisation", "created_at"], name="person_org_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.department_id and self.department.organisation_id != self.organisation_id:
            raise ValidationError({"department": _("Choose a department of this organisation.")})
        if self.manager_id and (
            self.manager.organisation_id != self.organisation_id or self.manager_id == self.pk
        ):
            raise ValidationError({"manager": _("Choose another person of this organisation.")})
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValidationError(_("Give both ends of the quiet hours, or neither."))
        if self.digest_channel != DigestChannel.EMAIL and not self.chat_webhook_url:
            raise ValidationError(
                {"chat_webhook_url": _("Give the webhook address to get digests in chat.")}
            )
        if self.quiet_from is not None and self.quiet_from == self.quiet_until:
            raise ValidationError(_("Quiet hours must start and end at different times."))

    def digest_channels(self) -> list[str]:
        """The channels a digest can go out on now: chosen, configured and not failing."""
        channels = []
        wants_email = self.digest_channel in (DigestChannel.EMAIL, DigestChannel.BOTH)
        wants_chat = self.digest_channel in (DigestChannel.CHAT, DigestChannel.BOTH)
        if wants_email and self.user.email and self.email_failed_at is None:
            channels.append("email")
        if wants_chat and self.chat_webhook_url and self.chat_failed_at is None:
            channels.append("chat")
        return channels

    @property
    def status(self) -> str:
        if not self.user.is_active:
            return PersonStatus.DEACTIVATED
        if self.user.last_login is None:
            return PersonStatus.INVITED
        return PersonStatus.ACTIVE

    # The role rules live in accounts/roles.py; these read them for templates.
    @property
    def can_edit(self) -> bool:
        return roles.may_edit(self)

    @property
    def can_see_analytics(self) -> bool:
        return roles.may_see_analytics(self)

    @property
    def can_see_individuals(self) -> bool:
        return roles.may_see_individuals(self)

    @property
    def can_see_leads(self) -> bool:
        return roles.may_see_leads(self)

    @property
    def can_administer(self) -> bool:
        return roles.may_administer(self)


class PasswordResetThrottle(models.Model):
    """How many reset links were asked for under one key (an e-mail address or a client
    address, as a keyed hash: never the address itself) in the hour that began at
    ``window_started_at``. In the database, so every web process counts the same."""

    key = models.CharField(max_length=64, unique=True)
    window_started_at = models.DateTimeField()
    requests = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.requests} since {self.window_started_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """The e-mail that brings a person in (``accounts.invitations``): one per person, sent
    again when an admin resends it. Accepted means the person set a password through its
    link; they may also come in by single sign-on, which ends it just as well."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="invitation")
    invited_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    # At most one reminder per person (``send_reminders`` claims it with a conditional update).
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            # The reminder pass: open invitations by when they were sent.
            models.Index(
                fields=["sent_at"],
                name="invitation_open_sent",
                condition=models.Q(accepted_at__isnull=True, reminded_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.sent_at:%Y-%m-%d})"
