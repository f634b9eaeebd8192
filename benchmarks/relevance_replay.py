"""Offline replay of the ranker against two baselines, on a SYNTHETIC company by default.

Run from the repository root:

    .venv/bin/python benchmarks/relevance_replay.py            # about a minute

What it does, in one run:

1. Generates a SYNTHETIC company with budbringer.relevance.synthetic.make_company (400
   people, 1,500 items, 60 days; see its docstring for the ground truth).
2. Splits its events chronologically at day 45 (`--cut-day`): the ranker learns its
   weights (Ranker.fit) from the events before the cut only.
3. Replays the days after the cut with budbringer.relevance.evaluation.replay: at the
   start of each day, each person who engaged that day gets all candidate items ranked
   (published before that moment, readable, not touched yet) from the events before it;
   the items they then engaged with are the relevant ones.
4. Prints Recall@5, Recall@10 and nDCG@10 for: the ranker with learned weights, the ranker
   with its cold-start weights, a popularity baseline (decayed engagement count, 2-day
   half-life) and a content-only baseline (text similarity to the person's history).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from budbringer.relevance.engine import Ranker
from budbringer.relevance.evaluation import content_baseline, popularity_baseline, replay
from budbringer.relevance.synthetic import DAY, describe, make_company


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--cut-day", type=float, default=45)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    items, people, events = make_company(args.people, args.items, args.days, args.seed)
    cut = args.cut_day * DAY
    print(describe(items, people, events))
    train = [event for event in events if event.at < cut]
    print(f"train: {len(train):,} events before day {args.cut_day:g}; test: the days after")

    started = time.perf_counter()
    learned = Ranker().fit(items, people, train, cut)
    fit_seconds = time.perf_counter() - started
    weights = ", ".join(f"{name} {weight:.2f}" for name, weight in learned.weights.items())
    print(f"learned weights ({fit_seconds:.1f} s): {weights}")

    rankers = {
        "ranker, learned weights": learned,
        "ranker, cold-start weights": Ranker(),
        "popularity baseline": popularity_baseline(),
        "content-only baseline": content_baseline(),
    }
    print("\nSYNTHETIC data: relevance metrics of a made-up company, not of real people.")
    print(f"| {'model':<28} | Recall@5 | Recall@10 | nDCG@10 | cases |")
    print(f"| {'-' * 28} | -------: | --------: | ------: | ----: |")
    for name, ranker in rankers.items():
        result = replay(ranker, items, people, events, cut)
        print(
            f"| {name:<28} | {result.recall_at_5:8.3f} | {result.recall_at_10:9.3f} "
            f"| {result.ndcg_at_10:7.3f} | {result.cases:5,} |"
        )


if __name__ == "__main__":
    main()
