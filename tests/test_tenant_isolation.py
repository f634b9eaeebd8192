"""THE WALK: nothing of one organisation reaches anyone of another.

Alice is the admin of Nordlys, the most powerful role an organisation has. She walks every
URL pattern of the app, found by iterating the URL resolver (the admin site's patterns
included), so a newly added URL is walked without anyone remembering to add it here. Every
parameter is filled with the id or code of a Havn object, and every URL is sent a GET and a
POST. Each answer must refuse (403, 404, 405, or a redirect that ends in one of those), and
no Havn string may appear in any answer. A parameter the walk cannot fill with a Havn value
fails the test: teach ``havn_values`` about it.

One exception by design: ``/l/<code>`` is public. A tracked link is posted on social
networks and must work for anyone who clicks it, signed in or not, of whatever organisation.
It only redirects to the link's registered target; the walk checks that it exposes nothing
else.
"""

import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from budbringer.accounts.invitations import invitation_tokens
from budbringer.accounts.models import EmailDomain
from budbringer.admin import admin_site
from budbringer.analytics.tables import TABLES
from budbringer.api.tokens import issue_token
from budbringer.content.models import ShareText
from budbringer.digests import tokens
from budbringer.leads.leads import create_lead_link
from budbringer.leads.models import Lead
from budbringer.links.models import Click, TrackedLink
from budbringer.links.tracking import create_link, record_click
from budbringer.mfa.models import Passkey
from budbringer.scim.tokens import issue_token as issue_scim_token
from budbringer.sharing.models import Share
from budbringer.sharing.networks import NETWORKS
from budbringer.sharing.sharing import record_share
from tests.conftest import make_item, make_person

DENIED = {403, 404, 405}
REDIRECTS = {301, 302, 303, 307, 308}
PUBLIC_LINK = "redirect"  # the URL name of /l/<code>


@dataclass
class Pattern:
    """One URL pattern, its full route as a template like ``items/<item_id>/``."""

    template: str
    pattern: URLPattern
    # The model of the admin that owns the pattern, for its object ids.
    model: type[Model] | None
    params: list[str] = field(default_factory=list)

    def fill(self, values: dict[str, str]) -> str:
        return "/" + re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), self.template)


