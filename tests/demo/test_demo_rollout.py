"""The demo shows an organisation a few months into its rollout: settings chosen, its
people in every status, managers set, and single sign-on prepared but not yet on."""

import datetime as dt
import io
from collections import Counter

from django.core.management import call_command
from django.utils import timezone, translation

from budbringer.accounts import onboarding
from budbringer.accounts.models import EmailDomain, Invitation, Person, PersonStatus, Role
from budbringer.analytics.filters import last_days
from budbringer.analytics.reports import networks
from budbringer.demo import history
from budbringer.demo.loader import JOINED_DAYS_AGO
from budbringer.links.models import Click
from budbringer.sharing.models import Share
from budbringer.sso.discovery import sign_in_start_url, start_url_for
from budbringer.sso.models import OidcConnection
from budbringer.timing.models import ActiveHour


def test_organisation_settings_are_chosen_and_the_domain_registered(demo):
    assert demo.time_zone == "Europe/Oslo"
    assert demo.languages and "en" in demo.languages
    assert demo.digest_cadence == "weekly"
    assert list(EmailDomain.objects.filter(organisation=demo).values_list("domain", flat=True)) == [
        "nordlys.example"
    ]
    demo.full_clean()


def test_the_checklist_is_done_with_sso_left_as_the_next_thing(demo):
    with translation.override("en"):
        checklist = onboarding.checklist(demo)

    assert {step.key: step.done for step in checklist.steps} == {
        "defaults": True,
        "domains": True,
        "sign_in": True,  # people sign in with passwords
        "content": True,
        "people": True,
        "digests": True,
    }
    sign_in = next(step for step in checklist.steps if step.key == "sign_in")
    assert "OpenID Connect" in sign_in.note and "off" in sign_in.note
    others = [step for step in checklist.steps if step.key != "sign_in"]
    assert all(not step.note for step in others)


def test_people_in_every_status(demo):
    people = Person.objects.in_organisation(demo).select_related("user")
    statuses = Counter(person.status for person in people)

    assert statuses == {
        PersonStatus.ACTIVE: 35,
        PersonStatus.INVITED: 3,
        PersonStatus.DEACTIVATED: 2,
    }
    assert people.with_status(PersonStatus.INVITED).count() == 3
    # Signed in within the history, at their last visit; never in the future.
    now = timezone.now()
    for person in people.signed_in():
        assert now - dt.timedelta(days=history.HISTORY_DAYS) <= person.user.last_login <= now
    # The invited never came: no password, no visits, no shares.
    for person in people.invited():
        assert not person.user.has_usable_password()
        assert not ActiveHour.objects.filter(person=person).exists()
        assert not Share.objects.filter(person=person).exists()


def test_one_invitation_is_pending(demo):
    [invitation] = Invitation.objects.filter(person__organisation=demo).select_related(
        "person__user", "invited_by"
    )
    assert invitation.person.status == PersonStatus.INVITED
    assert invitation.accepted_at is None
    assert invitation.invited_by.role == Role.ADMIN
    assert timezone.now() - invitation.sent_at > dt.timedelta(days=1)


def test_the_leavers_are_deactivated_and_their_history_still_counts(demo):
    leavers = Person.objects.in_organisation(demo).inactive().select_related("user")
    assert leavers.count() == 2
    for person in leavers:
        assert person.deactivated_at is not None
        shares = Share.objects.filter(person=person)
        # Nothing of theirs after they left.
        assert not shares.filter(created_at__gte=person.deactivated_at).exists()
        assert person.user.last_login <= person.deactivated_at
    left_shares = Share.objects.filter(person__in=leavers)
    assert left_shares.exists()
    assert Click.objects.filter(link__in=left_shares.values("link")).exists()
    # The networks report counts every share, the leavers' among them.
    period = last_days(history.HISTORY_DAYS + 1)
    counted = sum(row.shares for row in networks(demo, period))
    assert counted == Share.objects.filter(organisation=demo).count()


def test_department_leaders_manage_their_people(demo):
    people = Person.objects.in_organisation(demo).select_related("manager", "department")
    managed = [person for person in people if person.manager]
    assert len(managed) >= 20
    for person in managed:
        assert person.manager.role == Role.LEADER
        assert person.manager.department == person.department
    assert all(person.manager is None for person in people.filter(role=Role.LEADER))


def test_an_oidc_connection_is_prepared_but_off(demo):
    connection = OidcConnection.objects.get(organisation=demo)

    assert not connection.enabled
    assert connection.issuer.startswith("https://login.microsoftonline.com/")
    assert connection.client_id
    assert connection.client_secret == ""  # the admin gives theirs
    assert connection.department_attribute == "department"
    assert set(connection.role_groups.values()) >= {Role.ADMIN, Role.EDITOR, Role.LEADER}
    connection.full_clean()
    # Off: the sign-in page asks for passwords, even for addresses of the domain.
    assert start_url_for(demo) is None
    assert sign_in_start_url("anna@nordlys.example") is None


def test_everyone_joined_before_the_history(demo):
    joined = timezone.now() - dt.timedelta(days=JOINED_DAYS_AGO)
    assert EmailDomain.objects.get(organisation=demo).created_at <= joined


def test_the_demo_command_points_the_admin_at_the_checklist_and_people(db):
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "http://127.0.0.1:8000/start/" in out.getvalue()
    assert "http://127.0.0.1:8000/people/" in out.getvalue()
