"""Per-person send-time model over the 168 hours of the week (plain Python + numpy).

Every person is one row of a (people x 168) array of decayed activity in their local hour of
the week (0 = Monday 00:00-01:00 local, each event placed with its own UTC offset, so DST is
whatever the event's offset says). A slot is scored by the expected activity in the
``window`` hours starting at it, which is monotone in "probability of being active within
``window`` hours after the slot" under a Poisson model, and the best-scoring hour is the slot.

How a person's row becomes scores, in order:

1. Active hours with decay: several events in one local calendar hour count once (a burst of
   commits is one sitting), each weighing ``0.5 ** (age / half_life)``, its age measured from
   the person's own latest event. Decay sets the SHAPE of the profile only; the amount of
   evidence used in step 3 is the person's number of active hours. So a new schedule
   overtakes an old one, while a person who was quiet for months keeps their shape instead
   of fading into the population prior.
2. Smoothing, one linear map K (168 x 168): a circular triangular kernel over neighbouring
   hours, then a partial pooling of each hour with the same hour on the other days of the
   same kind (Monday-Friday, Saturday-Sunday).
3. Shrinkage (empirical Bayes, Dirichlet-multinomial): the person's posterior mean profile is
   ``(strength * prior + smoothed counts) / (strength + n)``, n = active hours, where the prior
   is the smoothed population profile (mean of per-person normalised profiles) and
   ``strength`` is the maximum-likelihood Dirichlet precision fitted to everyone's active
   hours. A person with one event is mostly the population; one with hundreds is themselves.
4. Window sum W (168 x 168) and argmax per row. Steps 2 and 4 fold into one matrix KW, so the
   slots for everyone are one (people x 168) @ (168 x 168) product plus a row-wise argmax.

Exploration (Thompson sampling over the Gamma posterior of the hourly rates) is available with
``explore=True``; it is off by default so that slots are deterministic.

``scores`` and ``slots_for`` take an optional ``prior=``: one mean profile per row (rows x 168,
each summing to 1, e.g. the person's department) to shrink towards instead of the population,
with the same strength. Without it every row shrinks towards ``self.prior``.

Why the configuration is what it is (measured with ``shared/bench/timing_eval.py`` on the
esphome, git and pip activity files, and on a replay of the 40-80 % stretch of the same
timelines before the harness's test weeks, twice the person-weeks): none of these variants
moved the pooled hit rate by more than its noise (a person-clustered bootstrap puts the
90 % interval of the model-vs-person-mode lift at about +-9 % on the test weeks), so none was
adopted: narrower or wider hour kernels and more or less day pooling; choosing kernel and
pooling prequentially by log-likelihood like the strength (it prefers the widest smoothing,
which the argmax does not reward); a second, person-level shrinkage of raw hours towards the
person's smoothed profile; half-lives from 90 days to 4 years (recency did not help); counting
events or weeks-with-a-hit per slot instead of active hours; a prior from recently active
people only. On the 40-80 % stretch this model beats the person's own most active window by
12 %, on the harness's last 20 % it trails it by 5 %: the same noise, in both directions.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
from scipy.special import gammaln

HOURS = 168
DAY = 86400
WEEKEND_DAYS = (5, 6)  # Saturday, Sunday (0 = Monday)
CHUNK = 30 * DAY  # events are learnt from in slices of this length (see observe)
STRENGTH_GRID = 10.0 ** np.arange(-1.0, 4.01, 0.05)  # candidate prior strengths
MIN_OUT_OF_SAMPLE_HOURS = 200  # before this many, the Dirichlet MLE sets the strength


def local_hour_of_week(ts_utc: np.ndarray, offset_min: np.ndarray) -> np.ndarray:
    """Hour of the week in local time, 0 = Monday 00:00 (1970-01-01 was a Thursday)."""
    t = np.asarray(ts_utc, dtype=np.int64) + np.asarray(offset_min, dtype=np.int64) * 60
    return ((t // DAY + 3) % 7) * 24 + (t % DAY) // 3600


def smoothing_matrix(hour_bandwidth: int, day_pooling: float) -> np.ndarray:
    """K such that ``counts @ K`` smooths over neighbouring hours and similar days."""
    # Circular triangular kernel over the whole week: hour h spreads to h +- (bandwidth - 1).
    hours = np.zeros((HOURS, HOURS))
    for d in range(-(hour_bandwidth - 1), hour_bandwidth):
        weight = hour_bandwidth - abs(d)
        hours += weight * np.roll(np.eye(HOURS), d, axis=1)
    hours /= hours.sum(axis=1, keepdims=True)
    # Day pooling: hour (day, h) keeps (1 - day_pooling) and shares day_pooling with the same
    # hour of the days of the same kind (the mean over that kind, itself included).
    days = np.zeros((HOURS, HOURS))
    kinds = [[d for d in range(7) if d not in WEEKEND_DAYS], list(WEEKEND_DAYS)]
    for kind in kinds:
        for d_from in kind:
            for d_to in kind:
                share = day_pooling / len(kind) + (1 - day_pooling) * (d_from == d_to)
                for h in range(24):
                    days[d_from * 24 + h, d_to * 24 + h] = share
    return hours @ days


def window_matrix(window: int) -> np.ndarray:
    """W such that ``(rates @ W)[s]`` is the rate mass in hours s .. s + window - 1 (circular)."""
    w = np.zeros((HOURS, HOURS))
    for k in range(window):
        w += np.roll(np.eye(HOURS), -k, axis=1)
    return w


def fit_dirichlet_strength(counts: np.ndarray, mean: np.ndarray, max_people: int = 5000) -> float:
    """Maximum-likelihood precision s of a Dirichlet-multinomial with a fixed mean.

    ``counts`` is people x 168 (integer-like). The log-likelihood in s is
    sum_p [lg(s) - lg(s + n_p) + sum_k (lg(s m_k + c_pk) - lg(s m_k))]; it is maximised on a
    log grid (smooth and one-dimensional, so a grid of 0.05 decades is plenty).
    """
    counts = counts[counts.sum(axis=1) > 0]
    if len(counts) > max_people:
        # An even, deterministic sample: the precision is one number, and 5,000 people pin
        # it down well while keeping the weekly refit cheap for 100,000.
        counts = counts[:: -(-len(counts) // max_people)]
    if len(counts) < 2:
        return 1.0
    n = counts.sum(axis=1)
    m = np.maximum(mean, 1e-9)
    nz_rows, nz_cols = np.nonzero(counts)
    nz = counts[nz_rows, nz_cols]
    best_s, best_ll = 1.0, -np.inf
    for s in STRENGTH_GRID:
        am = s * m[nz_cols]
        ll = len(n) * gammaln(s) - gammaln(s + n).sum() + (gammaln(am + nz) - gammaln(am)).sum()
        if ll > best_ll:
            best_s, best_ll = float(s), ll
    return best_s


class SendTimeModel:
    """Learns when each person is active and proposes one weekly send slot per person.

    The interface is the one of ``shared/bench/timing_eval.py``: ``observe(events)`` with
    ``(person, ts_utc, utc_offset_min)`` tuples, oldest first, and ``slot(person,
    week_start_utc)`` returning an hour of the week in the person's local time.
    """

    def __init__(
        self,
        window: int = 3,
        half_life_days: float = 3650.0,
        hour_bandwidth: int = 3,
        day_pooling: float = 0.5,
        explore: bool = False,
        seed: int | None = None,
    ) -> None:
        self.window = window
        self.half_life = half_life_days * DAY
        self.explore = explore
        self.rng = np.random.default_rng(seed)
        self.smooth = smoothing_matrix(hour_bandwidth, day_pooling)
        self.window_sum = window_matrix(window)
        self.smooth_window = self.smooth @ self.window_sum
        self.index: dict[Hashable, int] = {}
        self.decayed = np.zeros((0, HOURS))  # decayed event weights, per person and hour
        self.active_hours = np.zeros((0, HOURS))  # distinct active (day, hour)s, no decay
        self.latest = np.zeros(0, dtype=np.int64)  # each person's latest event, UTC seconds
        self.seen_hours: set[tuple[int, int]] = set()
        self.out_of_sample_ll = np.zeros(len(STRENGTH_GRID))
        self.out_of_sample_hours = 0
        self.prior = np.full(HOURS, 1.0 / HOURS)
        self.strength = 1.0
        self._slots: np.ndarray | None = None

    # -- learning ------------------------------------------------------------------------

    def observe(self, events: Sequence[tuple[Hashable, int, int]]) -> None:
        """Add events (oldest first); then refit the population prior and its strength.

        Events are taken in slices of ``CHUNK`` seconds, and each slice's new active hours
        are first scored against the model as it stood before them: that running
        out-of-sample log-likelihood is what picks the prior strength (see
        ``_refit_strength``), so the strength is estimated from data a long first batch
        already holds.
        """
        if not events:
            return
        ts_all = np.array([e[1] for e in events], dtype=np.int64)
        edges = np.arange(ts_all[0], ts_all[-1] + CHUNK, CHUNK)
        bounds = np.searchsorted(ts_all, edges[1:], side="left").tolist()
        lo = 0
        for hi in [*bounds, len(events)]:
            if hi > lo:
                self._add(events[lo:hi])
                lo = hi
        self._refit_strength()
        self._slots = None

    def _add(self, events: Sequence[tuple[Hashable, int, int]]) -> None:
        rows = np.array([self._row(p) for p, _, _ in events], dtype=np.int64)
        ts = np.array([e[1] for e in events], dtype=np.int64)
        offsets = np.array([e[2] for e in events], dtype=np.int64)
        hours = local_hour_of_week(ts, offsets)

        # 1. Count active hours (one per local calendar hour), not events: several events in
        #    one hour are one sitting, and a burst of commits says no more about when the
        #    person is reachable than one commit does.
        local_hour_index = (ts + offsets * 60) // 3600
        new = []
        for i, (r, lh) in enumerate(zip(rows.tolist(), local_hour_index.tolist(), strict=True)):
            if (r, lh) not in self.seen_hours:
                self.seen_hours.add((r, lh))
                new.append(i)
        rows, ts, hours = rows[new], ts[new], hours[new]

        # 2. Score them before learning from them (prequential evidence for the strength).
        self._score_out_of_sample(rows, hours)

        # 3. Move each touched person's reference time to their newest event and decay.
        newest = self.latest.copy()
        np.maximum.at(newest, rows, ts)
        touched = np.unique(rows)
        age = (newest[touched] - self.latest[touched]).astype(float)
        self.decayed[touched] *= (0.5 ** (age / self.half_life))[:, None]
        self.latest = newest
        np.add.at(self.decayed, (rows, hours), 0.5 ** ((newest[rows] - ts) / self.half_life))
        np.add.at(self.active_hours, (rows, hours), 1.0)
        self._refit_prior()

    def _score_out_of_sample(self, rows: np.ndarray, hours: np.ndarray) -> None:
        evidence = self.active_hours[rows].sum(axis=1)
        known = evidence > 0  # for a person without data every strength predicts the prior
        if not known.any():
            return
        rows, hours, evidence = rows[known], hours[known], evidence[known]
        decayed = self.decayed[rows]
        shape = decayed * (evidence / decayed.sum(axis=1))[:, None]
        own = np.einsum("ij,ij->i", shape, self.smooth[:, hours].T)
        prior = self.prior[hours] / self.prior.sum()
        grid = STRENGTH_GRID[:, None]
        self.out_of_sample_ll += (np.log(grid * prior + own) - np.log(grid + evidence)).sum(axis=1)
        self.out_of_sample_hours += len(rows)

    def _row(self, person: Hashable) -> int:
        row = self.index.get(person)
        if row is None:
            row = self.index[person] = len(self.index)
            if row >= len(self.decayed):
                grow = max(1024, len(self.decayed))
                self.decayed = np.vstack([self.decayed, np.zeros((grow, HOURS))])
                self.active_hours = np.vstack([self.active_hours, np.zeros((grow, HOURS))])
                self.latest = np.concatenate([self.latest, np.zeros(grow, dtype=np.int64)])
        return row

    def _refit_prior(self) -> None:
        active = self.active_hours[: len(self.index)]
        totals = active.sum(axis=1)
        has = totals > 0
        if has.any():
            mean = (active[has] / totals[has, None]).mean(axis=0) @ self.smooth
            # A 1 % uniform floor: no hour of the week is impossible, and a person's first
            # event at an hour nobody used before must not score minus infinity.
            self.prior = 0.99 * mean + 0.01 / HOURS

    def _refit_strength(self) -> None:
        """The strength that best predicted people's next active hours from their earlier ones.

        Until enough such hours were seen, the maximum-likelihood Dirichlet precision of the
        active-hour counts stands in. (That one is fitted to the whole history at once and
        shrinks more than forecasting rewards: on the early weeks of git and pip the
        out-of-sample choice was about ten times smaller.)
        """
        if self.out_of_sample_hours >= MIN_OUT_OF_SAMPLE_HOURS:
            self.strength = float(STRENGTH_GRID[np.argmax(self.out_of_sample_ll)])
            return
        active = self.active_hours[: len(self.index)]
        has = active.sum(axis=1) > 0
        if has.sum() >= 2:
            self.strength = fit_dirichlet_strength(active[has], self.prior)

    # -- slots ---------------------------------------------------------------------------

    def scores(
        self,
        decayed: np.ndarray,
        evidence: np.ndarray | None = None,
        *,
        prior: np.ndarray | None = None,
    ) -> np.ndarray:
        """Posterior expected activity in the window after each hour, people x 168.

        Rows are the people's decayed counts; rows need not belong to this model (the
        speed benchmark passes synthetic ones). ``prior`` is what each row shrinks towards:
        None for the population profile ``self.prior``, or a (rows x 168) array with one
        mean profile per row, each summing to 1 (e.g. the person's department). It is used
        as given, not smoothed again, with the same ``strength``.
        """
        prior = self._prior_rows(prior, len(decayed))
        n = decayed.sum(axis=1, keepdims=True)
        if evidence is not None:
            # Decay sets the shape; the amount of evidence is the person's active hours.
            decayed = decayed * (evidence[:, None] / np.maximum(n, 1e-12))
            n = evidence[:, None]
        if self.explore:
            # Thompson sampling: one draw of the hourly rates from their Gamma posterior.
            shape = self.strength * prior + decayed @ self.smooth
            rates = self.rng.gamma(np.maximum(shape, 1e-9)) / (self.strength + n)
            return rates @ self.window_sum
        prior_window = prior @ self.window_sum
        return (self.strength * prior_window + decayed @ self.smooth_window) / (self.strength + n)

    def slots_for(
        self,
        decayed: np.ndarray,
        evidence: np.ndarray | None = None,
        *,
        prior: np.ndarray | None = None,
    ) -> np.ndarray:
        """Best slot (hour of the week, local) for each row of decayed counts.

        ``prior`` as in ``scores``: None for the population, or one mean profile per row.
        """
        return np.argmax(self.scores(decayed, evidence, prior=prior), axis=1)

    def _prior_rows(self, prior: np.ndarray | None, rows: int) -> np.ndarray:
        """``self.prior``, or a caller's per-row prior checked for shape and normalisation."""
        if prior is None:
            return self.prior
        prior = np.asarray(prior, dtype=float)
        if prior.shape != (rows, HOURS):
            raise ValueError(f"prior must have shape ({rows}, {HOURS}), got {prior.shape}")
        # A prior of the wrong scale would silently change what ``strength`` means.
        if (prior < 0).any() or not np.allclose(prior.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError("each row of prior must be a profile: non-negative, summing to 1")
        return prior

    def slot(self, person: Hashable, week_start_utc: int) -> int:
        """The send slot for ``person`` this week, in their local hour of the week."""
        row = self.index.get(person)
        if self.explore:
            if row is None:
                return int(self.slots_for(np.zeros((1, HOURS)))[0])
            evidence = self.active_hours[[row]].sum(axis=1)
            return int(self.slots_for(self.decayed[[row]], evidence)[0])
        if self._slots is None:
            people = len(self.index)
            evidence = self.active_hours[:people].sum(axis=1)
            self._slots = self.slots_for(self.decayed[:people], evidence)
            self._population_slot = int(self.slots_for(np.zeros((1, HOURS)))[0])
        if row is None:
            return self._population_slot
        return int(self._slots[row])

    def normalised_profiles(self, rows: np.ndarray) -> np.ndarray:
        """Each row's smoothed share of active hours per hour, without any prior.

        The same per-person profiles the population prior is the mean of; group priors
        (departments) are built from them the same way.
        """
        active = self.active_hours[rows]
        totals = np.maximum(active.sum(axis=1, keepdims=True), 1e-12)
        return (active / totals) @ self.smooth

    def posterior(
        self, rows: np.ndarray, *, prior: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean hourly profile (rows x 168, each summing to 1) and its concentration.

        The Dirichlet posterior behind ``scores``: ``(strength * prior + smoothed counts) /
        (strength + n)``; the concentration ``strength + n`` says how sure it is, which is
        what Thompson sampling in the product draws with. ``prior`` as in ``scores``.
        """
        rows = np.asarray(rows, dtype=np.int64)
        prior = self._prior_rows(prior, len(rows))
        decayed = self.decayed[rows]
        evidence = self.active_hours[rows].sum(axis=1)
        counts = decayed * (evidence / np.maximum(decayed.sum(axis=1), 1e-12))[:, None]
        concentration = self.strength + evidence
        means = (self.strength * prior + counts @ self.smooth) / concentration[:, None]
        return means, concentration

    def heatmap(self, person: Hashable | None = None) -> np.ndarray:
        """Posterior hourly activity profile (168 values summing to 1); population if None."""
        row = self.index.get(person) if person is not None else None
        if row is None:
            return self.prior / self.prior.sum()
        means, _ = self.posterior(np.array([row]))
        return means[0] / means[0].sum()


def replay(events: Iterable[tuple[Hashable, int, int]], **settings: float) -> SendTimeModel:
    """A model that has observed ``events`` in one go (convenience for tests and scripts)."""
    model = SendTimeModel(**settings)  # type: ignore[arg-type]
    model.observe(list(events))
    return model
