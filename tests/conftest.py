"""The cast: Nordlys (organisation A) with alice the admin, erik the editor, lena the
leader, bob the employee and sara in sales; Havn (organisation B) with charlie, an
outsider to everything of Nordlys."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from budbringer.accounts.models import Department, Organisation, Person, Role
from budbringer.content.models import ApprovalState, Item, ShareText, Topic
from budbringer.links.tracking import create_link
from budbringer.sources.models import Source, SourceList

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No manifest in tests: collectstatic is part of `budbringer serve`, not of the suite.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_person(organisation, username, role=Role.EMPLOYEE, department=None, **fields):
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD)
    fields.setdefault("languages", ["en", "sv"])
    return Person.objects.create(
        user=user,
        organisation=organisation,
        name=fields.pop("name", username.capitalize()),
        role=role,
        department=department,
        **fields,
    )


def make_item(organisation, title="Fjord data centres go green", *, language="en", **fields):
    slug = title.lower().replace(" ", "-")
    url = fields.pop("url", f"https://blog.example.com/{organisation.slug}/{slug}")
    fields.setdefault("approval_state", ApprovalState.APPROVED)
    fields.setdefault("published_at", timezone.now() - dt.timedelta(hours=2))
    return Item.objects.create(
        organisation=organisation,
        title=title,
        url=url,
        canonical_url=url,
        language=language,
        **fields,
    )


def store_unsanitised_html(item, html: str) -> None:
    """Put `html` into the item's row as it is, past the sanitising field (raw SQL): what
    a row written before every write was sanitised, or restored from elsewhere, may hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Item._meta.db_table} SET content_html = %s WHERE id = %s",  # noqa: S608
            [html, item.pk],
        )


class Cast:
    """Everyone and everything the tests talk about, made fresh for each test."""

    def __init__(self):
        self.nordlys = Organisation.objects.create(name="Nordlys Systems", slug="nordlys")
        self.havn = Organisation.objects.create(name="Havn Logistics", slug="havn")
        self.sales = Department.objects.create(organisation=self.nordlys, name="Sales")
        self.engineering = Department.objects.create(organisation=self.nordlys, name="Engineering")
        self.havn_ops = Department.objects.create(organisation=self.havn, name="Operations")

        self.alice = make_person(self.nordlys, "alice", Role.ADMIN)
        self.erik = make_person(self.nordlys, "erik", Role.EDITOR, self.engineering)
        self.lena = make_person(self.nordlys, "lena", Role.LEADER, self.sales)
        self.bob = make_person(self.nordlys, "bob", Role.EMPLOYEE, self.engineering)
        self.sara = make_person(self.nordlys, "sara", Role.SALES, self.sales)
        self.charlie = make_person(self.havn, "charlie", Role.ADMIN, self.havn_ops)

        self.cloud = Topic.objects.create(organisation=self.nordlys, name="Cloud")
        self.havn_topic = Topic.objects.create(organisation=self.havn, name="Ports")
        self.company_list = SourceList.objects.create(
            organisation=self.nordlys, name="Company blog", kind="company"
        )
        self.blog = Source.objects.create(
            organisation=self.nordlys,
            title="Nordlys blog",
            feed_url="https://blog.example.com/feed.xml",
        )
        self.blog.lists.add(self.company_list)
        self.havn_list = SourceList.objects.create(organisation=self.havn, name="Havn news")
        self.havn_source = Source.objects.create(
            organisation=self.havn, title="Havn news", feed_url="https://havn.example.com/rss"
        )

        self.article = make_item(self.nordlys, source=self.blog)
        self.article.topics.add(self.cloud)
        ShareText.objects.create(
            item=self.article, language="en", text="Our fjord data centres now run on hydro."
        )
        ShareText.objects.create(
            item=self.article, network="x", language="en", text="Hydro-powered fjord DCs 🌊"
        )
        self.havn_article = make_item(self.havn, "Havn opens a new terminal")
        self.havn_share_text = ShareText.objects.create(
            item=self.havn_article, language="en", text="Secret Havn words"
        )
        self.havn_link = create_link(
            self.havn, "https://havn.example.com/terminal", person=self.charlie
        )


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def login(client):
    def _login(person):
        client.force_login(person.user)
        return client

    return _login


@pytest.fixture
def api_get(client):
    """GET from the API with a token's secret (the API's tests, and pages compared with it)."""

    def _get(path, secret=None, **params):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return client.get(f"/api/v1{path}", params, headers=headers)

    return _get


def feedparser_corpus() -> Path:
    """The feedparser project's test corpus (../shared/corpora/feedparser beside this
    repository, or BUDBRINGER_FEEDPARSER_CORPUS); CI sets BUDBRINGER_REQUIRE_CORPUS=1
    so that a missing corpus fails instead of skipping."""
    configured = os.environ.get("BUDBRINGER_FEEDPARSER_CORPUS")
    beside = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "feedparser"
    for candidate in (configured, beside):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    if os.environ.get("BUDBRINGER_REQUIRE_CORPUS") == "1":
        raise RuntimeError(f"the feedparser corpus is not at {beside}")
    return beside


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None