def _template(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", str(pattern))
    if isinstance(pattern, RegexPattern):
        regex = str(pattern).removeprefix("^").removesuffix("$")
        return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", regex)
    raise AssertionError(f"unknown kind of URL pattern: {pattern!r}")


def _admin_model(resolver: URLResolver) -> type[Model] | None:
    for entry in resolver.url_patterns:
        model_admin = getattr(getattr(entry, "callback", None), "model_admin", None)
        if model_admin is not None:
            return model_admin.model
    return None


def all_patterns(resolver=None, prefix: str = "") -> list[Pattern]:
    resolver = resolver or get_resolver()
    found = []
    model = _admin_model(resolver)
    for entry in resolver.url_patterns:
        template = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            found += all_patterns(entry, template)
        else:
            found.append(Pattern(template, entry, model, re.findall(r"<(\w+)>", template)))
    return found


class Havn:
    """Charlie's organisation, with a row of everything; ids and words Alice must not reach."""

    def __init__(self, cast):
        self.cast = cast
        self.item = cast.havn_article
        ShareText.objects.create(
            item=self.item, network="x", language="en", text="Secret Havn words for X"
        )
        self.hedda = make_person(cast.havn, "hedda", name="Hedda Havnesen")
        self.hedda.topics.add(cast.havn_topic)
        cast.havn_list.followers.add(cast.charlie)
        cast.havn_source.lists.add(cast.havn_list)
        self.item.topics.add(cast.havn_topic)
        self.item.source = cast.havn_source
        self.item.save()
        self.pending = make_item(cast.havn, "Havn draft about cranes", approval_state="pending")
        record_share(cast.charlie, self.item, "linkedin")
        self.share = Share.objects.get(person=cast.charlie)
        self.share_link = self.share.link
        self.click = record_click(
            self.share_link, method="GET", user_agent="Firefox/130.0", referrer="", ip="203.0.113.9"
        )
        self.plain_link = create_link(cast.havn, "https://havn.example.com/cranes", code="HavnCode")
        self.group = Group.objects.create(name="Havn operators")
        self.lead = Lead.objects.create(
            organisation=cast.havn, name="Havn lead Hilde", email="hilde@havn.example.com",
            company="Havn Shipping", owner=cast.charlie,
        )  # fmt: skip
        self.lead_link = create_lead_link(self.lead, url="https://havn.example.com/offer")
        self.api_token, self.api_secret = issue_token(cast.havn, "Havn CRM sync", cast.charlie)
        self.scim_token, self.scim_secret = issue_scim_token(cast.havn, "Havn Okta", cast.charlie)
        self.domain = EmailDomain.objects.create(organisation=cast.havn, domain="havn.example.com")
        # SCIM requests of the walk carry Nordlys's SCIM token: the token is the organisation.
        self.nordlys_scim_secret = issue_scim_token(cast.nordlys, "Nordlys Entra ID")[1]
        self.passkey = Passkey.objects.create(
            user=cast.charlie.user, credential_id="havn-passkey", public_key=b"k",
            name="Charlie's Havn phone",
        )  # fmt: skip
        # One Havn object per model the admin shows.
        self.objects: dict[type[Model], Model] = {
            type(obj): obj
            for obj in (
                cast.havn, cast.havn_ops, cast.charlie, cast.havn_topic, cast.havn_list,
                cast.havn_source, self.item, cast.havn_share_text, self.share, self.share_link,
                self.click, cast.charlie.user, self.group,
            )
        }  # fmt: skip
        self.words = {
            cast.havn.name, cast.havn_ops.name, cast.havn_topic.name, cast.havn_list.name,
            self.item.title, self.pending.title, cast.havn_share_text.text, "Secret Havn words",
            cast.charlie.name, cast.charlie.user.username, self.hedda.name,
            cast.charlie.user.email, self.share_link.code, self.plain_link.code,
            cast.havn_link.code, "havn.example.com", "Havn",
            self.lead.name, self.lead.email, self.lead.company, self.lead_link.code,
            self.api_token.name, self.api_token.prefix, self.api_secret,
            self.scim_token.name, self.scim_token.prefix, self.scim_secret, self.passkey.name,
        }  # fmt: skip

    def wrong_purpose_token(self, template: str) -> str:
        charlie = self.cast.charlie.pk
        return {
            "d/read/<token>": tokens.unsubscribe_token(charlie, 1),
            "d/share/<token>": tokens.read_token(1, self.item.pk),
            "d/preferences/<token>": tokens.unsubscribe_token(charlie, 1),
            "d/unsubscribe/<token>": tokens.preferences_token(1),
            "d/feedback/<token>": tokens.share_token(1, self.item.pk, "linkedin"),
            # A password reset link of one account with the token of another.
            "accounts/reset/<uidb64>/<token>/": default_token_generator.make_token(self.hedda.user),
            # An invitation link of one account with the invitation token of another.
            "accounts/invitation/<uidb64>/<token>/": invitation_tokens.make_token(self.hedda.user),
        }[template]

    def values(self, pattern: Pattern) -> list[dict[str, str]]:
        """Every way to fill the pattern's parameters with Havn values."""
        options: dict[str, list] = {}
        for name in pattern.params:
            if name == "item_id":
                options[name] = [self.item.pk, self.pending.pk]
            elif name == "network":
                options[name] = list(NETWORKS)
            elif name == "code":
                options[name] = [self.share_link.code, self.plain_link.code]
            elif name == "source_id":
                options[name] = [self.cast.havn_source.pk]
            elif name == "list_id":
                options[name] = [self.cast.havn_list.pk]
            elif name == "topic_id":
                options[name] = [self.cast.havn_topic.pk]
            elif name == "lead_id":
                options[name] = [self.lead.pk]
            elif name == "slug":  # public single sign-on starts: the way to Havn's provider
                options[name] = [self.cast.havn.slug]
            elif name == "token_id":
                options[name] = [self.api_token.pk, self.scim_token.pk]
            elif name == "domain_id":
                options[name] = [self.domain.pk]
            elif name == "person_id":
                options[name] = [self.cast.charlie.pk]
            elif name == "department_id":
                options[name] = [self.cast.havn_ops.pk]
            elif name == "user_id":  # SCIM
                options[name] = [self.cast.charlie.pk, self.hedda.pk]
            elif name == "group_id":  # SCIM
                options[name] = [self.cast.havn_ops.pk]
            elif name == "schema_id":  # SCIM: names, not data
                options[name] = ["urn:ietf:params:scim:schemas:core:2.0:User"]
            elif name == "type_id":
                options[name] = ["User"]
            elif name == "rest":  # SCIM's catch-all
                options[name] = ["no/such/page"]
            elif name == "passkey_id":
                options[name] = [self.passkey.pk]
            elif name in ("object_id", "id") and pattern.model is not None:
                obj = self.objects.get(pattern.model)
                if obj is None:
                    raise LookupError(f"no Havn {pattern.model.__name__} for /{pattern.template}")
                options[name] = [obj.pk]
            elif name == "uidb64":  # a password reset link: charlie's account
                options[name] = [urlsafe_base64_encode(force_bytes(self.cast.charlie.user.pk))]
            elif name == "token":
                # Digest and password reset links carry a signed token instead of a sign-in
                # (bearer links, like /l/<code>). Havn's tokens made for another purpose, or
                # forged, must be refused whoever is signed in.
                options[name] = [self.wrong_purpose_token(pattern.template), "forged.token"]
            elif name == "app_label":
                options[name] = sorted({m._meta.app_label for m in admin_site._registry})
            elif name == "table":  # the analytics exports: names, not data
                options[name] = list(TABLES)
            elif name == "url":  # the admin's catch-all
                options[name] = [f"content/item/{self.item.pk}", "no/such/page"]
            elif name in ("content_type_id", "object_id") and pattern.model is None:
                continue  # filled in pairs below
            else:
                raise LookupError(f"no Havn value for <{name}> in /{pattern.template}")
        combos = [dict(zip(options, chosen, strict=True)) for chosen in
                  itertools.product(*options.values())]  # fmt: skip
        if "content_type_id" in pattern.params:  # admin "view on site": any object at all
            combos = [
                {**combo, "content_type_id": ContentType.objects.get_for_model(obj).pk,
                 "object_id": obj.pk}
                for combo in combos for obj in self.objects.values()
            ]  # fmt: skip
        return combos


@pytest.fixture
def havn(cast):
    return Havn(cast)


def takes_data(pattern: Pattern) -> bool:
    """Patterns with an id or code in them; the others are lists and forms."""
    return bool(set(pattern.params) - {"app_label", "table", "schema_id", "type_id", "rest"})


def leaks(response, words) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace") + " ".join(
        value for key, value in response.headers.items() if key != "Location"
    )
    return sorted(word for word in words if word in text)


