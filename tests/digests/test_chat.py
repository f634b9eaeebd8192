"""Digests in chat: the Slack and Teams messages, and posting them to a webhook."""

import json
import re
import socket
import time

import pytest
from django.utils import translation

from budbringer.digests import chat
from budbringer.digests.chat import post_digest, slack_payload, teams_payload, webhook_kind
from budbringer.digests.content import DigestContent, Entry, ShareButton
from budbringer.digests.outcomes import Outcome
from tests import webhooks

webhook_receiver = webhooks.webhook_receiver

HOSTILE_TITLES = [
    "<http://evil.example|click>",
    "*bold* _it_ ~gone~ `code`",
    "[click](http://evil.example)",
]


def make_entry(number, *, title=None, shares=3, summary=None):
    return Entry(
        title=title or f"Fjord data centres go green, part {number}",
        url=f"https://budbringer.example.com/r/{number}/abc",
        source="Nordlys blog",
        summary=summary if summary is not None else f"Cooling with sea water, story {number}.",
        reason="Because you follow Industry news",
        suggested_text="Worth a read",
        shares=tuple(
            ShareButton(
                network=f"network{index}",
                label=f"Share on Network {index}",
                url=f"https://budbringer.example.com/s/{number}/{index}/sig",
            )
            for index in range(shares)
        ),
    )


def make_content(entries=None, *, language="en"):
    return DigestContent(
        digest_id=7,
        language=language,
        person_name="Bob",
        organisation_name="Nordlys",
        subject="Your news from Nordlys",
        preheader="3 stories picked for you",
        entries=tuple(entries if entries is not None else [make_entry(n) for n in range(3)]),
        preferences_url="https://budbringer.example.com/p/sig",
        unsubscribe_url="https://budbringer.example.com/u/sig",
        message_id="<digest-7.abcd@budbringer.example.com>",
    )


