"""When people are reachable: the per-person send-time model (plain Python, no Django)."""

from budbringer.timing.model import SendTimeModel

__all__ = ["SendTimeModel"]
