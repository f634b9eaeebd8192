"""The demo organisation: Nordlys Systems, its people, its content and two months of history.

The content is data (``data/nordlys.json``); this module turns it into rows through the
functions the app itself uses (``create_organisation``, ``add_item``, ``share_link``,
``record_click``, ``deactivate_person``, ``invite``) and then back-dates the timestamps
the database fills in by itself.

The organisation is set up as an admin would have it a few months in: its defaults and
e-mail domain chosen, most people signed in, a few invited who never came, two who left
(deactivated, their shares still counted), and an OpenID Connect connection prepared but
turned off, as nothing here can reach an identity provider.
"""

import datetime as dt
import json
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from budbringer.accounts import invitations
from budbringer.accounts.models import (
    Department,
    EmailDomain,
    Invitation,
    Organisation,
    Person,
    Role,
)
from budbringer.accounts.organisation import create_organisation
from budbringer.accounts.provisioning import (
    PersonDetails,
    check_details,
    deactivate_person,
    provision_people,
)
from budbringer.analytics.rollup import refresh as refresh_click_rollup
from budbringer.content.editorial import add_item
from budbringer.content.models import ApprovalState, Item, Topic
from budbringer.demo import history
from budbringer.lib.urls import canonical_url
from budbringer.links.counting import count_pending_clicks
from budbringer.links.models import TrackedLink
from budbringer.links.tracking import create_link, record_click, share_link
from budbringer.relevance.models import Interaction
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import note_first_shares
from budbringer.sources.models import FetchOutcome, Source, SourceList
from budbringer.sso.models import OidcConnection
from budbringer.timing.activity import record_activity
from budbringer.timing.fitting import refit as refit_reachability

DATA_FILE = Path(__file__).resolve().parent / "data" / "nordlys.json"
EMAIL_DOMAIN = "nordlys.example"
# Printed by `budbringer demo` for every demo login; a demo has nothing to protect.
DEMO_PASSWORD = "budbringer-demo"  # noqa: S105
WELCOME_CODE = "welcome"
# Same seed, same history: the demo looks the same on every machine (relative to today).
SEED = 1905
# Everyone joined, and every source was added, well before the history starts.
JOINED_DAYS_AGO = 120
# People read an item for a few minutes before they share it.
OPENED_BEFORE_SHARING = dt.timedelta(minutes=4)


class DemoConflict(Exception):
    """The database already holds a login name or link code the demo needs."""


def demo_data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load_demo(now: dt.datetime | None = None) -> Organisation:
    """Create the demo organisation, or return it untouched when it is already there."""
    data = demo_data()
    existing = Organisation.objects.filter(slug=data["organisation"]["slug"]).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    rng = random.Random(SEED)
    with transaction.atomic():
        _check_names_free(data)
        chosen = data["organisation"]
        organisation = create_organisation(
            chosen["name"],
            chosen["slug"],
            languages=chosen["languages"],
            time_zone=chosen["time_zone"],
            digest_cadence=chosen["digest_cadence"],
            domains=chosen["email_domains"],
        )
        topics = {
            name: Topic.objects.create(
                organisation=organisation,
                name=name,
                keywords="\n".join(data["topic_keywords"].get(name, [])),
            )
            for name in data["topics"]
        }
        lists = {
            row["name"]: SourceList.objects.create(organisation=organisation, **row)
            for row in data["lists"]
        }
        sources = _create_sources(organisation, data["sources"], lists)
        people = _create_people(organisation, data, topics, lists)
        editor = next(person for person in people.values() if person.role == Role.EDITOR)
        items = _create_items(editor, data["items"], sources, topics, now, rng)
        welcome_item = next(items[row["url"]] for row in data["items"] if row.get("welcome"))
        sharers = {row["username"]: _sharer(row, now) for row in data["people"]}
        last_shared = _create_history(
            organisation, people, sharers, data, items, welcome_item, now, rng
        )
        last_active = _create_activity(people, sharers, now, rng)
        _sign_in_and_out(people, data, last_shared, last_active, now)
        _create_oidc_connection(organisation, data["oidc_connection"])

        joined = now - dt.timedelta(days=JOINED_DAYS_AGO)
        Organisation.objects.filter(pk=organisation.pk).update(created_at=joined)
        EmailDomain.objects.filter(organisation=organisation).update(created_at=joined)
        Person.objects.filter(organisation=organisation).update(created_at=joined)
        get_user_model().objects.filter(person__organisation=organisation).update(
            date_joined=joined
        )
        # The demo's sites are made up (.example), so fetching them could only fail: the
        # sources are paused, looking as they would after a good fetch an hour ago.
        fetched = now - dt.timedelta(hours=1)
        Source.objects.filter(organisation=organisation).update(
            created_at=joined,
            is_active=False,
            last_fetched_at=fetched,
            last_success_at=fetched,
            last_outcome=FetchOutcome.OK,
        )
        for source in sources.values():
            Source.objects.filter(pk=source.pk).update(items_found=source.items.count())
        # What the worker's daily refit would have learned by now.
        refit_reachability(organisation, now)
        # The dashboard's roll-up, as the worker's periodic refresh would have it.
        refresh_click_rollup(now, full=True)
    return organisation


