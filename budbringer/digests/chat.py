"""Digests in chat: Slack and Microsoft Teams incoming webhooks.

A person (or a team) gives us a webhook URL; the digest is posted there as one message.

1. ``webhook_kind`` picks the format from the host: Slack Block Kit, or a Teams
   Adaptive Card for Workflows (Power Automate) webhooks. Any other host gets the
   Slack format: Mattermost, Rocket.Chat, Zulip's Slack-compatible integration and
   Discord's ``/slack`` endpoints read Slack's ``text``, so the fallback text is a
   readable digest by itself (titles as ``<url|title>`` links and the footer links).
2. ``slack_payload`` / ``teams_payload`` are plain functions of a DigestContent.
   Every text from outside (titles, summaries, source names) is escaped so it cannot
   add links, mentions or formatting; our URLs are escaped for the link syntax too.
3. ``post_digest`` posts through ``fetcher.post_json``, the same address guard as
   feed fetching (private addresses refused unless in BUDBRINGER_FETCH_ALLOW, no
   redirects), and turns the answer into a Result.

Images are left out on purpose: Slack refuses the whole message (``invalid_blocks``)
when it cannot download one image, and a digest must not fail for a picture.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote, urlsplit

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budbringer.digests.content import DigestContent, Entry
from budbringer.digests.outcomes import Result
from budbringer.lib.guarded_http import FetchError, PostResult, Resolver, post_json
from budbringer.lib.netguard import AddressPolicy

WebhookKind = Literal["slack", "teams"]

# Slack Block Kit limits (api.slack.com/reference/block-kit): 50 blocks per message,
# 150 characters in a header, 3000 in a section text, 10 elements in a context
# block, 25 elements in an actions block, 75 characters in a button text, 3000 in
# a button URL. Every entry takes a section, a context and an actions block; the
# header and the footer take two more, and one context says how many were left out.
SLACK_MAX_BLOCKS = 50
MAX_ENTRIES = (SLACK_MAX_BLOCKS - 3) // 3  # 15
# Teams shows at most 6 actions in a row (its host config's maxActions); 5 share
# buttons fit every network we have and keep Slack's rows short too.
MAX_SHARE_BUTTONS = 5
# Teams refuses messages over about 28 KB; summaries are the long part.
MAX_SUMMARY_CHARS = 600
POST_TIMEOUT = 15.0  # seconds, everything included; a webhook answers in well under one

_SLACK_HOSTS = ("hooks.slack.com",)
_TEAMS_HOST_SUFFIXES = (".webhook.office.com", ".logic.azure.com", ".powerplatform.com")


def webhook_kind(url: str) -> WebhookKind:
    """ "teams" for Teams and Power Automate webhooks, otherwise "slack"."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return "slack"
    if any(host == suffix[1:] or host.endswith(suffix) for suffix in _TEAMS_HOST_SUFFIXES):
        return "teams"
    return "slack"  # hooks.slack.com, and the Slack-compatible rest


def payload_for(url: str, content: DigestContent) -> dict:
    return teams_payload(content) if webhook_kind(url) == "teams" else slack_payload(content)


def post_digest(
    url: str,
    content: DigestContent,
    *,
    timeout: float | None = None,
    policy: AddressPolicy | None = None,
    resolver: Resolver | None = None,
) -> Result:
    """Post the digest to the webhook at ``url`` and say what came of it."""
    try:
        answer = post_json(
            url,
            payload_for(url, content),
            timeout=POST_TIMEOUT if timeout is None else timeout,
            policy=policy,
            resolver=resolver,
        )
    except FetchError as error:
        return classify_error(error)
    return classify_answer(answer)


