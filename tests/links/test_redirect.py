from urllib.parse import parse_qs, urlsplit

import pytest

from budbringer.links.models import Click
from budbringer.links.tracking import create_link

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def link(cast):
    return create_link(
        cast.nordlys, "https://blog.example.com/post?id=7", code="welcome", network="linkedin"
    )


def test_redirects_to_target_with_utm(client, link):
    response = client.get("/l/welcome", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "blog.example.com", "/post")
    assert parse_qs(target.query) == {
        "id": ["7"],
        "utm_source": ["linkedin"],
        "utm_medium": ["social"],
        "utm_campaign": ["budbringer"],
    }


def test_records_one_human_click_without_raw_ip(client, link):
    client.get(
        "/l/welcome",
        HTTP_USER_AGENT=CHROME,
        HTTP_REFERER="https://www.linkedin.com/feed/",
        REMOTE_ADDR="203.0.113.9",
    )
    click = Click.objects.get()
    assert click.link == link
    assert click.organisation == link.organisation
    assert click.network == "linkedin"
    assert click.referrer_host == "www.linkedin.com"
    assert click.user_agent_family == "Chrome"
    assert click.kind == "pending"
    assert len(click.visitor_hash) == 64
    stored = " ".join(str(value) for value in Click.objects.values().get().values())
    assert "203.0.113.9" not in stored


def test_unknown_code_is_404_and_records_nothing(client, link):
    response = client.get("/l/nope", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content
    assert not Click.objects.exists()


def test_query_parameters_cannot_change_the_target(client, link):
    for evil in ("?next=https://evil.example", "?url=https://evil.example", "?target=//evil"):
        response = client.get("/l/welcome" + evil, HTTP_USER_AGENT=CHROME)
        assert response.status_code == 302
        assert urlsplit(response["Location"]).netloc == "blog.example.com"


@pytest.mark.parametrize(
    "agent",
    [
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Twitterbot/1.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "",
    ],
)
def test_bots_and_previews_are_flagged(client, link, agent):
    response = client.get("/l/welcome", HTTP_USER_AGENT=agent)
    assert response.status_code == 302
    assert Click.objects.get().is_bot


def test_head_request_is_flagged_as_bot(client, link):
    response = client.head("/l/welcome", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert Click.objects.get().is_bot


def test_post_is_refused(client, link):
    assert client.post("/l/welcome").status_code == 405
    assert not Click.objects.exists()


def test_same_visitor_same_day_has_same_hash_other_visitor_differs(client, link):
    for address in ("198.51.100.1", "198.51.100.1", "198.51.100.2"):
        client.get("/l/welcome", HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address)
    first, second, third = Click.objects.order_by("id").values_list("visitor_hash", flat=True)
    assert first == second != third


def test_only_http_targets_can_be_registered(cast):
    from django.core.exceptions import ValidationError

    for target in ("javascript:alert(1)", "ftp://example.com/x", "mailto:a@b.c", "//evil"):
        with pytest.raises(ValidationError):
            create_link(cast.nordlys, target)
