"""Every response carries the baseline Content-Security-Policy, and only the pages that
need more get more, narrowly.

The walk of tests/test_tenant_isolation.py, turned around: Charlie, Havn's admin, asks
every URL pattern of the app (the admin site's and the API's included) with his own
organisation's ids, so the answers are real pages, forms and lists as well as refusals
and redirects, by GET and by POST. Each answer's policy must be exactly the baseline plus
the additions its view is known to need.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from budbringer.lib import csp
from budbringer.sharing.networks import DIALOG_SOURCES, NETWORKS
from tests.test_tenant_isolation import PUBLIC_LINK, Havn, all_patterns

# What the finding asks of every page, in the browser's terms: scripts, styles, images,
# fonts, frames and connections from this site only (default-src), no plugins, no
# <base>, forms to this site only, and no framing by anyone.
BASELINE = {
    "default-src": {"'self'"},
    "img-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# View name → the sources it adds, and why.
ADDITIONS = {
    # Feed HTML's images; the share buttons' form ends at the networks' dialogs.
    "item_detail": {"img-src": {"https:"}, "form-action": set(DIALOG_SOURCES)},
    # The new-source preview shows a feed's HTML with its images.
    "editor_source_new": {"img-src": {"https:"}},
    # Swagger UI's stylesheet draws its icons as data: images; django-ninja decorates its
    # schema view alike (JSON, which loads nothing).
    "api:openapi-view": {"img-src": {"data:"}},
    "api:openapi-json": {"img-src": {"data:"}},
}


def parse(policy: str) -> dict[str, set[str]]:
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {policy}"
        directives[name] = set(sources)
    return directives


def expected(view_name: str) -> dict[str, set[str]]:
    policy = {name: set(sources) for name, sources in BASELINE.items()}
    for name, sources in ADDITIONS.get(view_name, {}).items():
        policy[name] |= sources
    return policy


def test_the_settings_baseline_is_the_one_described_here(settings):
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"] is csp.BASELINE
    assert {name: set(sources) for name, sources in csp.BASELINE.items()} == BASELINE


def test_the_share_buttons_may_end_only_at_the_networks():
    assert set(DIALOG_SOURCES) == {
        "https://*.facebook.com", "https://*.linkedin.com", "https://*.xing.com",
        "https://x.com", "https://*.x.com", "mailto:",
    }  # fmt: skip


def _allows(source: str, url: str) -> bool:
    """A CSP source expression of the two forms the networks use: "scheme:" and
    "https://host" (with an optional "*." for any subdomain)."""
    parts = urlsplit(url)
    if source.endswith(":"):
        return parts.scheme == source[:-1]
    scheme, host = source.split("://")
    if host.startswith("*."):
        return parts.scheme == scheme and parts.hostname.endswith(host[1:])
    return parts.scheme == scheme and parts.hostname == host


@pytest.mark.parametrize("network", NETWORKS.values(), ids=lambda network: network.slug)
def test_each_share_dialog_is_allowed_by_its_own_sources(network):
    url = network.share_url(link="https://budbringer.example.com/l/Abc123", text="Hi", title="T")
    assert any(_allows(source, url) for source in network.dialog_sources), url


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_response_carries_the_policy_its_view_needs(cast, client, method):
    havn = Havn(cast)
    client.force_login(cast.charlie.user)
    problems, pages = [], 0
    for pattern in all_patterns():
        if pattern.pattern.name == PUBLIC_LINK:
            continue  # a bodiless 302, served before Django by `budbringer serve`
        for values in havn.values(pattern) or [{}]:
            url = pattern.fill(values)
            view_name = resolve(url).view_name
            response = getattr(client, method)(url)
            if method == "post":
                client.force_login(cast.charlie.user)  # a POST to a logout view signs out
            pages += response.status_code == 200
            policy = response.headers.get("Content-Security-Policy")
            if policy is None:
                problems.append(f"{method.upper()} {url} ({response.status_code}): no policy")
            elif parse(policy) != expected(view_name) and not (
                # A 404 or 403 the view raised is Django's error page, without its additions.
                response.status_code >= 400 and parse(policy) == BASELINE
            ):
                problems.append(f"{method.upper()} {url} ({response.status_code}): {policy}")
    assert problems == [], "\n".join(problems)
    assert pages > (60 if method == "get" else 5)  # the walk reached real pages


def test_the_item_page_gets_its_additions_and_nothing_else(cast, login):
    response = login(cast.bob).get(f"/items/{cast.article.pk}/")
    assert response.status_code == 200
    policy = parse(response.headers["Content-Security-Policy"])
    assert policy == expected("item_detail")
    assert "https://*.linkedin.com" in policy["form-action"]
    assert "https:" not in policy["form-action"]  # a form to any other site is refused
