"""Tell people from machines: crawlers, link-preview fetchers and HEAD probes."""

import re
from functools import lru_cache

from crawlerdetect import CrawlerDetect

# Link-preview fetchers that unfurl a shared link; CrawlerDetect knows most, we make sure.
_PREVIEW_AGENTS = re.compile(
    r"LinkedInBot|Twitterbot|facebookexternalhit|facebookcatalog|Slackbot|Slack-ImgProxy|"
    r"Discordbot|TelegramBot|WhatsApp|SkypeUriPreview|Teams|Iframely|redditbot|Embedly|"
    r"Pinterestbot|Applebot|bitlybot|XING-contenttabreceiver|Mastodon|Bluesky|vkShare",
    re.IGNORECASE,
)

_detector = CrawlerDetect()


@lru_cache(maxsize=4096)
def is_bot_agent(user_agent: str) -> bool:
    if not user_agent.strip():
        return True  # browsers always send one
    return bool(_PREVIEW_AGENTS.search(user_agent)) or _detector.isCrawler(user_agent)


def is_bot_request(method: str, user_agent: str) -> bool:
    # People follow links with GET; HEAD comes from link checkers and previewers.
    return method != "GET" or is_bot_agent(user_agent)
