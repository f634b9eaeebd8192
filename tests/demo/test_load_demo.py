"""What the demo organisation holds after one load."""

from collections import Counter
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from budbringer.accounts.models import Person, Role
from budbringer.content.models import ApprovalState, Item, ShareText
from budbringer.lib.urls import canonical_url
from budbringer.links.models import MACHINE_KINDS, PERSON_KINDS, Click, ClickKind
from budbringer.sharing.models import Share
from budbringer.sources.models import Source, SourceList

NORDIC_TIME_ZONES = {
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Amsterdam",
    "Europe/Helsinki",
}


def _is_example_host(url: str) -> bool:
    host = urlsplit(url).hostname
    return host.endswith(".example") or host == "example.com" or host.endswith(".example.com")


def test_about_forty_people_in_four_departments_with_every_role(demo):
    people = Person.objects.in_organisation(demo).select_related("department")
    assert people.count() == 40
    by_department = Counter(person.department.name for person in people)
    assert set(by_department) == {"Sales", "Engineering", "Marketing", "Customer Success"}
    assert all(count >= 7 for count in by_department.values())
    roles = Counter(person.role for person in people)
    assert roles[Role.ADMIN] == 1
    assert roles[Role.EDITOR] == 1
    assert roles[Role.SALES] >= 5
    assert roles[Role.EMPLOYEE] >= 20
    leaders = people.filter(role=Role.LEADER)
    assert sorted(leader.department.name for leader in leaders) == [
        "Customer Success",
        "Engineering",
        "Marketing",
        "Sales",
    ]


def test_people_are_valid_and_nordic(demo):
    people = Person.objects.in_organisation(demo).select_related("user", "department")
    for person in people:
        person.full_clean()  # languages, time zone, choices
        assert person.time_zone in NORDIC_TIME_ZONES
    assert {person.time_zone for person in people} == NORDIC_TIME_ZONES
    assert {person.interface_language for person in people} == {"en", "sv", "nb", "da", "nl"}
    assert {person.digest_cadence for person in people} == {"daily", "weekly", "never"}
    assert people.filter(topics__isnull=False).distinct().count() >= 15
    assert people.filter(followed_lists__isnull=False).distinct().count() >= 5


def test_named_logins_and_only_the_admin_is_staff(demo):
    assert Person.objects.get(user__username="admin").role == Role.ADMIN
    assert Person.objects.get(user__username="editor").role == Role.EDITOR
    assert Person.objects.get(user__username="leader").role == Role.LEADER
    staff = User.objects.filter(person__organisation=demo, is_staff=True)
    assert list(staff.values_list("username", flat=True)) == ["admin"]
    assert not User.objects.filter(is_superuser=True).exists()


def test_topics_lists_and_sources(demo):
    assert demo.topics.count() >= 5
    kinds = set(SourceList.objects.filter(organisation=demo).values_list("kind", flat=True))
    assert kinds == {"company", "customers", "industry"}
    sources = Source.objects.filter(organisation=demo)
    assert sources.count() >= 5
    for source in sources:
        assert _is_example_host(source.feed_url), source.feed_url
        assert source.lists.exists()


def test_items_in_all_five_languages_on_example_domains(demo):
    items = Item.objects.in_organisation(demo)
    assert 30 <= items.count() <= 40
    languages = Counter(items.values_list("language", flat=True))
    assert set(languages) == {"en", "sv", "nb", "da", "nl"}
    assert min(languages.values()) >= 5
    for item in items:
        item.full_clean()
        assert _is_example_host(item.url), item.url
        assert item.canonical_url == canonical_url(item.url)
        assert item.summary
        assert item.topics.exists()


def test_mostly_approved_a_couple_pending_and_one_expired(demo):
    items = Item.objects.in_organisation(demo)
    now = timezone.now()
    assert items.filter(approval_state=ApprovalState.PENDING).count() == 2
    assert items.filter(expires_at__lt=now).count() == 1
    assert items.shareable().count() == items.count() - 3
    editor = Person.objects.get(user__username="editor")
    approved = items.filter(approval_state=ApprovalState.APPROVED)
    assert set(approved.values_list("approved_by", flat=True)) == {editor.pk}
    assert not approved.filter(approved_at__lt=F("published_at")).exists()


def test_share_texts_in_own_and_other_languages_and_per_network(demo):
    texts = ShareText.objects.filter(item__organisation=demo).select_related("item")
    items = Item.objects.in_organisation(demo)
    for item in items:
        assert texts.filter(item=item, network="", language=item.language).exists(), item
    assert {text.language for text in texts} == {"en", "sv", "nb", "da", "nl"}
    translated = [text for text in texts if text.language != text.item.language]
    assert len(translated) >= 20
    for_x = texts.filter(network="x")
    assert for_x.count() >= 30
    assert all(len(text.text) <= 200 for text in for_x)
    assert texts.filter(network="linkedin").exists()


def test_shares_follow_a_participation_pattern(demo):
    shares = Share.objects.filter(organisation=demo)
    assert 100 <= shares.count() <= 400
    per_person = Counter(shares.values_list("person__user__username", flat=True))
    people = Person.objects.in_organisation(demo).count()
    never = people - len(per_person)
    assert 0.2 <= never / people <= 0.4
    counts = sorted(per_person.values(), reverse=True)
    assert counts[0] >= 12  # a few share a lot
    assert sum(1 for count in counts if count <= 2) >= 5  # many a little
    oldest = timezone.now() - shares.earliest("created_at").created_at
    assert 40 <= oldest.days <= 60
    assert shares.latest("created_at").created_at < timezone.now()
    assert set(shares.values_list("network", flat=True)) >= {"linkedin", "x", "email"}


def test_shares_come_after_approval_and_before_expiry(demo):
    for share in Share.objects.filter(organisation=demo).select_related("item", "link"):
        assert share.item.approved_at <= share.created_at
        assert share.item.expires_at is None or share.created_at < share.item.expires_at
        assert share.item.language in share.person.languages
        assert share.link.person_id == share.person_id
        assert share.link.item_id == share.item_id
        assert share.link.network == share.network
        assert share.link.target_url == share.item.url


def test_clicks_by_people_and_bots_with_returning_visitors(demo):
    clicks = Click.objects.filter(organisation=demo)
    humans, bots = clicks.filter(kind__in=PERSON_KINDS), clicks.filter(kind__in=MACHINE_KINDS)
    assert humans.count() >= 300
    assert bots.count() >= 50
    bot_families = set(bots.values_list("user_agent_family", flat=True))
    assert {"LinkedInBot", "Slackbot-LinkExpanding"} <= bot_families
    assert "Chrome" in set(humans.values_list("user_agent_family", flat=True))
    # Repeated clicks from one address on one day share a visitor hash.
    hashes = Counter(humans.values_list("visitor_hash", flat=True))
    assert max(hashes.values()) >= 2
    assert len(hashes) > humans.count() / 2
    assert clicks.latest("clicked_at").clicked_at <= timezone.now()
    for click in clicks.select_related("link"):
        assert click.clicked_at >= click.link.created_at
    # Counted as the worker would: nothing left pending, one mail scanner burst left out.
    kinds = Counter(clicks.values_list("kind", flat=True))
    assert kinds[ClickKind.PENDING] == 0
    assert kinds[ClickKind.UNIQUE] >= 300 and kinds[ClickKind.REPEAT] >= 1
    assert kinds[ClickKind.SCANNER] >= 4