def featured_people(organisation: Organisation) -> list[Person]:
    """The logins worth naming (admin, editor, a leader, ...), in the data's order."""
    usernames = demo_data()["featured_logins"]
    people = {
        person.user.username: person
        for person in Person.objects.in_organisation(organisation)
        .filter(user__username__in=usernames)
        .select_related("user", "department")
    }
    return [people[username] for username in usernames if username in people]


def _check_names_free(data: dict) -> None:
    usernames = [row["username"] for row in data["people"]]
    taken = sorted(
        get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    if taken:
        raise DemoConflict(
            "The demo needs these login names, which are already taken: " + ", ".join(taken)
        )
    if TrackedLink.objects.filter(code=WELCOME_CODE).exists():
        raise DemoConflict(f"The demo needs the link code {WELCOME_CODE!r}, which is taken.")
    for domain in data["organisation"]["email_domains"]:
        if EmailDomain.objects.filter(domain=domain).exists():
            raise DemoConflict(f"The demo needs the e-mail domain {domain}, which is taken.")
    issuer = data["oidc_connection"]["issuer"]
    if OidcConnection.objects.filter(issuer=issuer).exists():
        raise DemoConflict(f"The demo needs the OpenID Connect issuer {issuer}, which is taken.")


def _create_sources(organisation, rows, lists) -> dict[str, Source]:
    sources = {}
    for row in rows:
        source = Source.objects.create(
            organisation=organisation,
            title=row["title"],
            feed_url=row["feed_url"],
            site_url=row["site_url"],
        )
        source.lists.set([lists[name] for name in row["lists"]])
        sources[row["key"]] = source
    return sources


def _create_people(organisation, data, topics, lists) -> dict[str, Person]:
    User = get_user_model()
    departments = {
        name: Department.objects.create(organisation=organisation, name=name)
        for name in data["departments"]
    }
    # One hash for everyone: hashing the shared password forty times would take seconds.
    password = make_password(DEMO_PASSWORD)
    people = {}
    for row in data["people"]:
        first_name, _space, last_name = row["name"].partition(" ")
        user = User.objects.create(
            username=row["username"],
            email=_email(row["username"]),
            first_name=first_name,
            last_name=last_name,
            # The invited have not chosen a password yet, as provisioning leaves them.
            password=make_password(None) if row.get("status") == "invited" else password,
            is_staff=row["role"] == Role.ADMIN,
        )
        person = Person.objects.create(
            user=user,
            organisation=organisation,
            department=departments[row["department"]],
            name=row["name"],
            role=row["role"],
            languages=row["languages"],
            interface_language=row["interface_language"],
            time_zone=row["time_zone"],
            digest_cadence=row["digest_cadence"],
        )
        person.topics.set([topics[name] for name in row["topics"]])
        for name in row["lists"]:
            lists[name].followers.add(person)
        people[row["username"]] = person
    # Who reports to whom, as an import from the HR system would have set it.
    provision_people(
        organisation,
        [
            check_details(
                PersonDetails(_email(row["username"]), manager_email=_email(row["manager"]))
            )
            for row in data["people"]
            if row.get("manager")
        ],
    )
    return people


def _email(username: str) -> str:
    return f"{username}@{EMAIL_DOMAIN}"


def _sharer(row: dict, now: dt.datetime) -> history.Sharer:
    """The person as the history plans them: nothing after they left, and nothing at all
    for the invited, who never signed in."""
    active_until = None
    if row.get("status") == "invited":
        active_until = now - dt.timedelta(days=JOINED_DAYS_AGO)
    elif row.get("status") == "deactivated":
        active_until = now - dt.timedelta(days=row["left_days_ago"])
    return history.Sharer(
        key=row["username"],
        role=row["role"],
        languages=tuple(row["languages"]),
        time_zone=row["time_zone"],
        activity=row["activity"],
        topics=frozenset(row["topics"]),
        active_until=active_until,
    )


def _sign_in_and_out(people, data, last_shared, last_active, now) -> None:
    """Each person's last sign-in (their last visit in the history), then the leavers
    deactivated and an invitation sent, as the admin did on the people pages."""
    User = get_user_model()
    for username, person in people.items():
        moments = [at for at in (last_shared.get(username), last_active.get(username)) if at]
        if moments:
            User.objects.filter(pk=person.user_id).update(last_login=max(moments))
    admin = next(person for person in people.values() if person.role == Role.ADMIN)
    for row in data["people"]:
        person = Person.objects.select_related("user").get(pk=people[row["username"]].pk)
        if row.get("status") == "deactivated":
            deactivate_person(person, actor=admin)
            left = now - dt.timedelta(days=row["left_days_ago"])
            Person.objects.filter(pk=person.pk).update(deactivated_at=left)
        elif row.get("invited_days_ago") is not None:
            # Queued for the worker, which `budbringer demo` runs with mail going to files.
            invitation = invitations.invite(person, invited_by=admin)
            sent = now - dt.timedelta(days=row["invited_days_ago"])
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=sent)


