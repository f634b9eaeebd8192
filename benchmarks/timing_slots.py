"""Send slots for 100,000 people: how long SendTimeModel takes to compute them all.

Run from the repository root:

    .venv/bin/python benchmarks/timing_slots.py            # a few seconds

It builds SYNTHETIC state arrays directly (no events replayed): 100,000 people x 168 hours
of decayed active-hour counts, each person with 1-200 active hours drawn around one of a
few habits (office mornings, evenings, weekends, night owls), fits the population prior and
its strength once (as ``observe`` does), and then times ``slots_for`` on all rows: one
(people x 168) @ (168 x 168) product, the shrinkage and a row-wise argmax. Goal: under 5 s.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from budbringer.timing.model import HOURS, SendTimeModel, fit_dirichlet_strength


def synthetic_counts(people: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    hour = np.arange(HOURS) % 24
    weekday = np.arange(HOURS) // 24 < 5
    habits = np.stack(
        [
            np.exp(-0.5 * ((hour - 9) / 1.5) ** 2) * weekday,  # office mornings
            np.exp(-0.5 * ((hour - 20) / 1.5) ** 2) * weekday,  # weekday evenings
            np.exp(-0.5 * ((hour - 14) / 3) ** 2) * ~weekday,  # weekend afternoons
            np.exp(-0.5 * (((hour + 12) % 24 - 13) / 2) ** 2),  # night owls (01:00)
        ]
    )
    habits = 0.9 * habits / habits.sum(axis=1, keepdims=True) + 0.1 / HOURS
    which = rng.integers(0, len(habits), people)
    sizes = rng.integers(1, 201, people)
    return np.stack([rng.multinomial(n, habits[k]) for n, k in zip(sizes, which, strict=True)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    counts = synthetic_counts(args.people).astype(float)
    print(f"built {args.people:,} people x {HOURS} hours in {time.perf_counter() - t0:.1f} s")

    model = SendTimeModel()
    t0 = time.perf_counter()
    profiles = counts / counts.sum(axis=1, keepdims=True)
    model.prior = profiles.mean(axis=0) @ model.smooth
    model.strength = fit_dirichlet_strength(counts, model.prior)
    fit = time.perf_counter() - t0
    print(f"prior and its strength ({model.strength:.1f}) fitted in {fit:.2f} s (once per observe)")

    evidence = counts.sum(axis=1)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        slots = model.slots_for(counts, evidence)
        best = min(best, time.perf_counter() - t0)
    assert slots.shape == (args.people,)
    print(f"slots for {args.people:,} people: {best:.3f} s (best of {args.repeat}); goal < 5 s")


if __name__ == "__main__":
    main()
