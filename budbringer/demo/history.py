"""Two months of made-up sharing and clicking for the demo: plain data in, plain data out.

Everything comes from the ``random.Random`` passed in, so a seed and a ``now`` give the
same history every time. The addresses are all from the documentation ranges
(RFC 5737), which no real visitor has.
"""

import datetime as dt
import math
import random
import zoneinfo
from dataclasses import dataclass

HISTORY_DAYS = 60

# How many shares a person makes in the whole period, by how keen they are.
SHARES_BY_ACTIVITY = {"often": (14, 22), "sometimes": (4, 9), "rarely": (1, 2), "never": (0, 0)}

# Leaders and sales people have larger networks, so their shares are clicked more.
REACH_BY_ROLE = {"leader": 1.8, "sales": 1.4}

# Where people share, and how many people click a share there on average.
NETWORK_WEIGHTS = {"linkedin": 55, "email": 15, "x": 14, "facebook": 10, "xing": 6}
MEAN_CLICKS = {"linkedin": 4.0, "email": 2.5, "x": 1.5, "facebook": 2.0, "xing": 1.0}

# The link-preview fetcher each network sends right after a share (email has none).
PREVIEW_AGENTS = {
    "linkedin": (
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
    ),
    "x": "Twitterbot/1.0",
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "xing": "XING-contenttabreceiver/2.0",
}
SLACKBOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"
TEAMS_PREVIEW = (
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
    "skype-url-preview@microsoft.com"
)

REFERRERS = {
    "linkedin": ["https://www.linkedin.com/", "https://www.linkedin.com/", ""],
    "x": ["https://t.co/", ""],
    "facebook": ["https://l.facebook.com/", "https://lm.facebook.com/"],
    "xing": ["https://www.xing.com/"],
    "email": ["", "", "https://outlook.office.com/"],
}
INTRANET = "https://intranet.nordlys.example/"

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36",
]

# People click from two documentation ranges; link-preview bots come from the third.
VISITOR_NETWORKS = ["203.0.113", "192.0.2"]
BOT_NETWORK = "198.51.100"

# Local hours people share at (7:00 to 20:00), busiest in the morning.
SHARING_HOURS = list(range(7, 21))
SHARING_HOUR_WEIGHTS = [2, 5, 8, 7, 6, 4, 5, 4, 4, 3, 2, 2, 2, 1]

# Content older than this when someone shares is rarely shared: people share news.
FRESH_DAYS = 21


@dataclass(frozen=True)
class Sharer:
    key: str
    role: str
    languages: tuple[str, ...]
    time_zone: str
    activity: str
    topics: frozenset[str] = frozenset()
    # When they stopped using Budbringer (they left, or never came in): nothing of theirs
    # is planned from then on. Planned and then dropped, so the random draws, and so
    # everyone else's history, are the same with or without it.
    active_until: dt.datetime | None = None

    def was_active(self, at: dt.datetime) -> bool:
        return self.active_until is None or at < self.active_until


@dataclass(frozen=True)
class Shareable:
    key: str
    language: str
    # When people could first share it: its approval.
    available_from: dt.datetime
    expires_at: dt.datetime | None = None
    topics: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlannedClick:
    at: dt.datetime
    ip: str
    user_agent: str
    referrer: str
    method: str = "GET"


@dataclass(frozen=True)
class PlannedShare:
    person: str
    item: str
    network: str
    at: dt.datetime
    clicks: tuple[PlannedClick, ...]


def plan_shares(
    sharers: list[Sharer],
    items: list[Shareable],
    now: dt.datetime,
    rng: random.Random,
    days: int = HISTORY_DAYS,
) -> list[PlannedShare]:
    """Shares (each with its clicks) over the last ``days`` days, oldest first.

    Only approved items belong in ``items``; a share happens after the item was approved
    and before it expired, in one of the person's languages, and nobody shares an item twice.
    """
    visitors = [f"{prefix}.{host}" for prefix in VISITOR_NETWORKS for host in range(1, 255)]
    shares = []
    for sharer in sharers:
        low, high = SHARES_BY_ACTIVITY[sharer.activity]
        # Each person's followers: the same few addresses come back across their shares.
        followers = rng.sample(visitors, 40)
        shared: set[str] = set()
        for _share in range(rng.randint(low, high)):
            planned = _plan_one(sharer, items, shared, now, rng, days, followers)
            if planned is not None:
                shared.add(planned.item)
                if sharer.was_active(planned.at):
                    shares.append(planned)
    shares.sort(key=lambda share: share.at)
    return shares


