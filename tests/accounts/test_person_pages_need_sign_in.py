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
    ("post", "/items/{item}/more-like-this/"),
    ("post", "/items/{item}/not-for-me/"),
    ("get", "/editor/items/"),
    ("get", "/editor/items/new/"),
    ("post", "/editor/items/new/"),
    ("post", "/editor/items/{item}/approve/"),
    ("post", "/editor/items/{item}/reject/"),
    ("post", "/editor/items/{item}/promote/"),
    ("get", "/analytics/"),
    ("get", "/analytics/export/networks.csv"),
    ("get", "/editor/sources/"),
    ("get", "/editor/sources/new/"),
    ("post", "/editor/sources/new/"),
    ("get", "/editor/sources/opml/"),
    ("post", "/editor/sources/opml/"),
    ("get", "/editor/sources/opml/export"),
    ("get", "/editor/sources/{source}/"),
    ("post", "/editor/sources/{source}/"),
    ("post", "/editor/sources/{source}/fetch/"),
    ("post", "/editor/sources/{source}/delete/"),
    ("get", "/editor/lists/"),
    ("post", "/editor/lists/"),
    ("get", "/editor/lists/{list}/"),
    ("post", "/editor/lists/{list}/delete/"),
    ("get", "/lists/"),
    ("post", "/lists/{list}/follow/"),
    ("post", "/topics/{topic}/follow/"),
    ("get", "/editor/digests/"),
    ("post", "/editor/digests/preview/"),
    ("get", "/leads/"),
    ("get", "/leads/hot/"),
    ("get", "/leads/new/"),
    ("post", "/leads/new/"),
    ("get", "/leads/{lead}/"),
    ("get", "/leads/{lead}/edit/"),
    ("post", "/leads/{lead}/edit/"),
    ("post", "/leads/{lead}/links/"),
    ("get", "/leads/{lead}/hand-over/"),
    ("post", "/leads/{lead}/hand-over/"),
    ("post", "/leads/{lead}/delete/"),
    ("get", "/settings/api-tokens/"),
    ("post", "/settings/api-tokens/"),
    ("post", "/settings/api-tokens/1/revoke/"),
    ("get", "/organisation/scim/"),
    ("post", "/organisation/scim/"),
    ("post", "/organisation/scim/1/revoke/"),
    ("get", "/organisation/"),
    ("post", "/organisation/"),
    ("post", "/organisation/domains/"),
    ("post", "/organisation/domains/1/remove/"),
    ("get", "/start/"),
    ("get", "/people/import/"),
    ("post", "/people/import/"),
    ("get", "/organisation/sign-in/saml/"),
    ("post", "/organisation/sign-in/saml/"),
    ("get", "/people/"),
    ("get", "/people/invite/"),
    ("post", "/people/invite/"),
    ("get", "/people/1/"),
    ("post", "/people/1/"),
    ("post", "/people/1/deactivate/"),
    ("post", "/people/1/reactivate/"),
    ("post", "/people/1/invitation/"),
    ("get", "/people/departments/"),
    ("post", "/people/departments/"),
    ("get", "/people/departments/1/"),
    ("post", "/people/departments/1/"),
    ("get", "/organisation/sign-in/"),
    ("post", "/organisation/sign-in/"),
    ("get", "/settings/security/"),
    ("post", "/settings/security/totp/"),
    ("post", "/settings/security/totp/confirm/"),
    ("post", "/settings/security/totp/remove/"),
    ("post", "/settings/security/passkeys/options/"),
    ("post", "/settings/security/passkeys/"),
    ("post", "/settings/security/passkeys/1/remove/"),
    ("post", "/settings/security/recovery-codes/"),
    ("get", "/organisation/security/"),
    ("post", "/organisation/security/"),
]


def fill(page: str, cast) -> str:
    return page.format(
        item=cast.article.pk,
        source=cast.blog.pk,
        list=cast.company_list.pk,
        topic=cast.cloud.pk,
        lead=1,  # refused before any lookup, so any id will do
    )


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, cast, method, page):
    path = fill(page, cast)
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize(("method", "page"), PAGES)
def test_login_without_a_person_is_forbidden(client, cast, method, page):
    client.force_login(User.objects.create_user("orphan", password="x"))
    path = fill(page, cast)
    assert getattr(client, method)(path).status_code == 403


def test_home_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_every_person_page_of_the_app_is_listed_here(cast):
    """A new page joins PAGES, or the list of public ones here, on purpose."""
    public = {"home", "healthz", "redirect", "login", "logout", "set_language"}
    # Links in digests: a signed token in the URL stands in for the sign-in.
    public |= {"digest_read", "digest_share", "digest_preferences", "digest_unsubscribe"}
    public |= {"digest_feedback"}
    # For people who cannot sign in: a link by e-mail stands in for the password.
    public |= {"password_reset", "password_reset_done", "password_reset_confirm"}
    public |= {"password_reset_complete", "admin_password_reset"}
    public |= {"invitation_accept", "invitation_set_password"}
    # Single sign-on: the way in for people not signed in yet (tests/sso/).
    public |= {"login_for_organisation", "oidc_start", "oidc_callback"}
    # The sign-in's second step: the session's pending sign-in stands in (mfa.flow).
    public |= {"mfa_verify", "mfa_verify_passkey_options", "mfa_verify_passkey"}
    # Any login, operators without a person too (tests/accounts/test_password_change.py).
    any_login = {"password_change"}
    # SCIM: a bearer token stands in for the sign-in (tests/scim/test_errors_are_scim_errors.py).
    public |= {"scim_users", "scim_user", "scim_groups", "scim_group", "scim_search"}
    public |= {"scim_service_provider_config", "scim_schemas", "scim_schema"}
    public |= {"scim_resource_types", "scim_resource_type", "scim_unknown"}
    # SAML: the identity provider's side of the sign-in (tests/sso/saml/).
    public |= {"saml_metadata", "saml_login", "saml_acs"}
    app_pages = (
        {entry.name for entry in get_resolver().url_patterns if isinstance(entry, URLPattern)}
        - public
        - any_login
    )
    listed = {resolve(fill(page, cast)).url_name for _method, page in PAGES}
    assert listed == app_pages