def _create_oidc_connection(organisation, fields: dict) -> OidcConnection:
    """Saved turned off, with placeholders for the tenant and client: enabling it in the
    sign-in settings reads the provider's discovery document, which needs the real issuer.
    No client secret: the admin gives theirs, and it is stored encrypted."""
    connection = OidcConnection(organisation=organisation, enabled=False, **fields)
    connection.full_clean()
    connection.save()
    return connection


def _create_items(editor, rows, sources, topics, now, rng) -> dict[str, Item]:
    items = {}
    for row in rows:
        published_at = now - dt.timedelta(days=row["published_days_ago"])
        expires_days_ago = row.get("expires_days_ago")
        approved = row["approval"] == ApprovalState.APPROVED
        item = add_item(
            editor,
            share_texts=row["share_texts"],
            topics=[topics[name] for name in row["topics"]],
            approve=approved,
            source=sources[row["source"]],
            title=row["title"],
            url=row["url"],
            canonical_url=canonical_url(row["url"]),
            summary=row["summary"],
            language=row["language"],
            published_at=published_at,
            expires_at=(
                now - dt.timedelta(days=expires_days_ago) if expires_days_ago is not None else None
            ),
        )
        # Fetched a little after publication, approved within a couple of hours.
        fetched_at = published_at + dt.timedelta(minutes=rng.uniform(5, 30))
        changes = {"created_at": fetched_at}
        if approved:
            changes["approved_at"] = min(
                fetched_at + dt.timedelta(minutes=rng.uniform(20, 150)), now
            )
        Item.objects.filter(pk=item.pk).update(**changes)
        item.created_at = fetched_at
        item.approved_at = changes.get("approved_at")
        items[row["url"]] = item
    return items


