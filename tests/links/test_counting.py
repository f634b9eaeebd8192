"""The counting pass: bots, previews, probes and scanners out; repeats within 30 minutes once.

Clicks go through the real redirect (``/l/<code>``) or ``record_click``; the pass is
``count_pending_clicks`` as the worker runs it.
"""

import datetime as dt

import pytest
from django.utils import timezone

from budbringer.links.counting import count_pending_clicks
from budbringer.links.events import clicks_counted
from budbringer.links.models import Click, ClickKind
from budbringer.links.tracking import create_link, record_click

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def links(cast):
    return [
        create_link(cast.nordlys, f"https://blog.example.com/post-{n}", person=cast.sara)
        for n in range(4)
    ]


def click(link, at, *, ip="203.0.113.9", user_agent=CHROME, method="GET"):
    return record_click(link, method=method, user_agent=user_agent, referrer="", ip=ip, now=at)


def kinds(clicks):
    by_id = dict(Click.objects.values_list("id", "kind"))
    return [by_id[c.id] for c in clicks]


@pytest.fixture
def counted(transactional_db):
    """Every click ``clicks_counted`` announced, in order (sent on commit, so the test
    runs in real transactions)."""
    heard = []

    def receiver(sender, clicks, **kwargs):
        heard.extend(clicks)

    clicks_counted.connect(receiver)
    yield heard
    clicks_counted.disconnect(receiver)


