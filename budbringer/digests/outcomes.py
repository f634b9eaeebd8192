"""What one attempt to deliver a message came to, whatever the channel."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass


class Outcome(enum.Enum):
    SENT = "sent"  # the server or webhook accepted it
    TEMPORARY = "temporary"  # try again later (4xx, timeout, connection refused, 429, 5xx)
    PERMANENT = "permanent"  # trying again cannot help (5xx for the address, webhook gone)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""  # the server's answer or the error, short, for the admin view
    # A permanent failure that is about the recipient's address (550 no such user, a
    # deleted webhook): recorded on the person so nothing more is sent there.
    recipient_problem: bool = False

    @classmethod
    def sent(cls, detail: str = "") -> Result:
        return cls(Outcome.SENT, detail)

    @classmethod
    def temporary(cls, detail: str) -> Result:
        return cls(Outcome.TEMPORARY, detail[:500])

    @classmethod
    def permanent(cls, detail: str, *, recipient_problem: bool = False) -> Result:
        return cls(Outcome.PERMANENT, detail[:500], recipient_problem)


# Retries of temporary failures: about 1, 5, 15, 60 and 180 minutes, then give up.
RETRY_MINUTES = (1, 5, 15, 60, 180)


def retry_delay_seconds(attempts: int, rng: random.Random | None = None) -> float | None:
    """Seconds to wait after ``attempts`` failed tries (None: give up), with +-20 % jitter
    so that a server coming back is not hit by every waiting message at once."""
    if attempts < 1 or attempts > len(RETRY_MINUTES):
        return None
    jitter = (rng or random).uniform(0.8, 1.2)
    return RETRY_MINUTES[attempts - 1] * 60 * jitter