def classify_answer(answer: PostResult) -> Result:
    """What an HTTP answer from a webhook means for this delivery.

    Slack answers ``200 ok``, and errors with a 4xx and a short code as the body:
    400 invalid_payload / invalid_blocks (our message is wrong: permanent, but not
    the recipient's fault), 403 action_prohibited / invalid_token, 404
    channel_not_found / no_service / no_team, 410 channel_is_archived / team_disabled
    (the webhook is gone: permanent, the person's address). Workflows webhooks answer
    202. A 2xx is taken as sent whatever its body: Slack does not answer 200 with an
    error, and Slack-compatible servers answer "ok" or JSON of their own.
    """
    status = answer.status
    detail = f"{status} {_short(answer.body)}".strip()
    if 200 <= status < 300:
        return Result.sent(detail)
    if 300 <= status < 400:
        location = answer.headers.get("Location", "")
        return Result.permanent(
            f"{status}: the webhook redirects to {location or 'another address'}; "
            "webhooks are only posted to the address given.",
            recipient_problem=True,
        )
    if status in (401, 403, 404, 410):
        return Result.permanent(detail, recipient_problem=True)
    if status in (408, 425, 429) or status >= 500:
        retry_after = answer.headers.get("Retry-After", "").strip()
        if retry_after:
            detail = f"{detail} (Retry-After: {_short(retry_after, 40)})"
        return Result.temporary(detail)
    return Result.permanent(detail)  # 400 and the other 4xx: our message, not their address


def classify_error(error: FetchError) -> Result:
    """A post that got no HTTP answer: an address that can never be posted to is the
    person's to fix; DNS, connection, TLS and timeout problems may pass."""
    if error.reason in ("blocked_address", "bad_url", "bad_scheme"):
        return Result.permanent(error.message, recipient_problem=True)
    return Result.temporary(error.message)


# Slack


def slack_payload(content: DigestContent) -> dict:
    """A Slack incoming-webhook message: Block Kit blocks plus a fallback ``text``."""
    with translation.override(content.language):
        entries = content.entries[:MAX_ENTRIES]
        left_out = len(content.entries) - len(entries)
        blocks: list[dict] = [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _clip(_heading(content), 150)},
            }
        ]
        for number, entry in enumerate(entries):
            blocks += _slack_entry(entry, number)
        if left_out:
            blocks.append(
                {
                    "type": "context",
                    "elements": [{"type": "plain_text", "text": _more_items(left_out)}],
                }
            )
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _slack_footer(content)}],
            }
        )
        return {"text": _slack_text(content, entries, left_out), "blocks": blocks}