@pytest.mark.parametrize(
    ("user_agent", "kind"),
    [
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "preview",
        ),
        ("Twitterbot/1.0", "preview"),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "preview"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "preview"),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "preview"),
        ("TelegramBot (like TwitterBot)", "preview"),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", "preview"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "bot"),
        ("python-requests/2.32.3", "bot"),
        ("curl/8.5.0", "bot"),
        ("", "bot"),
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", "scanner"),
        ("Mimecast URL Protect", "scanner"),
        ("Proofpoint URL Defense", "scanner"),
    ],
)
def test_machines_are_told_at_request_time_and_never_counted(
    client, links, counted, user_agent, kind
):
    link = links[0]
    response = client.get(f"/l/{link.code}", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 302
    assert Click.objects.get().kind == kind
    assert count_pending_clicks(timezone.now() + dt.timedelta(minutes=1)) == []
    assert Click.objects.get().kind == kind
    assert counted == []


def test_head_is_a_probe(client, links):
    response = client.head(f"/l/{links[0].code}", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 302
    assert Click.objects.get().kind == ClickKind.PROBE


def test_a_person_counts_once_after_the_settle_window(client, links, counted, settings):
    client.get(f"/l/{links[0].code}", HTTP_USER_AGENT=CHROME, REMOTE_ADDR="198.51.100.7")
    recorded = Click.objects.get()
    assert recorded.kind == ClickKind.PENDING
    # Not yet settled: what follows within the window could still make it a scanner.
    assert count_pending_clicks(recorded.clicked_at + dt.timedelta(seconds=1)) == []
    assert Click.objects.get().kind == ClickKind.PENDING
    settled = count_pending_clicks(
        recorded.clicked_at + dt.timedelta(seconds=settings.CLICK_SETTLE_SECONDS)
    )
    assert [c.id for c in settled] == [recorded.id]
    assert Click.objects.get().kind == ClickKind.UNIQUE
    assert [(c.id, c.kind) for c in counted] == [(recorded.id, ClickKind.UNIQUE)]
    # A second pass finds nothing left and announces nothing again.
    assert count_pending_clicks(recorded.clicked_at + dt.timedelta(minutes=5)) == []
    assert len(counted) == 1


def test_scanner_burst_on_every_link_of_a_message_is_left_out(links, counted):
    # Safe Links follows the four links of a message within about a second, as Chrome.
    burst = [click(link, T0 + dt.timedelta(milliseconds=300 * n)) for n, link in enumerate(links)]
    # Meanwhile a reader elsewhere opens one of them.
    reader = click(links[2], T0 + dt.timedelta(seconds=1), ip="192.0.2.44", user_agent=FIREFOX)
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    assert kinds(burst) == [ClickKind.SCANNER] * 4
    assert kinds([reader]) == [ClickKind.UNIQUE]
    assert sorted((c.id, c.kind) for c in counted) == sorted(
        [(c.id, ClickKind.SCANNER) for c in burst] + [(reader.id, ClickKind.UNIQUE)]
    )


def test_scanner_burst_split_over_two_passes_is_still_one_burst(links, settings):
    first = click(links[0], T0)
    # The pass that settles the first click sees the second (2 s later, not yet settled
    # itself): both are one burst, though a later pass settles the second.
    second = click(links[1], T0 + dt.timedelta(seconds=2))
    count_pending_clicks(T0 + dt.timedelta(seconds=settings.CLICK_SETTLE_SECONDS))
    assert kinds([first, second]) == [ClickKind.SCANNER, ClickKind.PENDING]
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    assert kinds([first, second]) == [ClickKind.SCANNER, ClickKind.SCANNER]


def test_a_person_clicking_two_links_a_minute_apart_is_not_a_scanner(links):
    first = click(links[0], T0)
    second = click(links[1], T0 + dt.timedelta(minutes=1))
    count_pending_clicks(T0 + dt.timedelta(minutes=2))
    assert kinds([first, second]) == [ClickKind.UNIQUE, ClickKind.UNIQUE]


def test_the_same_link_clicked_twice_quickly_is_a_repeat_not_a_scanner(links):
    first = click(links[0], T0)
    again = click(links[0], T0 + dt.timedelta(seconds=1))
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    assert kinds([first, again]) == [ClickKind.UNIQUE, ClickKind.REPEAT]


def test_repeats_within_30_minutes_count_once(links):
    clicks = [click(links[0], T0 + dt.timedelta(minutes=m)) for m in (0, 5, 29)]
    count_pending_clicks(T0 + dt.timedelta(hours=1))
    assert kinds(clicks) == [ClickKind.UNIQUE, ClickKind.REPEAT, ClickKind.REPEAT]


def test_repeat_after_30_minutes_is_unique_again(links):
    first = click(links[0], T0)
    # Settled in an earlier pass, so the later one is decided against the stored kind.
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    later = [click(links[0], T0 + dt.timedelta(minutes=m)) for m in (31, 45, 62)]
    count_pending_clicks(T0 + dt.timedelta(hours=2))
    assert kinds([first, *later]) == [
        ClickKind.UNIQUE,
        ClickKind.UNIQUE,  # 31 minutes after the first unique
        ClickKind.REPEAT,  # 14 minutes after that one
        ClickKind.UNIQUE,  # 31 minutes after it
    ]


def test_repeat_across_passes_is_judged_against_the_settled_click(links):
    first = click(links[0], T0)
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    again = click(links[0], T0 + dt.timedelta(minutes=10))
    count_pending_clicks(T0 + dt.timedelta(minutes=11))
    assert kinds([first, again]) == [ClickKind.UNIQUE, ClickKind.REPEAT]


def test_different_visitors_on_one_link_are_each_unique(links):
    clicks = [click(links[0], T0 + dt.timedelta(seconds=n), ip=f"192.0.2.{n}") for n in range(1, 4)]
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    assert kinds(clicks) == [ClickKind.UNIQUE] * 3


def test_a_preview_next_to_a_click_does_not_make_a_burst(links):
    # Slack unfurls a link from the same office address a moment before a person clicks
    # another: machine clicks are not part of a person's burst.
    preview = click(links[0], T0, user_agent="Slackbot-LinkExpanding 1.0")
    person = click(links[1], T0 + dt.timedelta(seconds=1))
    count_pending_clicks(T0 + dt.timedelta(minutes=1))
    assert kinds([preview, person]) == [ClickKind.PREVIEW, ClickKind.UNIQUE]