# Planned clicks end this long before now, so the load's counting pass, which leaves a click
# pending for CLICK_SETTLE_SECONDS, settles every one of them.
SETTLED_BEFORE = dt.timedelta(minutes=1)


def plan_link_clicks(
    since: dt.datetime, now: dt.datetime, rng: random.Random, count: int = 25
) -> list[PlannedClick]:
    """Clicks on a link posted on the intranet: colleagues, and a chat preview or two."""
    visitors = [f"{prefix}.{host}" for prefix in VISITOR_NETWORKS for host in range(1, 255)]
    span = max((now - SETTLED_BEFORE - since).total_seconds(), 60.0)
    clicks = [
        PlannedClick(
            at=since + dt.timedelta(seconds=rng.uniform(30, span)),
            ip=rng.choice(visitors),
            user_agent=rng.choice(BROWSERS),
            referrer=INTRANET,
        )
        for _click in range(count)
    ]
    for agent in (SLACKBOT, TEAMS_PREVIEW):
        clicks.append(
            PlannedClick(
                at=since + dt.timedelta(seconds=rng.uniform(30, span)),
                ip=f"{BOT_NETWORK}.{rng.randint(1, 254)}",
                user_agent=agent,
                referrer="",
            )
        )
    return sorted(clicks, key=lambda click: click.at)


def plan_scanner_burst(links: int, at: dt.datetime, rng: random.Random) -> list[PlannedClick]:
    """An e-mail security scanner following every link of a message at delivery: one
    address, a browser's user agent, all links within a second (links/counting.py)."""
    ip = f"{BOT_NETWORK}.{rng.randint(1, 254)}"
    agent = rng.choice(BROWSERS)
    return [
        PlannedClick(
            at=at + dt.timedelta(milliseconds=250 * n), ip=ip, user_agent=agent, referrer=""
        )
        for n in range(links)
    ]


def _plan_one(sharer, items, shared, now, rng, days, followers) -> PlannedShare | None:
    zone = zoneinfo.ZoneInfo(sharer.time_zone)
    for _attempt in range(20):
        at = _sharing_moment(zone, now, rng, days)
        if at is None:
            continue
        candidates = [
            item
            for item in items
            if item.key not in shared
            and item.language in sharer.languages
            and item.available_from <= at
            and (item.expires_at is None or at < item.expires_at)
            and at - item.available_from <= dt.timedelta(days=FRESH_DAYS)
        ]
        if not candidates:
            continue
        weights = [_appeal(item, sharer, at) for item in candidates]
        item = rng.choices(candidates, weights)[0]
        network = rng.choices(list(NETWORK_WEIGHTS), list(NETWORK_WEIGHTS.values()))[0]
        clicks = _plan_clicks(network, sharer, at, now, rng, followers)
        return PlannedShare(sharer.key, item.key, network, at, clicks)
    return None


def _sharing_moment(zone, now, rng, days) -> dt.datetime | None:
    """A working-hours moment in the person's time zone; fewer on weekends."""
    local_day = (now.astimezone(zone) - dt.timedelta(days=rng.randrange(days))).date()
    if local_day.weekday() >= 5 and rng.random() < 0.8:
        return None
    hour = rng.choices(SHARING_HOURS, SHARING_HOUR_WEIGHTS)[0]
    local = dt.datetime.combine(local_day, dt.time(hour, rng.randrange(60)), tzinfo=zone)
    at = local.astimezone(dt.UTC)
    return at if at < now - dt.timedelta(minutes=30) else None


def _appeal(item: Shareable, sharer: Sharer, at: dt.datetime) -> float:
    age_days = (at - item.available_from).total_seconds() / 86400
    appeal = math.exp(-age_days / 5)
    if item.topics & sharer.topics:
        appeal *= 2
    if item.language == sharer.languages[0]:
        appeal *= 1.5
    return appeal