def _slack_entry(entry: Entry, number: int) -> list[dict]:
    text = f"*{slack_link(entry.url, _clip(entry.title, 300))}*"
    summary = _clip(entry.summary, MAX_SUMMARY_CHARS)
    # Escaping lengthens the text; shorten the summary, never the link, to fit.
    while summary and len(text) + 1 + len(slack_escape(summary)) > 3000:
        summary = summary[: len(summary) // 2].rstrip() + "…" if len(summary) > 2 else ""
    if summary:
        text += "\n" + slack_escape(summary)
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    about = [part for part in (entry.source, entry.reason) if part]
    if about:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "plain_text", "text": _clip(" · ".join(about), 2000)}],
            }
        )
    buttons = [
        {
            "type": "button",
            "action_id": f"share-{number}-{index}",  # unique in the message, as Slack requires
            "text": {"type": "plain_text", "text": _clip(share.label, 75)},
            "url": share.url,
        }
        for index, share in enumerate(entry.shares[:MAX_SHARE_BUTTONS])
        if len(share.url) <= 3000
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _slack_footer(content: DigestContent) -> str:
    return " · ".join(
        [
            slack_link(content.preferences_url, _("Change what you get")),
            slack_link(content.unsubscribe_url, _("Unsubscribe")),
        ]
    )


def _slack_text(content: DigestContent, entries: tuple[Entry, ...], left_out: int) -> str:
    """The notification text, and the whole message for Slack-compatible servers
    that ignore blocks."""
    lines = [slack_escape(_heading(content))]
    lines += [f"• {slack_link(entry.url, entry.title)}" for entry in entries]
    if left_out:
        lines.append(slack_escape(_more_items(left_out)))
    lines.append(_slack_footer(content))
    return "\n".join(lines)


# Slack has no escape for its formatting marks; a zero-width space beside each one
# keeps it from pairing up, and the text still reads the same.
_SLACK_MARKS = re.compile(r"([*_~`])")


def slack_escape(text: str) -> str:
    """``text`` safe in Slack mrkdwn: no links, mentions (``<!channel>``) or formatting."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_MARKS.sub("\u200b\\1\u200b", text)


def slack_link(url: str, label: str) -> str:
    # In <url|label> the URL ends at the first "|" or ">": those are percent-encoded,
    # and &, < and > are entity-escaped as in all Slack text.
    safe_url = _url_quote(url, '|<> "').replace("&", "&amp;")
    return f"<{safe_url}|{slack_escape(label)}>"


# Microsoft Teams


def teams_payload(content: DigestContent) -> dict:
    """A Teams Workflows webhook message carrying an Adaptive Card 1.4."""
    with translation.override(content.language):
        entries = content.entries[:MAX_ENTRIES]
        left_out = len(content.entries) - len(entries)
        body: list[dict] = [
            {
                "type": "TextBlock",
                "text": teams_escape(_heading(content)),
                "size": "Large",
                "weight": "Bolder",
                "wrap": True,
            }
        ]
        for entry in entries:
            body.append(_teams_entry(entry))
        if left_out:
            body.append(
                {
                    "type": "TextBlock",
                    "text": teams_escape(_more_items(left_out)),
                    "isSubtle": True,
                    "wrap": True,
                }
            )
        body.append(
            {
                "type": "TextBlock",
                "text": " · ".join(
                    [
                        teams_link(content.preferences_url, _("Change what you get")),
                        teams_link(content.unsubscribe_url, _("Unsubscribe")),
                    ]
                ),
                "size": "Small",
                "isSubtle": True,
                "wrap": True,
                "separator": True,
                "spacing": "Large",
            }
        )
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "lang": content.language,
            "msteams": {"width": "Full"},
            "body": body,
        }
        return {
            "type": "message",
            # Shown in notifications and the activity feed.
            "summary": _clip(content.subject or _heading(content), 200),
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }


def _teams_entry(entry: Entry) -> dict:
    items: list[dict] = [
        {
            "type": "TextBlock",
            "text": teams_link(entry.url, entry.title),
            "weight": "Bolder",
            "wrap": True,
        }
    ]
    if entry.summary:
        items.append(
            {
                "type": "TextBlock",
                "text": teams_escape(_clip(entry.summary, MAX_SUMMARY_CHARS)),
                "wrap": True,
                "spacing": "Small",
            }
        )
    about = [part for part in (entry.source, entry.reason) if part]
    if about:
        items.append(
            {
                "type": "TextBlock",
                "text": teams_escape(" · ".join(about)),
                "size": "Small",
                "isSubtle": True,
                "wrap": True,
                "spacing": "Small",
            }
        )
    actions = [
        {"type": "Action.OpenUrl", "title": share.label, "url": share.url}
        for share in entry.shares[:MAX_SHARE_BUTTONS]
    ]
    if actions:
        items.append({"type": "ActionSet", "actions": actions})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


# The Adaptive Card markdown subset: **bold**, _italic_, lists and [links](url).
# Backslash escapes keep outside text from forming emphasis or links; < and > too,
# as some Teams clients turn <url> into a link. "(" needs none once "[" and "]" have
# one, so "Fjords (video)" reads unchanged.
_TEAMS_MARKS = re.compile(r"([\\`*_\[\]<>~])")


def teams_escape(text: str) -> str:
    """``text`` shown as written in an Adaptive Card TextBlock: no links, no formatting."""
    return _TEAMS_MARKS.sub(r"\\\1", text)


def teams_link(url: str, label: str) -> str:
    return f"[{teams_escape(label)}]({_url_quote(url, '()<> ')})"


# Shared


def _heading(content: DigestContent) -> str:
    return content.subject or _("News for %(name)s") % {"name": content.person_name}


def _more_items(count: int) -> str:
    return ngettext(
        "%(count)d more item is waiting in your digest.",
        "%(count)d more items are waiting in your digest.",
        count,
    ) % {"count": count}


def _url_quote(url: str, characters: str) -> str:
    return "".join(quote(char, safe="") if char in characters else char for char in url)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _short(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]
