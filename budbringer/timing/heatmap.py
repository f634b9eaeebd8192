"""A week-by-hour heatmap of a reachability profile, laid out for an inline SVG."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from budbringer.timing import slots

LEVELS = 8  # colour steps, from none (0) to the busiest hour (LEVELS - 1)
CELL = 16  # px, including a 2 px gap
LEFT = 40  # px for the day names
TOP = 16  # px for the hour labels


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    level: int
    title: str


@dataclass(frozen=True)
class Heatmap:
    cells: list[Cell]
    days: list[tuple[int, str]]  # (y, abbreviated day name)
    hours: list[tuple[int, str]]  # (x, "06"), every third hour
    width: int
    height: int
    best: str  # the best three-hour window, in words


def levels(shares: np.ndarray) -> np.ndarray:
    """Colour step per hour, relative to the busiest hour (0 only where nothing happens)."""
    top = float(np.max(shares))
    if top <= 0:
        return np.zeros(len(shares), dtype=int)
    return np.ceil(shares / top * (LEVELS - 1)).astype(int)


def best_window(shares: np.ndarray, window: int = 3) -> str:
    hour = int(np.argmax(slots.window_scores(shares, window)))
    day, start = divmod(hour, 24)
    end = (start + window) % 24
    return _("%(day)s %(start)02d:00-%(end)02d:00") % {
        "day": WEEKDAYS[day],
        "start": start,
        "end": end,
    }


def layout(shares: np.ndarray) -> Heatmap:
    shares = np.asarray(shares, dtype=float)
    shares = shares / shares.sum() if shares.sum() > 0 else shares
    steps = levels(shares)
    cells = []
    for hour in range(slots.HOURS):
        day, clock = divmod(hour, 24)
        title = _("%(day)s %(hour)02d:00: %(share).1f%% of activity") % {
            "day": WEEKDAYS_ABBR[day],
            "hour": clock,
            "share": shares[hour] * 100,
        }
        cells.append(Cell(LEFT + clock * CELL, TOP + day * CELL, int(steps[hour]), title))
    return Heatmap(
        cells=cells,
        days=[(TOP + day * CELL + CELL - 4, str(WEEKDAYS_ABBR[day])) for day in range(7)],
        hours=[(LEFT + clock * CELL, f"{clock:02d}") for clock in range(0, 24, 3)],
        width=LEFT + 24 * CELL,
        height=TOP + 7 * CELL,
        best=best_window(shares),
    )
