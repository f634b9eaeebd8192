"""Which items each person should see: scores, a budgeted and diverse selection, reasons.

Plain Python on plain data (no Django): the adapter loads items, people and feedback events
and hands them over; everything here is people x items matrices built with sparse algebra,
scored in batches of people so memory stays bounded.

The score of item i for person p is sum(weight[f] * feature_f[p, i]) over the features:

- follows_list:      1 when p follows one of i's lists;
- follows_topic:     1 when p follows one of i's topics;
- similar:           cosine between i's text vector and p's history profile (event-weighted,
                     decayed sum of the vectors of the items p engaged with; dismissed items
                     count negatively, so they push the profile away);
- colleagues:        item-to-item collaborative signal: cosine between i and p's history
                     items over who engaged with them, averaged with p's (signed) history weights;
- department_shares: log(1 + times i was shared by people of p's department);
- fresh:             0.5 ** (age of i / fresh_half_life_days);
- company:           1 for company content (advocacy);
- boost:             the editor's boost (0 = none, 1 = pinned);
- popular:           log(1 + count of everyone's positive events on i, halving every
                     POPULAR_HALF_LIFE_DAYS): what is being read right now, computed as the
                     popularity baseline computes it.

Hard filters, never weighed: an item in a language p does not read (nb, nn and no count as
one), one p already has any event on, and one not yet published are never selected.

History decays exponentially with `half_life_days`. Weights are cold-start defaults until
`Ranker.fit` learns them from logged feedback (logistic regression).
"""

import os
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.extmath import randomized_svd

# The stemmers and tokeniser of the topic rules, shared so that items are read the same way
# everywhere.
from budbringer.content.topics import _STEMMERS, STEMMED_LANGUAGES, words_of

EVENT_WEIGHTS = {
    "opened": 1.0,
    "clicked": 2.0,
    "shared": 4.0,
    "more_like_this": 3.0,
    "dismissed": -4.0,
}
POSITIVE_KINDS = frozenset(kind for kind, weight in EVENT_WEIGHTS.items() if weight > 0)
# Events that only mean "the person has been shown this": never suggested again, but no
# signal about taste (an item delivered in a digest and not opened says little).
SEEN_ONLY_KINDS = frozenset({"delivered"})

FEATURES = (
    "follows_list",
    "follows_topic",
    "similar",
    "colleagues",
    "department_shares",
    "fresh",
    "company",
    "boost",
    "popular",
)

# Cold-start weights, on the scale Budget.threshold is expressed in.
DEFAULT_WEIGHTS = {
    "follows_list": 1.0,
    "follows_topic": 1.0,
    "similar": 2.0,
    "colleagues": 3.0,
    "department_shares": 0.5,
    "fresh": 1.0,
    "company": 0.5,
    "boost": 2.0,
    "popular": 0.3,
}

# Reason code of each feature. The editor boost names no reason: an item lifted by it gets
# the reason of its strongest other feature.
REASONS = {feature: feature for feature in FEATURES if feature != "boost"}

# Fewer events than this and fit() keeps the weights it has.
MIN_TRAINING_EVENTS = 50

_SECONDS_PER_DAY = 86_400.0
# Popularity is about the last days, whatever the history's half-life: with the history's
# 30 days it mostly counted old items' engagement (replay on the synthetic company, train
# period only: validation nDCG@10 0.189 -> 0.199 with 2 days).
POPULAR_HALF_LIFE_DAYS = 2.0
# Languages read interchangeably.
_SAME_LANGUAGE = {"nn": "nb", "no": "nb"}


@dataclass(frozen=True)
class ItemData:
    id: int
    text: str
    language: str
    source_id: int | None
    list_ids: frozenset[int]
    topic_ids: frozenset[int]
    published_at: float  # epoch seconds
    company: bool = False  # from a company-content list: matters for advocacy
    boost: float = 0.0  # editor boost (0 = none, 1 = pinned)
    cluster: int = 0  # near-duplicate cluster id (0 = its own)


@dataclass(frozen=True)
class PersonData:
    id: int
    languages: frozenset[str]  # empty: reads everything
    list_ids: frozenset[int]
    topic_ids: frozenset[int]
    department_id: int | None


@dataclass(frozen=True)
class Event:
    person_id: int
    item_id: int
    kind: str  # a key of EVENT_WEIGHTS
    at: float  # epoch seconds


@dataclass(frozen=True)
class Reason:
    code: str  # a value of REASONS
    params: dict  # ids and counts, never display strings


@dataclass(frozen=True)
class Pick:
    item_id: int
    score: float
    reason: Reason


