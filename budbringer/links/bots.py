"""Tell people from machines: crawlers, link-preview fetchers, self-declared mail scanners
and HEAD probes."""

import re
from functools import lru_cache

from crawlerdetect import CrawlerDetect

from budbringer.links.models import ClickKind

# Link-preview fetchers that unfurl a shared link; CrawlerDetect knows most, we make sure.
_PREVIEW_AGENTS = re.compile(
    r"LinkedInBot|Twitterbot|facebookexternalhit|facebookcatalog|Slackbot|Slack-ImgProxy|"
    r"Discordbot|TelegramBot|WhatsApp|SkypeUriPreview|Teams|Iframely|redditbot|Embedly|"
    r"Pinterestbot|Applebot|bitlybot|XING-contenttabreceiver|Mastodon|Bluesky|vkShare",
    re.IGNORECASE,
)

# E-mail security scanners that say who they are; most pose as browsers and are found by
# their burst pattern instead (links/counting.py).
_SCANNER_AGENTS = re.compile(
    r"Barracuda|Mimecast|Proofpoint|SafeLinks|Safe Links|Forcepoint|MessageLabs|IronPort|"
    r"Zscaler|Trend ?Micro|Sophos|Symantec|FireEye|Check ?Point|Cisco-Secure-Email",
    re.IGNORECASE,
)

_detector = CrawlerDetect()


@lru_cache(maxsize=4096)
def agent_kind(user_agent: str) -> str:
    """``preview``, ``scanner``, ``bot`` or ``pending`` (browser-like) for a user agent;
    cached, as the same few agents make most requests."""
    if not user_agent.strip():
        return ClickKind.BOT  # browsers always send one
    if _PREVIEW_AGENTS.search(user_agent):
        return ClickKind.PREVIEW
    if _SCANNER_AGENTS.search(user_agent):
        return ClickKind.SCANNER
    if _detector.isCrawler(user_agent):
        return ClickKind.BOT
    return ClickKind.PENDING


def request_kind(method: str, user_agent: str) -> str:
    """The click kind known at request time: people follow links with GET; HEAD (and
    anything else) comes from link checkers and previewers."""
    if method != "GET":
        return ClickKind.PROBE
    return agent_kind(user_agent)


def is_bot_agent(user_agent: str) -> bool:
    return agent_kind(user_agent) != ClickKind.PENDING


def is_bot_request(method: str, user_agent: str) -> bool:
    return request_kind(method, user_agent) != ClickKind.PENDING
