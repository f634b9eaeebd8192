from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, get_resolver, resolve

PAGES = [
    ("get", "/settings/"),
    ("post", "/settings/"),
    ("get", "/settings/my-data.json"),
    ("get", "/for-you/"),
    ("get", "/items/{item}/"),
    ("post", "/items/{item}/share/linkedin/"),
    ("get", "/editor/items/"),
    ("get", "/editor/items/new/"),
    ("post", "/editor/items/new/"),
    ("post", "/editor/items/{item}/approve/"),
    ("post", "/editor/items/{item}/reject/"),
    ("get", "/analytics/"),
]


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, cast, method, page):
    path = page.format(item=cast.article.pk)
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_login_without_a_person_is_forbidden(client, cast, method, page):
    client.force_login(User.objects.create_user("orphan", password="x"))
    path = page.format(item=cast.article.pk)
    assert getattr(client, method)(path).status_code == 403


def test_home_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_every_person_page_of_the_app_is_listed_here(cast):
    """A new page joins PAGES, or the list of public ones here, on purpose."""
    public = {"home", "healthz", "redirect", "login", "logout", "set_language"}
    app_pages = {
        entry.name for entry in get_resolver().url_patterns if isinstance(entry, URLPattern)
    } - public
    listed = {resolve(page.format(item=cast.article.pk)).url_name for _method, page in PAGES}
    assert listed == app_pages