@dataclass(frozen=True)
class Budget:
    per_digest: int = 5
    # On the cold-start weights' scale: a brand-new item (fresh = 1.0) clears it only with
    # something more (a followed list, company content, similar history, colleagues' shares).
    # Learned weights are rescaled to the defaults' total, so the threshold keeps its meaning.
    threshold: float = 1.0
    per_source: int = 2
    per_topic: int = 2
    mmr_lambda: float = 0.7


class TextEncoder(Protocol):
    """Item texts to vectors; rows must be L2-normalised."""

    def fit(self, texts: list[str], languages: list[str]) -> None: ...

    def transform(self, texts: list[str], languages: list[str]) -> "sp.csr_matrix | np.ndarray": ...


def _language(code: str) -> str:
    code = code.lower().replace("_", "-").split("-")[0]
    return _SAME_LANGUAGE.get(code, code)


def _stemmed_words(document: tuple[str, str]) -> list[str]:
    text, language = document
    words = [word for word in words_of(text) if len(word) > 1]
    algorithm = STEMMED_LANGUAGES.get(_language(language))
    if algorithm is None:
        return words
    stem = _STEMMERS[algorithm].learn(set(words)).stem
    return [stem[word] for word in words]


class StemmedTfidf:
    """TF-IDF over Snowball stems, each text stemmed in its own language (en/sv/nb/nn/da/nl).

    Texts in other languages keep their case-folded words. Rows are L2-normalised.
    """

    def __init__(self, min_df: int = 1, max_features: int | None = None):
        self._vectorizer = TfidfVectorizer(
            analyzer=_stemmed_words,
            sublinear_tf=True,
            min_df=min_df,
            max_features=max_features,
            dtype=np.float32,
        )

    def fit(self, texts: list[str], languages: list[str]) -> None:
        self._vectorizer.fit(list(zip(texts, languages, strict=True)))

    def transform(self, texts: list[str], languages: list[str]) -> sp.csr_matrix:
        return self._vectorizer.transform(list(zip(texts, languages, strict=True))).tocsr()


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def _dense_vectors(vectors: "sp.spmatrix | np.ndarray", dims: int) -> np.ndarray:
    """Encoder rows as dense float32 unit rows of at most `dims` columns.

    Exact (same cosines) when the texts or the words number at most `dims`; otherwise a
    truncated SVD (latent semantic analysis), so that scoring is a dense BLAS product.
    """
    if not sp.issparse(vectors):
        return _normalise_rows(np.asarray(vectors, dtype=np.float32))
    vectors = sp.csr_matrix(vectors, dtype=np.float32)
    rows, width = vectors.shape
    if width <= dims:
        dense = vectors.toarray()
    elif rows <= dims:
        # Coordinates in the span of the rows, from the Gram matrix: inner products kept.
        values, basis = np.linalg.eigh((vectors @ vectors.T).toarray().astype(np.float64))
        dense = (basis * np.sqrt(np.clip(values, 0, None))).astype(np.float32)
    else:
        left, singular, _ = randomized_svd(vectors, dims, n_iter=2, random_state=0)
        dense = (left * singular).astype(np.float32)
    return _normalise_rows(dense)


def _index(values: Iterable[int]) -> dict[int, int]:
    return {value: i for i, value in enumerate(sorted(set(values)))}


def _membership(sets: Sequence[Collection[int]], index: dict[int, int]) -> sp.csr_matrix:
    """Rows x index binary matrix: row r has a 1 in the column of each of sets[r]'s members."""
    rows = [r for r, members in enumerate(sets) for m in members if m in index]
    cols = [index[m] for members in sets for m in members if m in index]
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(sets), len(index)))


class _Corpus:
    """The items: vectors, attributes, list and topic memberships, by column."""

    def __init__(self, items: Sequence[ItemData], vectors: np.ndarray):
        self.items = items
        self.ids = np.array([item.id for item in items], dtype=np.int64)
        self.column = {item.id: col for col, item in enumerate(items)}
        self.vectors = vectors
        self.published = np.array([item.published_at for item in items], dtype=np.float64)
        self.company = np.array([item.company for item in items], dtype=np.float32)
        self.boost = np.array([item.boost for item in items], dtype=np.float32)
        self.source = np.array(
            [-1 if item.source_id is None else item.source_id for item in items], dtype=np.int64
        )
        # Cluster 0 is an item's own: a key no other item has.
        self.cluster = np.array(
            [item.cluster if item.cluster else -(col + 1) for col, item in enumerate(items)],
            dtype=np.int64,
        )
        self.list_index = _index(m for item in items for m in item.list_ids)
        self.topic_index = _index(m for item in items for m in item.topic_ids)
        self.lists = _membership([item.list_ids for item in items], self.list_index)
        self.topics = _membership([item.topic_ids for item in items], self.topic_index)
        languages = [_language(item.language) for item in items]
        # Column "" is for items of unknown language, which anyone may read.
        self.language_index = {code: i for i, code in enumerate(sorted({"", *languages}))}
        self.languages = np.zeros((len(items), len(self.language_index)), dtype=np.float32)
        for col, code in enumerate(languages):
            self.languages[col, self.language_index[code]] = 1.0