def fetch(client, method: str, url: str, headers=None) -> list:
    """The answer and, for redirects within the app, every answer along the way."""
    chain = [getattr(client, method)(url, headers=headers)]
    while chain[-1].status_code in REDIRECTS and len(chain) < 6:
        location = urlsplit(chain[-1]["Location"])
        if location.scheme or location.netloc:
            break  # leaves the app: judged by the caller
        path = location.path + (f"?{location.query}" if location.query else "")
        chain.append(client.get(path))
    return chain


def walk(client, person, havn) -> tuple[list[str], int]:
    problems = []
    requests = 0
    client.force_login(person.user)
    for pattern in all_patterns():
        try:
            combos = havn.values(pattern)
        except LookupError as error:
            problems.append(str(error))
            continue
        for values in combos or [{}]:
            url = pattern.fill(values)
            match = resolve(url)
            if match.func is not pattern.pattern.callback:
                problems.append(f"{url} resolves to {match.route}, not /{pattern.template}")
                continue
            for method in ("get", "post"):
                requests += 1
                bearer = {"Authorization": f"Bearer {havn.nordlys_scim_secret}"}
                chain = fetch(client, method, url, bearer if url.startswith("/scim/") else None)
                if method == "post":
                    client.force_login(person.user)  # a POST to a logout view signs out
                final = chain[-1]
                where = f"{method.upper()} {url}"
                for response in chain:
                    if found := leaks(response, havn.words):
                        problems.append(f"{where}: shows {found} (status {response.status_code})")
                if pattern.pattern.name == PUBLIC_LINK:
                    problems += check_public_link(where, method, final, values, havn)
                elif not takes_data(pattern):
                    if final.status_code >= 500:
                        problems.append(f"{where}: {final.status_code}")
                elif final.status_code not in DENIED:
                    steps = " -> ".join(
                        f"{r.status_code} {r.get('Location', '')}".strip() for r in chain
                    )
                    problems.append(f"{where}: not refused ({steps})")
    return problems, requests


def check_public_link(where, method, final, values, havn) -> list[str]:
    """/l/<code> only redirects to the link's target, adding UTM parameters."""
    if method == "post":
        return [] if final.status_code == 405 else [f"{where}: {final.status_code}, not 405"]
    link = TrackedLink.objects.get(code=values["code"])
    location = urlsplit(final.get("Location", ""))
    target = urlsplit(link.target_url)
    problems = []
    if final.status_code != 302 or (location.scheme, location.netloc, location.path) != (
        target.scheme, target.netloc, target.path,
    ):  # fmt: skip
        problems.append(f"{where}: {final.status_code} to {final.get('Location')}")
    if set(parse_qs(location.query)) - {"utm_source", "utm_medium", "utm_campaign"}:
        problems.append(f"{where}: extra parameters in {final['Location']}")
    if final.content:
        problems.append(f"{where}: the redirect has a body")
    return problems


@pytest.mark.parametrize("who", ["alice", "erik"])
def test_nothing_of_havn_is_reachable_from_nordlys(cast, havn, client, who):
    problems, requests = walk(client, getattr(cast, who), havn)
    assert problems == []
    assert requests > 200  # the walk did walk