def _plan_clicks(network, sharer, shared_at, now, rng, followers) -> tuple[PlannedClick, ...]:
    clicks = []
    preview = PREVIEW_AGENTS.get(network)
    if preview and rng.random() < 0.9:
        clicks.append(
            PlannedClick(
                at=shared_at + dt.timedelta(seconds=rng.uniform(2, 40)),
                ip=f"{BOT_NETWORK}.{rng.randint(1, 254)}",
                user_agent=preview,
                referrer="",
            )
        )
    if rng.random() < 0.15:  # someone pastes the link into a chat
        clicks.append(
            PlannedClick(
                at=shared_at + dt.timedelta(hours=rng.uniform(0.5, 30)),
                ip=f"{BOT_NETWORK}.{rng.randint(1, 254)}",
                user_agent=rng.choice([SLACKBOT, TEAMS_PREVIEW]),
                referrer="",
            )
        )
    if rng.random() < 0.05:  # a link checker probing with HEAD
        clicks.append(
            PlannedClick(
                at=shared_at + dt.timedelta(minutes=rng.uniform(1, 120)),
                ip=f"{BOT_NETWORK}.{rng.randint(1, 254)}",
                user_agent=rng.choice(BROWSERS),
                referrer="",
                method="HEAD",
            )
        )
    mean = MEAN_CLICKS[network] * REACH_BY_ROLE.get(sharer.role, 1.0)
    for _person in range(min(round(rng.expovariate(1 / mean)), 30)):
        # Most clicks come in the first hours after a share, a few days later.
        at = shared_at + dt.timedelta(seconds=min(rng.expovariate(1 / 21600), 5 * 86400))
        click = PlannedClick(
            at=at,
            ip=rng.choice(followers),
            user_agent=rng.choice(BROWSERS),
            referrer=rng.choice(REFERRERS[network]),
        )
        clicks.append(click)
        if rng.random() < 0.2:  # the same reader comes back to it a little later
            clicks.append(
                PlannedClick(
                    at=at + dt.timedelta(minutes=rng.uniform(1, 45)),
                    ip=click.ip,
                    user_agent=click.user_agent,
                    referrer=click.referrer,
                )
            )
    latest = now - SETTLED_BEFORE
    return tuple(sorted((click for click in clicks if click.at < latest), key=lambda c: c.at))


# When people use Budbringer: a few everyday rhythms (local hours and their weights), so
# the demo's reachability heatmaps show people who differ, as real colleagues do.
RHYTHMS = {
    "early": {7: 6, 8: 8, 9: 5, 10: 2, 13: 2, 16: 1},
    "office": {9: 4, 10: 5, 11: 4, 13: 3, 14: 4, 15: 3, 16: 2},
    "lunch": {8: 2, 11: 3, 12: 8, 13: 5, 17: 2},
    "evening": {8: 2, 9: 2, 19: 3, 20: 6, 21: 5, 22: 2},
}
# Share of working days a person opens Budbringer, by how keen they are on sharing.
ACTIVE_DAY_SHARE = {"often": 0.7, "sometimes": 0.45, "rarely": 0.25, "never": 0.12}
WEEKEND_FACTOR = 0.2


def plan_active_hours(sharer: Sharer, now: dt.datetime, rng: random.Random) -> list[dt.datetime]:
    """Moments (UTC) the person used Budbringer in the last HISTORY_DAYS, in their rhythm."""
    zone = zoneinfo.ZoneInfo(sharer.time_zone)
    rhythm = RHYTHMS[rng.choice(sorted(RHYTHMS))]
    hours, weights = list(rhythm), list(rhythm.values())
    today = now.astimezone(zone).date()
    moments = []
    for days_ago in range(HISTORY_DAYS):
        day = today - dt.timedelta(days=days_ago)
        chance = ACTIVE_DAY_SHARE[sharer.activity]
        if day.weekday() >= 5:
            chance *= WEEKEND_FACTOR
        if rng.random() >= chance:
            continue
        for hour in set(rng.choices(hours, weights, k=rng.randint(1, 3))):
            local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=zone)
            at = local.astimezone(dt.UTC)
            if at < now and sharer.was_active(at):
                moments.append(at)
    return sorted(moments)