def walk(node):
    """Every dict in a JSON tree."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def slack_links(text):
    """Targets of the <url|label> links Slack would see in mrkdwn ``text``."""
    return re.findall(r"<([^|>]*)\|", text)


def teams_links(text):
    """Targets of the [label](url) links an unescaping markdown reader would see."""
    return re.findall(r"(?<!\\)\[(?:[^\]\\]|\\.)*(?<!\\)\]\(([^)\s]*)\)", text)


def all_slack_mrkdwn(payload):
    texts = [payload["text"]]
    texts += [node["text"] for node in walk(payload["blocks"]) if node.get("type") == "mrkdwn"]
    return texts


def all_teams_text(payload):
    return [node["text"] for node in walk(payload) if node.get("type") == "TextBlock"]


# Which format


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://hooks.slack.com/services/T000/B000/XXXX", "slack"),
        ("https://nordlys.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y", "teams"),
        ("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual", "teams"),
        ("https://default1234.56.environment.api.powerplatform.com/powerautomate/x", "teams"),
        ("https://NORDLYS.WEBHOOK.OFFICE.COM./webhookb2/x", "teams"),
        ("https://chat.nordlys.example/hooks/abc", "slack"),  # Mattermost and friends
        ("https://webhook.office.com.evil.example/x", "slack"),
        ("https://evil-webhook.office.com.example/x", "slack"),
        ("not a url", "slack"),
    ],
)
def test_webhook_kind_follows_the_host(url, kind):
    assert webhook_kind(url) == kind


# Slack


def test_slack_message_has_every_entry_share_and_footer_link():
    content = make_content()
    payload = slack_payload(content)
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Your news from Nordlys"},
    }
    sections = [block for block in blocks if block["type"] == "section"]
    assert [slack_links(section["text"]["text"]) for section in sections] == [
        [entry.url] for entry in content.entries
    ]
    assert "Fjord data centres go green, part 0" in sections[0]["text"]["text"]
    assert "Cooling with sea water, story 0." in sections[0]["text"]["text"]
    contexts = [block for block in blocks if block["type"] == "context"]
    assert contexts[0]["elements"][0]["text"] == ("Nordlys blog · Because you follow Industry news")
    buttons = [
        element for block in blocks if block["type"] == "actions" for element in block["elements"]
    ]
    assert [(button["text"]["text"], button["url"]) for button in buttons] == [
        (share.label, share.url) for entry in content.entries for share in entry.shares
    ]
    footer = blocks[-1]
    assert footer["type"] == "context"
    assert footer["elements"][0]["text"] == (
        "<https://budbringer.example.com/p/sig|Change what you get>"
        " · <https://budbringer.example.com/u/sig|Unsubscribe>"
    )


def test_slack_fallback_text_reads_as_a_digest_by_itself():
    content = make_content()
    text = slack_payload(content)["text"]
    assert text.startswith("Your news from Nordlys\n")
    assert slack_links(text) == [entry.url for entry in content.entries] + [
        content.preferences_url,
        content.unsubscribe_url,
    ]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_slack_escapes_hostile_titles(title):
    entry = make_entry(0, title=title, summary="<!channel> look *here* & <https://x.example>")
    payload = slack_payload(make_content([entry]))
    for text in all_slack_mrkdwn(payload):
        assert "evil" not in " ".join(slack_links(text))
        assert "<!channel>" not in text
        assert "https://x.example" not in slack_links(text)
        # No formatting mark may pair up with the next character.
        assert not re.search(r"[*_~`][A-Za-z]", text.replace(f"*<{entry.url}|", ""))
    section = payload["blocks"][1]["text"]["text"]
    assert "&lt;!channel&gt;" in section
    assert "&amp;" in section
    if title.startswith("<"):
        assert "&lt;http://evil.example|click&gt;" in section
    shown = section.replace("\u200b", "").replace("&lt;", "<").replace("&gt;", ">")
    assert title in shown  # the words themselves survive


def test_slack_link_targets_cannot_break_out():
    entry = make_entry(0)
    entry = Entry(**{**entry.__dict__, "url": "https://budbringer.example.com/r/1?a=1&b=<x>|y"})
    section = slack_payload(make_content([entry]))["blocks"][1]["text"]["text"]
    assert slack_links(section) == ["https://budbringer.example.com/r/1?a=1&amp;b=%3Cx%3E%7Cy"]


def test_slack_limits_hold_for_ten_entries_with_many_buttons():
    entries = [make_entry(n, shares=8, title="Ö" * 400, summary="&" * 2000) for n in range(10)]
    payload = slack_payload(make_content(entries))
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    assert len([block for block in blocks if block["type"] == "section"]) == 10
    action_ids = []
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
        if block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= 5
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                action_ids.append(button["action_id"])
    assert len(action_ids) == 50
    assert len(set(action_ids)) == len(action_ids)


def test_slack_leaves_out_what_does_not_fit_and_says_so():
    payload = slack_payload(make_content([make_entry(n) for n in range(40)]))
    blocks = payload["blocks"]
    assert len(blocks) <= 50
    assert len([block for block in blocks if block["type"] == "section"]) == chat.MAX_ENTRIES
    assert blocks[-2]["elements"][0]["text"] == "25 more items are waiting in your digest."


# Teams


def test_teams_message_carries_an_adaptive_card_with_everything():
    content = make_content()
    payload = teams_payload(content)
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["body"][0]["text"] == "Your news from Nordlys"
    texts = all_teams_text(payload)
    assert [link for text in texts for link in teams_links(text)] == [
        entry.url for entry in content.entries
    ] + [content.preferences_url, content.unsubscribe_url]
    assert "Nordlys blog · Because you follow Industry news" in texts
    actions = [node for node in walk(card) if node.get("type") == "Action.OpenUrl"]
    assert [(action["title"], action["url"]) for action in actions] == [
        (share.label, share.url) for entry in content.entries for share in entry.shares
    ]
    assert texts[-1] == (
        "[Change what you get](https://budbringer.example.com/p/sig)"
        " · [Unsubscribe](https://budbringer.example.com/u/sig)"
    )


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_teams_escapes_hostile_titles(title):
    entry = make_entry(0, title=title, summary="[win](http://evil.example/2) **now** <http://x>")
    payload = teams_payload(make_content([entry]))
    links = [link for text in all_teams_text(payload) for link in teams_links(text)]
    assert not any("evil" in link or "http://x" in link for link in links)
    for text in all_teams_text(payload):
        assert not re.search(r"(?<!\\)[*_~`<>]", text.replace(f"]({entry.url})", ""))
    title_block = payload["attachments"][0]["content"]["body"][1]["items"][0]["text"]
    assert re.sub(r"\\(.)", r"\1", title_block) == f"[{title}]({entry.url})"


def test_teams_limits_hold_for_ten_entries():
    entries = [make_entry(n, shares=8, summary="Fjords " * 200) for n in range(10)]
    payload = teams_payload(make_content(entries))
    for action_set in walk(payload):
        if action_set.get("type") == "ActionSet":
            assert len(action_set["actions"]) <= 5
    # Teams refuses messages over about 28 KB.
    assert len(json.dumps(payload).encode()) < 28_000


# Fixed words


@pytest.mark.parametrize("render", [slack_payload, teams_payload])
@pytest.mark.parametrize("language", ["en", "sv", "nl"])
def test_fixed_words_are_translated_in_the_persons_language(monkeypatch, render, language):
    asked = []

    def fake_gettext(message):
        asked.append((message, translation.get_language()))
        return message.upper()

    monkeypatch.setattr(chat, "_", fake_gettext)
    text = json.dumps(render(make_content(language=language)))
    assert ("Change what you get", language) in asked
    assert ("Unsubscribe", language) in asked
    assert "CHANGE WHAT YOU GET" in text
    assert "UNSUBSCRIBE" in text


def test_english_fixed_words_come_through():
    text = json.dumps(slack_payload(make_content(language="en")))
    assert "Change what you get" in text and "Unsubscribe" in text


# Posting


@pytest.fixture
def allow_loopback(settings):
    settings.FETCH_ALLOW = ["127.0.0.1"]


def test_a_slack_digest_arrives_at_the_webhook(webhook_receiver, allow_loopback):
    content = make_content()
    result = post_digest(webhook_receiver.url("/services/T1/B2/x"), content)
    assert result.outcome is Outcome.SENT
    assert result.detail == "200 ok"
    [request] = webhook_receiver.received()
    assert request.header("Content-Type").startswith("application/json")
    assert request.json == slack_payload(content)


def test_a_teams_digest_arrives_at_the_webhook(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=202, body="")
    content = make_content()
    url = f"http://prod-12.westeurope.logic.azure.com:{webhook_receiver.port}/workflows/abc"
    result = post_digest(url, content, resolver=lambda host, port: ["127.0.0.1"])
    assert result.outcome is Outcome.SENT
    [request] = webhook_receiver.received()
    assert request.path == "/workflows/abc"
    assert request.json == teams_payload(content)


@pytest.mark.parametrize(
    "status, body, headers, outcome, recipient_problem, detail",
    [
        (200, "ok", {}, Outcome.SENT, False, "200 ok"),
        (202, "", {}, Outcome.SENT, False, "202"),
        (400, "invalid_payload", {}, Outcome.PERMANENT, False, "400 invalid_payload"),
        (403, "action_prohibited", {}, Outcome.PERMANENT, True, "403 action_prohibited"),
        (404, "no_service", {}, Outcome.PERMANENT, True, "404 no_service"),
        (410, "channel_is_archived", {}, Outcome.PERMANENT, True, "410 channel_is_archived"),
        (408, "", {}, Outcome.TEMPORARY, False, "408"),
        (
            429,
            "rate_limited",
            {"Retry-After": "30"},
            Outcome.TEMPORARY,
            False,
            "429 rate_limited (Retry-After: 30)",
        ),
        (500, "rollup_error", {}, Outcome.TEMPORARY, False, "500 rollup_error"),
        (503, "<html>\n down \n</html>", {}, Outcome.TEMPORARY, False, "503 <html> down </html>"),
    ],
)
def test_answers_are_classified(
    webhook_receiver, allow_loopback, status, body, headers, outcome, recipient_problem, detail
):
    webhook_receiver.answer(status=status, body=body, headers=headers)
    result = post_digest(webhook_receiver.url(), make_content())
    assert (result.outcome, result.recipient_problem, result.detail) == (
        outcome,
        recipient_problem,
        detail,
    )


def test_a_redirect_is_not_followed_and_is_the_webhooks_problem(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=302, body="", headers={"Location": "/elsewhere"})
    result = post_digest(webhook_receiver.url("/hook"), make_content())
    assert result.outcome is Outcome.PERMANENT
    assert result.recipient_problem
    assert "redirects to /elsewhere" in result.detail
    assert [request.path for request in webhook_receiver.received()] == ["/hook"]


def test_a_slow_webhook_is_a_temporary_failure(webhook_receiver, allow_loopback):
    webhook_receiver.answer(status=200, body="ok", delay=3)
    started = time.monotonic()
    result = post_digest(webhook_receiver.url(), make_content(), timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert result.outcome is Outcome.TEMPORARY
    assert result.detail == "127.0.0.1 did not answer within 0.5 seconds."


def test_a_refused_connection_is_a_temporary_failure(allow_loopback):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = post_digest(f"http://127.0.0.1:{port}/hook", make_content())
    assert result.outcome is Outcome.TEMPORARY
    assert not result.recipient_problem


def test_a_private_address_is_refused_and_nothing_is_sent(webhook_receiver, settings):
    settings.FETCH_ALLOW = []
    result = post_digest(webhook_receiver.url(), make_content())
    assert result.outcome is Outcome.PERMANENT
    assert result.recipient_problem
    assert "127.0.0.1 is a loopback address" in result.detail
    assert webhook_receiver.received() == []


def test_a_host_name_pointing_inside_is_refused_too(webhook_receiver, settings):
    settings.FETCH_ALLOW = []
    url = f"http://nordlys.webhook.office.com:{webhook_receiver.port}/webhookb2/x"
    result = post_digest(url, make_content(), resolver=lambda host, port: ["127.0.0.1"])
    assert (result.outcome, result.recipient_problem) == (Outcome.PERMANENT, True)
    assert webhook_receiver.received() == []


def test_a_non_http_address_is_the_persons_to_fix():
    result = post_digest("ftp://hooks.slack.com/services/x", make_content())
    assert (result.outcome, result.recipient_problem) == (Outcome.PERMANENT, True)
