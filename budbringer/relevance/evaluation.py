"""Offline replay of logged feedback: how well a ranker would have predicted what people read.

The log is split at `cut`: rankers learn from what happened before it. After it, time is
replayed in steps of `step_days`. At the start of each step every person who engaged with
something during the step gets all candidate items ranked, using only the events before
that moment: candidates are items published before the moment, in a language the person
reads, that the person has not touched yet. The items the person then opened, clicked,
shared or asked more of during the step, among those candidates, are the relevant ones.

Recall@k = relevant items in the top k / relevant items; nDCG@k with binary gains. Both
are averaged over (person, step) pairs.
"""

from dataclasses import dataclass

import numpy as np

from budbringer.relevance.engine import POSITIVE_KINDS, Event, ItemData, PersonData, Ranker

DAY = 86_400.0


@dataclass(frozen=True)
class ReplayResult:
    recall_at_5: float
    recall_at_10: float
    ndcg_at_10: float
    cases: int  # (person, step) pairs with at least one relevant candidate


def replay(
    ranker: Ranker,
    items: list[ItemData],
    people: list[PersonData],
    events: list[Event],
    cut: float,
    *,
    step_days: float = 1.0,
    end: float | None = None,
) -> ReplayResult:
    """Rank with `ranker` (already fitted or not) at each step after `cut`; see module doc."""
    end = end if end is not None else max(event.at for event in events) + 1
    person_index = {person.id: row for row, person in enumerate(people)}
    item_index = {item.id: col for col, item in enumerate(items)}
    recalls5, recalls10, ndcgs = [], [], []
    discounts = 1 / np.log2(np.arange(2, 12))
    moment = cut
    while moment < end:
        step_end = moment + step_days * DAY
        history = [event for event in events if event.at < moment]
        wanted: dict[int, set[int]] = {}
        for event in events:
            if moment <= event.at < step_end and event.kind in POSITIVE_KINDS:
                wanted.setdefault(event.person_id, set()).add(event.item_id)
        active = [people[person_index[pid]] for pid in sorted(wanted) if pid in person_index]
        if active:
            scores = ranker.score(items, people, history, moment, for_people=wanted.keys())
            for person in active:
                row = scores[person_index[person.id]]
                relevant = {
                    item_index[i] for i in wanted[person.id] if np.isfinite(row[item_index[i]])
                }
                if not relevant:
                    continue
                allowed = np.flatnonzero(np.isfinite(row))
                order = allowed[np.argsort(-row[allowed], kind="stable")][:10]
                hits = np.array([col in relevant for col in order.tolist()], dtype=float)
                recalls5.append(hits[:5].sum() / len(relevant))
                recalls10.append(hits.sum() / len(relevant))
                ideal = discounts[: min(len(relevant), 10)].sum()
                ndcgs.append(float((hits * discounts[: len(hits)]).sum() / ideal))
        moment = step_end
    return ReplayResult(
        recall_at_5=float(np.mean(recalls5)) if recalls5 else 0.0,
        recall_at_10=float(np.mean(recalls10)) if recalls10 else 0.0,
        ndcg_at_10=float(np.mean(ndcgs)) if ndcgs else 0.0,
        cases=len(ndcgs),
    )


def popularity_baseline() -> Ranker:
    """Most engaged-with items of the last days first (engagements halve every 2 days)."""
    return Ranker(weights={"popular": 1.0}, half_life_days=2.0)


def content_baseline() -> Ranker:
    """Text similarity to the person's own history only."""
    return Ranker(weights={"similar": 1.0})