class _Snapshot:
    """The people and what they did before `now`, against a corpus."""

    def __init__(
        self,
        corpus: _Corpus,
        people: Sequence[PersonData],
        events: Iterable[Event],
        now: float,
        half_life_days: float,
        fresh_half_life_days: float,
        neighbours: int,
    ):
        self.corpus = corpus
        self.people = people
        self.now = now
        # People not in `people` who have events still count for popularity and for the
        # item-to-item signal; their rows come after those of `people`.
        row_of = {person.id: row for row, person in enumerate(people)}
        rows, cols, weights, times, shared = [], [], [], [], []
        seen_rows, seen_cols = [], []
        for event in events:
            col = corpus.column.get(event.item_id)
            if col is None or event.at >= now:
                continue
            if event.kind in SEEN_ONLY_KINDS:
                if event.person_id in row_of:
                    seen_rows.append(row_of[event.person_id])
                    seen_cols.append(col)
                continue
            if event.kind not in EVENT_WEIGHTS:
                continue
            row = row_of.setdefault(event.person_id, len(row_of))
            rows.append(row)
            cols.append(col)
            weights.append(EVENT_WEIGHTS[event.kind])
            times.append(event.at)
            shared.append(event.kind == "shared")
        row_a = np.array(rows, dtype=np.int64)
        col_a = np.array(cols, dtype=np.int64)
        weight = np.array(weights, dtype=np.float64)
        decay = 0.5 ** ((now - np.array(times, dtype=np.float64)) / (half_life_days * 86_400))
        signed = (weight * decay).astype(np.float32)
        shape = (len(row_of), len(corpus.items))

        def matrix(data: np.ndarray, keep: np.ndarray | slice = slice(None)) -> sp.csr_matrix:
            return sp.csr_matrix((data, (row_a[keep], col_a[keep])), shape=shape)

        # Signed, decayed history (people x items), and the positive part of it.
        self.history = matrix(signed)
        positive = matrix(np.clip(signed, 0, None))
        positive.eliminate_zeros()
        self.seen = matrix(np.ones(len(rows), dtype=np.float32)) + sp.csr_matrix(
            (np.ones(len(seen_rows), dtype=np.float32), (seen_rows, seen_cols)), shape=shape
        )
        shared_a = np.array(shared, dtype=bool)
        shares = matrix(np.ones(int(shared_a.sum()), dtype=np.float32), shared_a)

        # People's follows in the corpus's list and topic columns; languages; departments.
        self.person_lists = _membership([p.list_ids for p in people], corpus.list_index)
        self.person_topics = _membership([p.topic_ids for p in people], corpus.topic_index)
        self.person_languages = np.zeros((len(people), len(corpus.language_index)), np.float32)
        for row, person in enumerate(people):
            codes = [corpus.language_index.get(_language(code)) for code in person.languages]
            self.person_languages[row, corpus.language_index[""]] = 1.0
            if not person.languages:
                self.person_languages[row, :] = 1.0  # no languages set: reads everything
            for code in codes:
                if code is not None:
                    self.person_languages[row, code] = 1.0
        departments = _index(p.department_id for p in people if p.department_id is not None)
        self.department_ids = np.array(sorted(departments), dtype=np.int64)
        self.department = np.array(
            [departments.get(p.department_id, -1) for p in people],  # type: ignore[arg-type]
            dtype=np.int64,
        )
        in_department = sp.csr_matrix(
            (
                np.ones(int((self.department >= 0).sum()), dtype=np.float32),
                (self.department[self.department >= 0], np.flatnonzero(self.department >= 0)),
            ),
            shape=(len(departments), len(row_of)),
        )
        # Departments x items: how often people of the department shared the item.
        self.department_shares = (in_department @ shares).tocsc()

        # Item-only features. Popularity counts positive events, whatever their kind.
        recent = 0.5 ** (
            (now - np.array(times, dtype=np.float64)) / (POPULAR_HALF_LIFE_DAYS * _SECONDS_PER_DAY)
        )
        engaged = (weight > 0).astype(np.float32) * recent.astype(np.float32)
        popular = np.asarray(matrix(engaged).sum(axis=0)).ravel()
        self.popular = np.log1p(popular).astype(np.float32)
        self.engaged_people = np.diff(positive.tocsc().indptr)
        age_days = np.clip(now - corpus.published, 0, None) / _SECONDS_PER_DAY
        self.fresh = (0.5 ** (age_days / fresh_half_life_days)).astype(np.float32)
        self.published = corpus.published <= now

        # Item-item cosine over who engaged (decayed), each item keeping its top neighbours.
        norms = np.sqrt(np.asarray(positive.multiply(positive).sum(axis=0)).ravel())
        normalised = positive @ sp.diags(np.where(norms > 0, 1 / np.where(norms > 0, norms, 1), 0))
        similar_items = (normalised.T @ normalised).tocsc()
        similar_items.setdiag(0)
        similar_items.eliminate_zeros()
        self.similar_items = _top_per_column(similar_items, neighbours)

    def prepare(self, cols: np.ndarray) -> None:
        """Compute what batches need of items `cols` now, before batches run in threads."""
        self._for_columns(cols)

    def _for_columns(self, cols: np.ndarray) -> dict:
        """What every batch needs of items `cols`, computed once for the same columns."""
        key = cols.tobytes()
        if getattr(self, "_columns_key", None) != key:
            corpus = self.corpus
            shares = self.department_shares[:, cols].toarray()
            self._columns = {
                "lists": corpus.lists[cols].T.tocsr(),
                "topics": corpus.topics[cols].T.tocsr(),
                "vectors": np.ascontiguousarray(corpus.vectors[cols].T),
                "similar_items": self.similar_items[:, cols].tocsr(),
                # Row -1 (the last): no department.
                "shares": np.vstack([np.log1p(shares), np.zeros((1, len(cols)), np.float32)]),
                "languages": np.ascontiguousarray(corpus.languages[cols].T),
                "seen": self.seen[:, cols].tocsr(),
                "unpublished": ~self.published[cols],
            }
            self._columns_key = key
        return self._columns

    def features(self, rows: np.ndarray, cols: np.ndarray) -> dict[str, "_Values"]:
        """Feature name -> values for people `rows` x items `cols`.

        Dense len(rows) x len(cols) arrays, sparse matrices of that shape, 1 x len(cols)
        arrays for item-only features, or a per-department table; see _add and _gather.
        """
        columns = self._for_columns(cols)
        history = self.history[rows]
        values: dict[str, _Values] = {}
        values["follows_list"] = _binary(self.person_lists[rows] @ columns["lists"])
        values["follows_topic"] = _binary(self.person_topics[rows] @ columns["topics"])
        profile = _normalise_rows(np.asarray(history @ self.corpus.vectors, dtype=np.float32))
        values["similar"] = profile @ columns["vectors"]
        # Averaged over the history with its signed weights: dismissed items count against.
        total = np.asarray(abs(history).sum(axis=1)).ravel()
        averaged = sp.diags(np.where(total > 0, 1 / np.where(total > 0, total, 1), 0)) @ history
        values["colleagues"] = (averaged @ columns["similar_items"]).tocsr()
        values["department_shares"] = _PerDepartment(columns["shares"], self.department[rows])
        values["fresh"] = self.fresh[cols][None, :]
        values["company"] = self.corpus.company[cols][None, :]
        values["boost"] = self.corpus.boost[cols][None, :]
        values["popular"] = self.popular[cols][None, :]
        return values

    def block(self, total: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
        """Set -inf in `total` where people `rows` may never get items `cols`: an unread
        language, an item they already touched, one not yet published."""
        columns = self._for_columns(cols)
        readable = self.person_languages[rows] @ columns["languages"]
        np.putmask(total, readable == 0, -np.inf)
        total[:, columns["unpublished"]] = -np.inf
        seen = columns["seen"][rows].tocoo()
        total[seen.row, seen.col] = -np.inf


class _PerDepartment:
    """A feature that is the same for everyone in a department: the department's row of
    `table` for each person (`department` -1: the last row, for people without one)."""

    def __init__(self, table: np.ndarray, department: np.ndarray):
        self.table = table
        self.department = department


_Values = np.ndarray | sp.csr_matrix | _PerDepartment


def _binary(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = matrix.tocsr()
    matrix.data[:] = 1.0
    return matrix


def _add(total: np.ndarray, weight: float, value: _Values) -> None:
    """total += weight * value, in place, for each kind of feature values."""
    weight = np.float32(weight)
    if isinstance(value, _PerDepartment):
        for department in np.unique(value.department).tolist():
            members = np.flatnonzero(value.department == department)
            total[members] += weight * value.table[department]
    elif sp.issparse(value):
        value = value.tocsr()
        value.sum_duplicates()  # so that each position is added once below
        value = value.tocoo()
        total[value.row, value.col] += weight * value.data
    else:
        total += weight * value


def _gather(value: _Values, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """value[rows[k], cols[k]] for each k."""
    if isinstance(value, _PerDepartment):
        return value.table[value.department[rows], cols]
    if sp.issparse(value):
        return np.asarray(value.tocsr()[rows, cols]).ravel()
    if value.shape[0] == 1:  # an item-only feature, the same for everyone
        return value[0, cols]
    # People x items: the batch's rows, whichever of them got picks (not only the first ones).
    return value[rows, cols]


def _top_per_column(matrix: sp.csc_matrix, keep: int) -> sp.csc_matrix:
    """`matrix` with only the `keep` largest values of each column."""
    counts = np.diff(matrix.indptr)
    if counts.size == 0 or counts.max() <= keep:
        return matrix
    column = np.repeat(np.arange(matrix.shape[1]), counts)
    # By column, then by value, largest first (values are cosines in [0, 1]); one float
    # sort is several times faster than lexsort.
    order = np.argsort(column + 0.5 * (1.0 - np.clip(matrix.data, 0.0, 1.0)))
    rank = np.arange(matrix.nnz) - matrix.indptr[column[order]]
    kept = order[rank < keep]
    return sp.csc_matrix(
        (matrix.data[kept], (matrix.indices[kept], column[kept])), shape=matrix.shape
    )


class Ranker:
    """Scores and selects items for people; see the module docstring for the features."""

    def __init__(
        self,
        weights: dict[str, float] | None = None,
        encoder: TextEncoder | None = None,
        half_life_days: float = 30.0,
        *,
        fresh_half_life_days: float = 3.0,
        dense_dims: int = 256,
        neighbours: int = 50,
        batch_size: int = 1000,
        threads: int = min(2, os.cpu_count() or 1),
        seed: int = 0,
    ):
        # Given weights are taken as they are: a feature left out weighs nothing.
        self.weights = dict(DEFAULT_WEIGHTS) if weights is None else dict(weights)
        self.encoder: TextEncoder = encoder if encoder is not None else StemmedTfidf()
        self.half_life_days = half_life_days
        self.fresh_half_life_days = fresh_half_life_days
        self.dense_dims = dense_dims
        self.neighbours = neighbours
        self.batch_size = batch_size
        self.threads = threads
        self.seed = seed
        self.trained_on = 0  # events fit() learned from; 0 = cold-start weights
        self._vectors_key: tuple | None = None
        self._vectors: np.ndarray | None = None

    # Building blocks.

    def _corpus(self, items: Sequence[ItemData]) -> _Corpus:
        # The encoder is fitted on the items given; the vectors are reused while the texts
        # stay the same (replays and fit() call this many times).
        texts = [item.text for item in items]
        languages = [_language(item.language) for item in items]
        key = (tuple(texts), tuple(languages))
        if key != self._vectors_key or self._vectors is None:
            self.encoder.fit(texts, languages)
            vectors = self.encoder.transform(texts, languages)
            self._vectors = _dense_vectors(vectors, self.dense_dims)
            self._vectors_key = key
        return _Corpus(items, self._vectors)

    def _snapshot(
        self,
        corpus: _Corpus,
        people: Sequence[PersonData],
        events: Iterable[Event],
        now: float,
    ) -> _Snapshot:
        return _Snapshot(
            corpus,
            people,
            events,
            now,
            self.half_life_days,
            self.fresh_half_life_days,
            self.neighbours,
        )

    def _combine(self, values: dict[str, _Values], shape: tuple[int, int]) -> np.ndarray:
        """The weighted sum of the features: one dense people x items array."""
        total = np.zeros(shape, dtype=np.float32)
        items_only = np.zeros((1, shape[1]), dtype=np.float32)
        for name, value in values.items():
            weight = self.weights.get(name, 0.0)
            if not weight:
                continue
            if isinstance(value, np.ndarray) and value.shape[0] == 1:
                items_only += np.float32(weight) * value
            else:
                _add(total, weight, value)
        total += items_only
        return total

    @staticmethod
    def _candidate_columns(corpus: _Corpus, candidates: Collection[int] | None) -> np.ndarray:
        if candidates is None:
            return np.arange(len(corpus.items))
        wanted = set(candidates)
        return np.array(
            [col for col, item in enumerate(corpus.items) if item.id in wanted], dtype=np.int64
        )

    def _batches(
        self, people: Sequence[PersonData], for_people: Collection[int] | None
    ) -> Iterable[np.ndarray]:
        """Rows of the people to rank, `batch_size` at a time."""
        if for_people is None:
            rows = np.arange(len(people))
        else:
            wanted = set(for_people)
            rows = np.array([r for r, p in enumerate(people) if p.id in wanted], dtype=np.int64)
        for start in range(0, len(rows), self.batch_size):
            yield rows[start : start + self.batch_size]

    # The API.

    def score(
        self,
        items: Sequence[ItemData],
        people: Sequence[PersonData],
        events: Iterable[Event],
        now: float,
        *,
        candidates: Collection[int] | None = None,
        for_people: Collection[int] | None = None,
    ) -> np.ndarray:
        """Scores, people x items (float32); -inf where the item may never be selected.

        Items outside `candidates` (ids; default all) only lend their texts to histories;
        people outside `for_people` (ids; default all) only lend their department and
        history to the colleague signals, and their rows stay -inf.
        """
        items, people = list(items), list(people)
        corpus = self._corpus(items)
        snapshot = self._snapshot(corpus, people, events, now)
        cols = self._candidate_columns(corpus, candidates)
        scores = np.full((len(people), len(items)), -np.inf, dtype=np.float32)
        for rows in self._batches(people, for_people):
            total = self._combine(snapshot.features(rows, cols), (len(rows), len(cols)))
            snapshot.block(total, rows, cols)
            scores[rows[:, None], cols[None, :]] = total
        return scores

    def select(
        self,
        items: Sequence[ItemData],
        people: Sequence[PersonData],
        events: Iterable[Event],
        now: float,
        budget: Budget = Budget(),
        *,
        candidates: Collection[int] | None = None,
        for_people: Collection[int] | None = None,
    ) -> dict[int, list[Pick]]:
        """Person id -> ranked picks, at most budget.per_digest; [] when nothing clears the bar.

        `candidates` and `for_people` as for score(): pass the whole organisation's people
        with `for_people=[one id]` to rank for one person with department shares counted.

        People are scored `batch_size` at a time; each batch's best candidates go through
        MMR and the per-source, per-topic and cluster limits together, vectorised.
        """
        items, people = list(items), list(people)
        corpus = self._corpus(items)
        snapshot = self._snapshot(corpus, people, events, now)
        cols = self._candidate_columns(corpus, candidates)
        batches = list(self._batches(people, for_people))
        picks: dict[int, list[Pick]] = {
            people[row].id: [] for batch in batches for row in batch.tolist()
        }
        if len(cols) == 0 or budget.per_digest <= 0:
            return picks
        # The shortlist MMR chooses from: enough to satisfy the limits in nearly all cases.
        shortlist = min(len(cols), max(4 * budget.per_digest, budget.per_digest + 20))
        snapshot.prepare(cols)

        def select_batch(rows: np.ndarray) -> None:
            values = snapshot.features(rows, cols)
            total = self._combine(values, (len(rows), len(cols)))
            snapshot.block(total, rows, cols)
            np.putmask(total, total < budget.threshold, -np.inf)
            if shortlist < len(cols):
                # On the negated scores: far faster when many are -inf (ties at the end).
                top = np.argpartition(-total, shortlist - 1, axis=1)[:, :shortlist]
            else:
                top = np.broadcast_to(np.arange(len(cols)), (len(rows), len(cols))).copy()
            top_scores = np.take_along_axis(total, top, axis=1)
            chosen = _diverse(top_scores, cols[top], corpus, budget)
            self._add_picks(picks, snapshot, values, rows, cols, top, top_scores, chosen)

        # Batches in threads: numpy, BLAS and scipy's sparse products release the GIL, and
        # each batch writes the picks of its own people only.
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            for _ in pool.map(select_batch, batches):
                pass
        return picks

    def _add_picks(
        self,
        picks: dict[int, list[Pick]],
        snapshot: _Snapshot,
        values: dict[str, _Values],
        rows: np.ndarray,
        cols: np.ndarray,
        top: np.ndarray,
        top_scores: np.ndarray,
        chosen: np.ndarray,
    ) -> None:
        local_row, step = np.nonzero(chosen >= 0)
        if local_row.size == 0:
            return
        slot = chosen[local_row, step]
        position = top[local_row, slot]  # index into cols
        score = top_scores[local_row, slot]
        # Each pick's reason: the feature adding most to its score.
        codes = list(REASONS)
        contribution = np.stack(
            [
                self.weights.get(name, 0.0) * _gather(values[name], local_row, position)
                for name in codes
            ],
            axis=1,
        )
        strongest = contribution.argmax(axis=1)
        strongest[contribution.max(axis=1) <= 0] = codes.index("fresh")
        corpus = snapshot.corpus
        for r, p, s, code in zip(
            local_row.tolist(), position.tolist(), score.tolist(), strongest.tolist(), strict=True
        ):
            row = int(rows[r])
            col = int(cols[p])
            person = snapshot.people[row]
            item = corpus.items[col]
            reason = REASONS[codes[code]]
            params = self._reason_params(reason, snapshot, person, row, item, col)
            picks[person.id].append(Pick(item.id, s, Reason(reason, params)))

    @staticmethod
    def _reason_params(
        reason: str, snapshot: _Snapshot, person: PersonData, row: int, item: ItemData, col: int
    ) -> dict:
        if reason == "follows_list":
            return {"list_id": min(person.list_ids & item.list_ids)}
        if reason == "follows_topic":
            return {"topic_id": min(person.topic_ids & item.topic_ids)}
        if reason == "department_shares":
            department = snapshot.department[row]
            count = snapshot.department_shares[department, col]
            return {"count": int(count), "department_id": person.department_id}
        if reason == "popular":
            return {"count": int(snapshot.engaged_people[col])}
        return {}

    def fit(
        self,
        items: Sequence[ItemData],
        people: Sequence[PersonData],
        events: Iterable[Event],
        now: float,
        *,
        negatives_per_positive: int = 3,
        windows: int = 8,
        max_events: int = 50_000,
        negative_days: float = 14.0,
    ) -> "Ranker":
        """Learn the weights from feedback before `now` by logistic regression.

        Positives are opened/clicked/shared/more_like_this events, negatives dismissed ones
        and items the person could have been shown at that moment (readable, never
        touched), sampled: per positive, one published in the `negative_days` before it
        and the others from all items published before it. Features are
        computed as of the start of each event's time window (the events are cut into
        `windows` chronological windows), so no event sees itself or any later event;
        freshness is taken at the event's own time. Features that never vary in the data
        keep their current weight. Every feature is built so that more of it means more
        relevant, so a negative coefficient (the data says nothing for it, or its noise
        points the other way) becomes 0: the feature is ignored, never inverted (ranking
        items *unlike* what someone reads first is not a thing to learn from a few hundred
        events). The learned weights are rescaled to the total of the weights they
        replace, which keeps Budget.threshold meaningful.
        Fewer than MIN_TRAINING_EVENTS usable events: the weights are left as they are.
        """
        items, people = list(items), list(people)
        events = sorted((e for e in events if e.at < now), key=lambda e: e.at)
        corpus = self._corpus(items)
        person_ids = {person.id for person in people}
        labelled = [
            e
            for e in events
            if e.kind in EVENT_WEIGHTS and e.person_id in person_ids and e.item_id in corpus.column
        ][-max_events:]
        if len(labelled) < MIN_TRAINING_EVENTS:
            return self

        rng = np.random.default_rng(self.seed)
        row_of = {person.id: row for row, person in enumerate(people)}
        touched: dict[int, set[int]] = {}
        for event in events:
            touched.setdefault(event.person_id, set()).add(event.item_id)
        window_seconds = negative_days * _SECONDS_PER_DAY
        by_publication = np.argsort(corpus.published, kind="stable")
        published_sorted = corpus.published[by_publication]
        languages = [_language(item.language) for item in items]

        def readable(person: PersonData, col: int) -> bool:
            code = languages[col]
            reads = {_language(language) for language in person.languages}
            return not code or not reads or code in reads

        features, labels = [], []
        times = np.array([e.at for e in labelled])
        for window in np.array_split(np.arange(len(labelled)), windows):
            if window.size == 0:
                continue
            start = float(times[window[0]])
            snapshot = self._snapshot(corpus, people, events, start)
            samples: list[tuple[int, int, float, int]] = []  # row, col, time, label
            for index in window.tolist():
                event = labelled[index]
                row, col = row_of[event.person_id], corpus.column[event.item_id]
                positive = event.kind in POSITIVE_KINDS
                samples.append((row, col, event.at, int(positive)))
                if not positive:
                    continue
                person = people[row]
                # What the person could have been shown instead. The first negative is an
                # item published in the weeks before the event (a hard one: new beside
                # new); the others come from every item published before it, the
                # candidates a ranking at that moment orders (as the replay does).
                recent = int(np.searchsorted(published_sorted, event.at - window_seconds))
                last = int(np.searchsorted(published_sorted, event.at, side="right"))
                for drawn in range(negatives_per_positive):
                    first = recent if drawn == 0 else 0
                    if last <= first:
                        continue
                    for _attempt in range(10):
                        other = int(by_publication[rng.integers(first, last)])
                        if other not in touched[person.id] and readable(person, other):
                            samples.append((row, other, event.at, 0))
                            break
            sample_rows = np.array([s[0] for s in samples])
            sample_cols = np.array([s[1] for s in samples])
            unique_rows, row_at = np.unique(sample_rows, return_inverse=True)
            unique_cols, col_at = np.unique(sample_cols, return_inverse=True)
            values = snapshot.features(unique_rows, unique_cols)
            matrix = np.column_stack([_gather(values[name], row_at, col_at) for name in FEATURES])
            # Freshness at the event's own moment, not the window's start.
            moments = np.array([s[2] for s in samples])
            age = np.clip(moments - corpus.published[sample_cols], 0, None)
            matrix[:, FEATURES.index("fresh")] = 0.5 ** (
                age / _SECONDS_PER_DAY / self.fresh_half_life_days
            )
            features.append(matrix)
            labels.extend(s[3] for s in samples)

        x = np.vstack(features)
        y = np.array(labels)
        if len(set(labels)) < 2:
            return self
        varying = [i for i, name in enumerate(FEATURES) if x[:, i].std() > 1e-9]
        model = LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")
        model.fit(x[:, varying], y)
        learned = {
            FEATURES[i]: max(0.0, float(weight))
            for i, weight in zip(varying, model.coef_[0], strict=True)
        }
        replaced = sum(abs(self.weights.get(name, 0.0)) for name in learned)
        size = sum(abs(weight) for weight in learned.values())
        scale = replaced / size if size > 0 and replaced > 0 else 1.0
        self.weights = {**self.weights, **{n: float(w * scale) for n, w in learned.items()}}
        self.trained_on = len(labelled)
        return self


def _diverse(
    scores: np.ndarray, item_cols: np.ndarray, corpus: _Corpus, budget: Budget
) -> np.ndarray:
    """MMR over each person's shortlist, with the cluster, source and topic limits.

    `scores` and `item_cols` are people x shortlist (-inf: not allowed). Returns people x
    per_digest positions in the shortlist, in order of choice; -1 where nothing was left.
    """
    people, width = scores.shape
    valid = np.isfinite(scores)
    # Relevance scaled to [0, 1] per person, so it weighs against cosine similarity.
    low = np.where(valid, scores, np.inf).min(axis=1, keepdims=True)
    high = np.where(valid, scores, -np.inf).max(axis=1, keepdims=True)
    span = np.where(np.isfinite(high - low) & (high > low), high - low, 1.0)
    relevance = np.where(valid, (scores - np.where(np.isfinite(low), low, 0)) / span, 0.0)
    vectors = corpus.vectors[item_cols]  # people x shortlist x dims
    closest = np.zeros((people, width), dtype=np.float32)
    cluster = corpus.cluster[item_cols]
    source = corpus.source[item_cols]
    same_source = np.zeros((people, width), dtype=np.int32)
    topics = corpus.topics[item_cols.ravel()]
    has_topics = topics.nnz > 0
    if has_topics:
        used = np.unique(topics.indices)
        topics = topics[:, used].toarray().reshape(people, width, len(used))
        topic_count = np.zeros((people, len(used)), dtype=np.float32)
    chosen = np.full((people, budget.per_digest), -1, dtype=np.int64)
    lam = budget.mmr_lambda
    for step in range(budget.per_digest):
        mmr = np.where(valid, lam * relevance - (1 - lam) * closest, -np.inf)
        best = mmr.argmax(axis=1)
        who = np.flatnonzero(valid[np.arange(people), best])
        if who.size == 0:
            break
        best = best[who]
        chosen[who, step] = best
        valid[who, best] = False
        valid[who] &= cluster[who] != cluster[who, best][:, None]
        picked_source = source[who, best][:, None]
        same_source[who] += (source[who] == picked_source) & (picked_source >= 0)
        valid[who] &= same_source[who] < budget.per_source
        if has_topics:
            topic_count[who] += topics[who, best]
            full = topic_count[who] >= budget.per_topic
            valid[who] &= np.einsum("bkt,bt->bk", topics[who], full.astype(np.float32)) == 0
        similarity = np.einsum("bkd,bd->bk", vectors[who], vectors[who, best])
        closest[who] = np.maximum(closest[who], similarity)
    return chosen