def test_the_walk_covers_every_pattern_and_admin_model():
    templates = {pattern.template for pattern in all_patterns()}
    # Spot checks that the resolver walk reaches into includes and the admin site.
    assert "items/<item_id>/share/<network>/" in templates
    assert "admin/content/item/<object_id>/change/" in templates
    assert "admin/auth/user/<id>/password/" in templates
    assert "admin/<url>" in templates
    admin_models = {p.model for p in all_patterns() if p.model is not None}
    assert admin_models == set(admin_site._registry)


def test_an_unknown_parameter_fails_the_walk(havn):
    view = URLPattern(RoutePattern(""), lambda request: None)
    new_view = Pattern("things/<thing_id>/", view, None, ["thing_id"])
    with pytest.raises(LookupError, match="thing_id"):
        havn.values(new_view)
    new_admin = Pattern(
        "admin/contenttypes/contenttype/<object_id>/", view, ContentType, ["object_id"]
    )
    with pytest.raises(LookupError, match="ContentType"):
        havn.values(new_admin)


def test_lists_and_forms_show_nothing_of_havn(cast, havn, login):
    """The pages without parameters, with the query strings they understand."""
    client = login(cast.alice)
    pages = [f"/{p.template}" for p in all_patterns() if not p.params]
    pages += ["/editor/items/?state=approved", "/editor/items/?state=rejected",
              "/editor/items/?state=pending", "/for-you/?page=2"]  # fmt: skip
    # Analytics filtered by Havn's department and list: refused by the form, so nothing of Havn.
    havn_filters = f"?department={cast.havn_ops.pk}&source_list={cast.havn_list.pk}"
    pages += [f"/analytics/{havn_filters}"]
    pages += [f"/analytics/export/{table}.csv{havn_filters}" for table in TABLES]
    for page in pages:
        response = client.get(page)
        assert not leaks(response, havn.words), page
    assert client.get("/for-you/").status_code == 200


@pytest.mark.parametrize("model", list(admin_site._registry), ids=lambda m: m.__name__)
def test_admin_changelist_filters_and_searches_show_no_havn_rows(cast, havn, login, model):
    client = login(cast.alice)
    havn_id = cast.havn.pk
    queries = [
        f"?organisation__id__exact={havn_id}",
        f"?organisation={havn_id}",
        f"?item__organisation__id__exact={havn_id}",
        f"?id__exact={havn.objects[model].pk}",
        f"?pk={havn.objects[model].pk}",
        "?q=terminal",
        "?q=cranes",
        "?q=Ports",
        "?q=charl",
        "?q=havn.example",
        "?q=HavnCode",
        f"?q={havn.share_link.code}",
        "?_popup=1&_to_field=id",
        "?all=&o=-1",
    ]
    opts = model._meta
    for query in queries:
        response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{query}")
        assert response.status_code in (200, 302, 400, 403), query
        searched = parse_qs(query[1:]).get("q", [""])[0]
        words = {word for word in havn.words if word not in searched}
        assert not leaks(response, words), query
        if response.status_code == 200:
            assert havn.objects[model] not in set(response.context["cl"].queryset), query


def test_admin_autocomplete_offers_no_havn_objects(cast, havn, login):
    """Every relation of every admin model, asked through the admin's autocomplete view."""
    client = login(cast.alice)
    asked = 0
    for model in admin_site._registry:
        for relation in model._meta.get_fields():
            if not (relation.is_relation and relation.concrete):
                continue
            remote = relation.related_model
            if remote not in admin_site._registry:
                continue
            for term in ("", "Havn", "a"):
                response = client.get(
                    "/admin/autocomplete/",
                    {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
                     "field_name": relation.name, "term": term},
                )  # fmt: skip
                asked += 1
                assert response.status_code in (200, 403, 404), (model, relation.name)
                if response.status_code == 200:
                    ids = {result["id"] for result in response.json()["results"]}
                    havn_object = havn.objects.get(remote)
                    assert str(havn_object.pk) not in ids, (model, relation.name)
                words = {word for word in havn.words if word != term}
                assert not leaks(response, words), (model, relation.name, term)
    assert asked > 20


def test_public_link_works_for_anyone_and_shows_nothing(cast, havn, client, login):
    """/l/<code> is public by design: signed out, or signed in elsewhere, it just redirects."""
    for visitor in (client, login(cast.alice)):
        response = visitor.get(f"/l/{havn.plain_link.code}")
        assert response.status_code == 302
        assert response["Location"].startswith("https://havn.example.com/cranes?utm_source=")
        assert response.content == b""
    assert Click.objects.filter(link=havn.plain_link).count() == 2


def test_superuser_is_not_limited_by_the_walk_rules(cast, havn, client):
    """The walk's refusals come from scoping, not from broken pages: an operator sees Havn."""
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    response = client.get(f"/admin/content/item/{havn.item.pk}/change/")
    assert response.status_code == 200
    assert havn.item.title in response.content.decode()
