"""Ranking 10,000 candidate items for 100,000 people: time and peak memory of Ranker.select.

Run from the repository root:

    .venv/bin/python benchmarks/relevance_scale.py            # about a minute and a half

What it does, in one run:

1. Builds SYNTHETIC data quickly (vectorised, not the day-by-day generator): 10,000 items
   of 30 words from the synthetic company's per-theme vocabularies in five languages, in
   200 sources, 7 lists and 6 topics; 100,000 people in 20 departments reading English
   and/or a native language, following lists and topics; 1,000,000 events over 60 days
   (10 per person: opened, clicked, shared, more like this, dismissed), each person's
   drawn from their favourite theme 70 % of the time.
2. Times `Ranker().select(...)` with the default budget on all of it, and reports the
   process's peak resident memory (getrusage) just after.
3. Then, as the reference, times ONE dense float32 matrix product of the same shape,
   (100,000 x d) @ (d x 10,000) with d the ranker's dense text dimensions (256): the
   cost of the text-similarity part alone if it were done in one go. Its 4 GB result is
   allocated after the select's memory was read.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from budbringer.relevance.engine import (
    Budget,
    Event,
    ItemData,
    PersonData,
    Ranker,
)
from budbringer.relevance.synthetic import (
    ITEM_LANGUAGE_SHARE,
    LANGUAGES,
    THEMES,
    _text,
    _vocabularies,
)

DAY = 86_400.0
KINDS = np.array(["opened", "clicked", "shared", "more_like_this", "dismissed"])
KIND_SHARE = [0.55, 0.25, 0.08, 0.02, 0.10]


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(people: int, items: int, events_per_person: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    vocabularies = _vocabularies(rng)
    days = 60
    now = days * DAY
    sources = 200
    source_theme = rng.integers(THEMES, size=sources)
    source_language = rng.choice(len(LANGUAGES), size=sources, p=ITEM_LANGUAGE_SHARE)
    item_source = rng.integers(sources, size=items)
    item_theme = source_theme[item_source]
    published = np.sort(rng.uniform(0, now, size=items))
    company = rng.random(sources) < 0.1
    item_list = []
    for i in range(items):
        mix = np.full(THEMES, 0.1 / (THEMES - 1))
        mix[item_theme[i]] = 0.9
        source = item_source[i]
        language = LANGUAGES[source_language[source]]
        item_list.append(
            ItemData(
                id=i + 1,
                text=_text(rng, mix, language, vocabularies),
                language=language,
                source_id=int(source) + 1,
                list_ids=frozenset({int(item_theme[i]) + 1, *([100] if company[source] else [])}),
                topic_ids=frozenset({int(item_theme[i]) + 1}),
                published_at=float(published[i]),
                company=bool(company[source]),
                cluster=int(i // 2 + 1) if rng.random() < 0.05 else 0,
            )
        )
    favourite = rng.integers(THEMES, size=people)
    natives = rng.choice(LANGUAGES[1:], size=people)
    person_list = [
        PersonData(
            id=p + 1,
            languages=frozenset({"en", str(natives[p])} if rng.random() < 0.85 else {natives[p]}),
            list_ids=frozenset({int(favourite[p]) + 1} if rng.random() < 0.6 else set()),
            topic_ids=frozenset({int(favourite[p]) + 1} if rng.random() < 0.4 else set()),
            department_id=int(rng.integers(20)) + 1,
        )
        for p in range(people)
    ]
    by_theme = [np.flatnonzero(item_theme == t) for t in range(THEMES)]
    count = people * events_per_person
    who = np.repeat(np.arange(people), events_per_person)
    themed = rng.random(count) < 0.7
    what = rng.integers(items, size=count)
    for t in range(THEMES):
        chosen = themed & (favourite[who] == t)
        what[chosen] = rng.choice(by_theme[t], size=int(chosen.sum()))
    kinds = rng.choice(len(KINDS), size=count, p=KIND_SHARE)
    at = published[what] + rng.uniform(0, 3 * DAY, size=count)
    keep = at < now
    event_list = [
        Event(int(p) + 1, int(i) + 1, str(KINDS[k]), float(t))
        for p, i, k, t in zip(who[keep], what[keep], kinds[keep], at[keep], strict=True)
    ]
    return item_list, person_list, event_list, now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--events-per-person", type=int, default=10)
    args = parser.parse_args()

    started = time.perf_counter()
    items, people, events, now = make_data(args.people, args.items, args.events_per_person)
    print(
        f"SYNTHETIC data: {len(items):,} items, {len(people):,} people, {len(events):,} events "
        f"(built in {time.perf_counter() - started:.1f} s, peak {peak_rss_mb():,.0f} MB so far)"
    )

    ranker = Ranker()
    started = time.perf_counter()
    picks = ranker.select(items, people, events, now, Budget())
    select_seconds = time.perf_counter() - started
    select_peak = peak_rss_mb()
    chosen = sum(len(p) for p in picks.values())
    print(
        f"select: {select_seconds:.1f} s for {len(people):,} people x {len(items):,} items, "
        f"{chosen:,} picks ({chosen / len(people):.2f} a person); "
        f"peak memory {select_peak:,.0f} MB"
    )

    dims = ranker.dense_dims
    rng = np.random.default_rng(1)
    left = rng.standard_normal((len(people), dims), dtype=np.float32)
    right = rng.standard_normal((dims, len(items)), dtype=np.float32)
    started = time.perf_counter()
    product = left @ right
    dense_seconds = time.perf_counter() - started
    print(
        f"reference: one dense float32 product ({len(people):,} x {dims}) @ ({dims} x "
        f"{len(items):,}) in {dense_seconds:.1f} s ({product.nbytes / 2**30:.1f} GB result)"
    )
    print(f"select / dense product: {select_seconds / dense_seconds:.1f}x")


if __name__ == "__main__":
    main()
