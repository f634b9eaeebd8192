"""Visitor hashes: recognise a repeated click on the same day without keeping the IP."""

import datetime as dt
import hashlib
import secrets

from budbringer.links.models import VisitorSalt

# Salts live this many days: today's, and yesterday's for clicks around midnight.
SALT_DAYS_KEPT = 2

_salt_cache: dict[dt.date, str] = {}


def salt_for(day: dt.date) -> str:
    salt = _salt_cache.get(day)
    if salt is None:
        # get_or_create retries the read when another process wins the insert.
        salt = VisitorSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})[
            0
        ].salt
        _salt_cache.clear()  # only the current day is needed in memory
        _salt_cache[day] = salt
    return salt


def salt_cached(day: dt.date) -> bool:
    """Whether `salt_for(day)` answers without the database."""
    return day in _salt_cache


def visitor_hash(ip: str, day: dt.date) -> str:
    if not ip:
        return ""
    return hashlib.sha256(f"{salt_for(day)}|{ip}".encode()).hexdigest()


def prune_salts(today: dt.date) -> int:
    """Delete old salts, so old visitor hashes can never be linked back to an address."""
    cutoff = today - dt.timedelta(days=SALT_DAYS_KEPT - 1)
    for day in [day for day in _salt_cache if day < cutoff]:
        del _salt_cache[day]
    deleted, _ = VisitorSalt.objects.filter(day__lt=cutoff).delete()
    return deleted
