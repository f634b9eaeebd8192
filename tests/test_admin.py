"""The Django admin at /admin/, scoped to the organisation of whoever signs in.

Access follows the person's role (admins: everything of their organisation; editors: the
content models), not ``is_staff``; installation operators (superusers) see everything.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import CASCADE, Model

from budbringer.accounts.models import Department, Organisation, Person
from budbringer.admin import ClicksGoFirst, ScopedAdmin, admin_site
from budbringer.content.models import Item, ShareText, Topic
from budbringer.links.models import Click, TrackedLink
from budbringer.links.tracking import record_click, share_link
from budbringer.sharing.models import Share
from budbringer.sharing.sharing import record_share
from budbringer.sources.models import Source, SourceList
from tests.conftest import PASSWORD

SCOPED = {model: model_admin for model, model_admin in admin_site._registry.items()
          if isinstance(model_admin, ScopedAdmin)}  # fmt: skip
ADMIN_ONLY = {Organisation, Department, Person}
HAVN_WORDS = ("Havn", "Charlie", "charlie", "Ports", "Operations", "Secret Havn words")


def organisation_of(obj: Model) -> Organisation:
    if isinstance(obj, Organisation):
        return obj
    if isinstance(obj, User):
        return obj.person.organisation
    if isinstance(obj, ShareText):
        return obj.item.organisation
    return obj.organisation


def url(model, view="changelist", *args) -> str:
    from django.urls import reverse

    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def everything(cast):
    """A row of every registered model in both organisations."""
    for person, item in ((cast.bob, cast.article), (cast.charlie, cast.havn_article)):
        record_share(person, item, "linkedin")
        link = TrackedLink.objects.get(person=person, network="linkedin")
        record_click(link, method="GET", user_agent="Mozilla/5.0 Firefox/130.0", referrer="", ip="")
    cast.havn_list.followers.add(cast.charlie)
    cast.havn_source.lists.add(cast.havn_list)
    cast.havn_article.topics.add(cast.havn_topic)
    cast.charlie.topics.add(cast.havn_topic)
    for model in SCOPED:
        assert {organisation_of(obj) for obj in model.objects.all()} == {cast.nordlys, cast.havn}
    return cast


def test_every_scoped_model_is_covered_here():
    assert set(SCOPED) == {
        Organisation, Department, Person, Topic, SourceList, Source, Item, ShareText, Share,
        TrackedLink, Click,
    }  # fmt: skip


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_admin_lists_only_own_rows(everything, login, model):
    response = login(everything.alice).get(url(model))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset)
    assert shown
    assert {organisation_of(obj) for obj in shown} == {everything.nordlys}
    assert shown == {
        obj for obj in model.objects.all() if organisation_of(obj) == everything.nordlys
    }
    body = response.content.decode()
    for word in HAVN_WORDS:
        assert word not in body, word


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_charlie_sees_only_havn(everything, login, model):
    response = login(everything.charlie).get(url(model))
    assert response.status_code == 200
    assert {organisation_of(obj) for obj in response.context["cl"].queryset} == {everything.havn}
    assert "Nordlys" not in response.content.decode()


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_filters_and_searches_cannot_reach_another_organisation(everything, login, model):
    client = login(everything.alice)
    havn_id = everything.havn.pk
    path = "organisation__id__exact" if model is not Organisation else "id__exact"
    if model is ShareText:
        path = "item__organisation__id__exact"
    # Search terms that match Havn rows; none is itself one of the words looked for.
    searches = [f"?q={term}" for term in ("terminal", "Oper", "charl", "Port", "news", "rss")]
    for query in (f"?{path}={havn_id}", *searches, f"?q=terminal&{path}={havn_id}"):
        response = client.get(url(model) + query)
        # 302: Django drops lookups it rejects; 400: lookups across relations are refused.
        assert response.status_code in (200, 302, 400), query
        if response.status_code == 200:
            assert all(
                organisation_of(obj) == everything.nordlys
                for obj in response.context["cl"].queryset
            ), query
        for word in HAVN_WORDS:
            assert word not in response.content.decode(), (query, word)


def test_list_filters_offer_only_own_choices(everything, login):
    client = login(everything.alice)
    people = client.get(url(Person)).content.decode()
    assert "Engineering" in people  # the department filter is there ...
    assert "Operations" not in people  # ... without Havn's departments
    items = client.get(url(Item)).content.decode()
    assert "Cloud" in items
    assert "Ports" not in items


@pytest.mark.parametrize("who", ["bob", "sara", "lena"])
def test_people_without_an_editing_role_cannot_reach_the_admin(cast, login, who):
    client = login(getattr(cast, who))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    for model in SCOPED:
        response = client.get(url(model))
        assert response.status_code == 302, model
        assert response["Location"].startswith("/admin/login/")
    assert client.get(url(Item, "change", cast.article.pk)).status_code == 302


def test_editors_manage_content_but_not_people_or_the_organisation(everything, login):
    client = login(everything.erik)
    index = client.get("/admin/")
    assert index.status_code == 200
    for model in SCOPED:
        expected = 403 if model in ADMIN_ONLY else 200
        assert client.get(url(model)).status_code == expected, model


def test_admin_sign_in_needs_the_role_not_is_staff(cast, client):
    assert not cast.alice.user.is_staff
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_of_an_employee_gives_no_access(cast, client):
    client.post("/admin/login/?next=/admin/", {"username": "bob", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def form_choices(response) -> dict[str, list]:
    form = response.context["adminform"].form
    return {
        name: list(field.queryset)
        for name, field in form.fields.items()
        if hasattr(field, "queryset")
    }


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_form_choices_hold_only_own_objects(everything, login, model):
    client = login(everything.alice)
    own = next(obj for obj in model.objects.all() if organisation_of(obj) == everything.nordlys)
    pages = [url(model, "change", own.pk)]
    if SCOPED[model].has_add_permission.__func__ is ScopedAdmin.has_add_permission and not (
        SCOPED[model].read_only
    ):
        pages.append(url(model, "add"))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for name, choices in form_choices(response).items():
            assert {organisation_of(obj) for obj in choices} <= {everything.nordlys}, name
        assert "organisation" not in response.context["adminform"].form.fields
        for word in HAVN_WORDS:
            assert word not in response.content.decode(), (page, word)


def test_person_form_offers_own_logins_departments_and_topics(everything, login):
    response = login(everything.alice).get(url(Person, "change", everything.bob.pk))
    choices = form_choices(response)
    assert set(choices["department"]) == {everything.sales, everything.engineering}
    assert set(choices["topics"]) == {everything.cloud}
    assert everything.charlie.user not in choices["user"]
    assert everything.bob.user in choices["user"]


def test_saving_sets_the_organisation_of_the_signed_in_person(cast, login):
    response = login(cast.alice).post(
        url(Topic, "add"), {"name": "Energy", "organisation": cast.havn.pk}
    )
    assert response.status_code == 302
    assert Topic.objects.get(name="Energy").organisation == cast.nordlys


def test_choices_of_another_organisation_are_refused_on_save(cast, login):
    before = Source.objects.count()
    response = login(cast.erik).post(
        url(Source, "add"),
        {"title": "Sneaky", "feed_url": "https://sneaky.example/rss", "lists": [cast.havn_list.pk]},
    )
    assert response.status_code == 200
    assert "lists" in response.context["adminform"].form.errors
    assert Source.objects.count() == before


def test_changing_an_item_with_its_share_texts(cast, login):
    item = cast.article
    texts = list(item.share_texts.order_by("pk"))
    data = {
        "title": "Renamed",
        "url": item.url,
        "summary": "",
        "language": "en",
        "published_at_0": "2025-03-14",
        "published_at_1": "12:00:00",
        "topics": [cast.cloud.pk],
        "approval_state": "approved",
        "kind": "article",
        "promotion": "none",
        "source": cast.blog.pk,
        "expires_at_0": "",
        "expires_at_1": "",
        "share_texts-TOTAL_FORMS": str(len(texts) + 1),
        "share_texts-INITIAL_FORMS": str(len(texts)),
        "share_texts-MIN_NUM_FORMS": "0",
        "share_texts-MAX_NUM_FORMS": "1000",
    }
    for n, text in enumerate(texts):
        data.update({
            f"share_texts-{n}-id": text.pk, f"share_texts-{n}-item": item.pk,
            f"share_texts-{n}-network": text.network, f"share_texts-{n}-language": text.language,
            f"share_texts-{n}-text": text.text,
        })  # fmt: skip
    new = len(texts)
    data.update({
        f"share_texts-{new}-item": item.pk, f"share_texts-{new}-network": "",
        f"share_texts-{new}-language": "sv", f"share_texts-{new}-text": "Vattenkraft!",
    })  # fmt: skip
    response = login(cast.alice).post(url(Item, "change", item.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    item.refresh_from_db()
    assert item.title == "Renamed"
    assert item.organisation == cast.nordlys
    assert item.share_texts.filter(language="sv", text="Vattenkraft!").exists()


def test_objects_of_another_organisation_are_404(everything, login):
    client = login(everything.alice)
    assert client.get(url(Item, "change", everything.havn_article.pk)).status_code == 404
    response = client.post(url(Topic, "delete", everything.havn_topic.pk), {"post": "yes"})
    assert response.status_code == 404
    assert Topic.objects.filter(pk=everything.havn_topic.pk).exists()


def test_organisation_admins_cannot_add_or_delete_organisations_or_change_links(cast, login):
    client = login(cast.alice)
    assert client.get(url(Organisation, "add")).status_code == 403
    assert client.get(url(Organisation, "delete", cast.nordlys.pk)).status_code == 403
    link = TrackedLink.objects.get(pk=cast.havn_link.pk)
    record_share(cast.bob, cast.article, "x")
    own_link = TrackedLink.objects.get(person=cast.bob)
    response = client.post(
        url(TrackedLink, "change", own_link.pk), {"target_url": "https://evil.example/"}
    )
    assert response.status_code == 403
    own_link.refresh_from_db()
    assert own_link.target_url == cast.article.url
    assert link.target_url == "https://havn.example.com/terminal"


def test_operator_tables_are_for_superusers_only(cast, login):
    client = login(cast.alice)
    assert client.get(url(User)).status_code == 403
    assert client.get(url(Group)).status_code == 403


def test_superuser_sees_every_organisation(everything, client):
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(root)
    for model in SCOPED:
        response = client.get(url(model))
        assert response.status_code == 200, model
        assert {organisation_of(obj) for obj in response.context["cl"].queryset} == {
            everything.nordlys, everything.havn,
        }, model  # fmt: skip
    response = client.get(url(Topic, "add"))
    assert set(form_choices(response)["organisation"]) == {everything.nordlys, everything.havn}
    assert client.get(url(User)).status_code == 200
    response = client.post(
        url(Topic, "add"), {"name": "Cranes", "organisation": everything.havn.pk}
    )
    assert response.status_code == 302
    assert Topic.objects.get(name="Cranes").organisation == everything.havn


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Topic, {"name": "Cloud"}),
        (Department, {"name": "Sales"}),
        (SourceList, {"name": "Company blog", "kind": "custom"}),
        (Source, {"title": "Again", "feed_url": "https://blog.example.com/feed.xml"}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_duplicate_in_the_organisation_is_a_form_error(cast, login, model, data):
    before = model.objects.count()
    response = login(cast.alice).post(url(model, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert model.objects.count() == before


def test_a_name_another_organisation_uses_is_free(cast, login):
    response = login(cast.alice).post(url(Topic, "add"), {"name": cast.havn_topic.name})
    assert response.status_code == 302
    assert Topic.objects.filter(name=cast.havn_topic.name).count() == 2


@pytest.mark.parametrize("who", ["erik", "alice", "operator"])
def test_nobody_makes_or_changes_a_tracked_link_in_the_admin(cast, client, who):
    """Links are made by sharing and for leads only: a link made in the admin for Bob, the
    article and LinkedIn would be the one Bob's share hands out, to the admin's target."""
    if who == "operator":
        client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    else:
        client.force_login(getattr(cast, who).user)
    changelist = client.get(url(TrackedLink))
    assert changelist.status_code == 200
    assert url(TrackedLink, "add") not in changelist.content.decode()
    assert client.get(url(TrackedLink, "add")).status_code == 403
    planted = {
        "target_url": "https://evil.example/",
        "person": cast.bob.pk,
        "item": cast.article.pk,
        "network": "linkedin",
        "organisation": cast.nordlys.pk,
    }
    assert client.post(url(TrackedLink, "add"), planted).status_code == 403
    assert not TrackedLink.objects.filter(target_url="https://evil.example/").exists()
    link = share_link(cast.bob, cast.article, "linkedin")
    target = link.target_url
    assert client.get(url(TrackedLink, "change", link.pk)).status_code == 200  # to read
    assert client.post(url(TrackedLink, "change", link.pk), planted).status_code == 403
    link.refresh_from_db()
    assert link.target_url == target


def _new_item_data(cast, url):
    return {
        "title": "Added in the admin",
        "url": url,
        "summary": "",
        "language": "en",
        "published_at_0": "2025-03-14",
        "published_at_1": "12:00:00",
        "approval_state": "pending",
        "kind": "article",
        "promotion": "none",
        "expires_at_0": "",
        "expires_at_1": "",
        "share_texts-TOTAL_FORMS": "0",
        "share_texts-INITIAL_FORMS": "0",
        "share_texts-MIN_NUM_FORMS": "0",
        "share_texts-MAX_NUM_FORMS": "1000",
    }


def test_the_admin_derives_the_canonical_url_from_the_url(cast, login):
    data = _new_item_data(cast, "https://Blog.Example.com:443/new?utm_source=x&id=7#top")
    response = login(cast.alice).post(url(Item, "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    item = Item.objects.get(title="Added in the admin")
    assert item.canonical_url == "https://blog.example.com/new?id=7"
    assert item.organisation == cast.nordlys


def test_the_admin_refuses_an_address_already_there_with_a_message(cast, login):
    data = _new_item_data(cast, cast.article.url + "?utm_campaign=again")
    response = login(cast.alice).post(url(Item, "add"), data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert not Item.objects.filter(title="Added in the admin").exists()


def _cascades_to(model, target, seen=()) -> bool:
    """Whether deleting a row of ``model`` deletes rows of ``target`` (by CASCADE)."""
    for relation in model._meta.related_objects:
        related = relation.related_model
        if relation.on_delete is not CASCADE or related in seen:
            continue
        if related is target or _cascades_to(related, target, (*seen, model)):
            return True
    return False


def test_every_admin_deletion_that_takes_clicks_keeps_the_rollups():
    """Clicks go only through analytics.rollup.delete_clicks (ClicksGoFirst); deleting an
    organisation takes its roll-ups along."""
    taking_clicks = {model for model in admin_site._registry if _cascades_to(model, Click)} - {
        Organisation
    }
    assert taking_clicks == {Item, TrackedLink}
    for model in taking_clicks:
        assert isinstance(admin_site._registry[model], ClicksGoFirst), model