def _create_activity(people, sharers, now, rng) -> dict[str, dt.datetime]:
    """The hours each person used Budbringer, as the app records them (local, DST-correct);
    returns each one's last moment."""
    last = {}
    for username, sharer in sharers.items():
        moments = history.plan_active_hours(sharer, now, rng)
        for moment in moments:
            record_activity(people[username], moment)
        if moments:
            last[username] = moments[-1]
    return last


def _create_history(
    organisation, people, sharers, data, items, welcome_item, now, rng
) -> dict[str, dt.datetime]:
    """Shares through the app's own path, then every click in time order; returns each
    sharer's last share."""
    topics_by_url = {row["url"]: frozenset(row["topics"]) for row in data["items"]}
    shareables = [
        history.Shareable(
            key=url,
            language=item.language,
            available_from=item.approved_at,
            expires_at=item.expires_at,
            topics=topics_by_url[url],
        )
        for url, item in items.items()
        if item.approved_at is not None
    ]
    clicks = []
    shared_at: dict[TrackedLink, dt.datetime] = {}
    interactions: list[Interaction] = []
    last_shared: dict[str, dt.datetime] = {}
    for planned in history.plan_shares(list(sharers.values()), shareables, now, rng):
        person, item = people[planned.person], items[planned.item]
        last_shared[planned.person] = planned.at
        link = share_link(person, item, planned.network)
        share = Share.objects.create(
            organisation=organisation, person=person, item=item, network=planned.network, link=link
        )
        # Both are stamped with the real time on insert; nobody shares an item twice here,
        # so the link is new and was made by this share.
        Share.objects.filter(pk=share.pk).update(created_at=planned.at)
        TrackedLink.objects.filter(pk=link.pk).update(created_at=planned.at)
        # What the ranker learns from: the sharer read the item first, then shared it.
        interactions += [
            Interaction(organisation=organisation, person=person, item=item, kind=kind, at=at)
            for kind, at in (("opened", planned.at - OPENED_BEFORE_SHARING), ("shared", planned.at))
        ]
        clicks.extend((link, click) for click in planned.clicks)
        shared_at[link] = planned.at

    Interaction.objects.bulk_create(interactions)
    note_first_shares(Person.objects.filter(organisation=organisation))

    welcome = create_link(organisation, welcome_item.url, code=WELCOME_CODE, item=welcome_item)
    TrackedLink.objects.filter(pk=welcome.pk).update(created_at=welcome_item.approved_at)
    clicks.extend(
        (welcome, click) for click in history.plan_link_clicks(welcome_item.approved_at, now, rng)
    )

    # A mail scanner pre-clicking four links shared an hour ago or more: left out of counts.
    earlier = sorted(
        (at, link.pk, link) for link, at in shared_at.items() if at <= now - dt.timedelta(hours=1)
    )[-4:]
    burst_at = earlier[-1][0] + dt.timedelta(minutes=10) if earlier else now
    burst = history.plan_scanner_burst(len(earlier), burst_at, rng)
    clicks.extend(zip([link for _at, _pk, link in earlier], burst, strict=True))
    # In time order, so the visitor salt of each day is looked up once.
    clicks.sort(key=lambda pair: pair[1].at)
    for link, click in clicks:
        record_click(
            link,
            method=click.method,
            user_agent=click.user_agent,
            referrer=click.referrer,
            ip=click.ip,
            now=click.at,
        )
    # Counted as the worker would: repeats and scanner bursts leave the counts.
    while count_pending_clicks(now):
        pass
    return last_shared
