"""Near-duplicate items: the same press release as published on several sites.

Each text gets a MinHash signature of its word 3-grams ("shingles"): for each of 128 hash
functions, the smallest hash over the text's shingles. The share of positions at which two
signatures agree estimates the Jaccard similarity of their shingle sets (give or take 0.045
near 0.5). A site's title prefix or boilerplate sentences add a few shingles, a changed word
removes three and cutting the last fifth removes a fifth, so the copies of a 250-word release
in the tests score 0.7 and up (0.52 at the lowest over 2,000 random wrappings), while two
releases that share only the "About the company" paragraph score 0.1.

Signatures are stored with the items, so they must not change between processes, machines or
versions: the word hashes are CRC-32 and the hash functions' constants come from BLAKE2b of a
fixed string, neither depending on Python's hash seed, numpy's random generator or a library's
hashing scheme. Changing the normalisation, the shingles or the hash functions changes every
signature, and stored ones must then be computed again; the index's banding is free to change.

The index finds candidates by locality-sensitive hashing, 42 bands of 3 rows, and compares
each candidate's whole signature, so it never reports a match below the threshold. A pair at
the default threshold of 0.5 becomes a candidate 99.6% of the time, one at 0.6 99.996%.
A teaser of a long release (its first 40%) is not a near-duplicate of it by this measure.
"""

import hashlib
import zlib

import numpy as np

from budbringer.content.topics import words_of

NUM_PERM = 128
SIGNATURE_BYTES = NUM_PERM * 4
SHINGLE_WORDS = 3
# Below this many words two different texts share too much by chance to tell them apart.
MIN_WORDS = 25
# 42 bands of 3 rows use 126 of the 128 values; see the module docstring.
BANDS, ROWS = 42, 3
# Between copies (0.52 and up, tests and 2,000 random wrappings) and different releases of one
# company (0.1 and down); 0.6 would have missed 2.5% of those copies.
DEFAULT_THRESHOLD = 0.5

_SIGNATURE_DTYPE = np.dtype("<u4")
_SHIFT_32 = np.uint64(32)


def _constants(label: str, count: int) -> np.ndarray:
    """`count` fixed pseudo-random 64-bit numbers, the same everywhere and forever."""
    blocks = (
        hashlib.blake2b(f"budbringer {label} {n}".encode(), digest_size=64).digest()
        for n in range(-(-count * 8 // 64))
    )
    return np.frombuffer(b"".join(blocks), dtype="<u8")[:count].astype(np.uint64)


# Hash function i maps a 32-bit shingle hash x to ((A[i] * x + B[i]) mod 2**64) >> 32,
# Dietzfelbinger's multiply-add-shift: universal, and no modulo to compute.
_A = _constants("minhash a", NUM_PERM) | np.uint64(1)
_B = _constants("minhash b", NUM_PERM)
# Multipliers that mix the hashes of a shingle's words, and those of a band's rows.
_SHINGLE_MIX = _constants("shingle", SHINGLE_WORDS) | np.uint64(1)
_BAND_MIX = _constants("band", ROWS + 1) | np.uint64(1)

# Rows indexed in a dict before they are merged into the sorted array of band hashes.
_MERGE_AT = 512

# Shingles hashed at once: small enough for the (shingles x NUM_PERM) temporaries to stay in
# the CPU cache, which makes long texts twice as fast.
_CHUNK = 256


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every input bit affects every output bit (in place)."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def signature(text: str) -> bytes | None:
    """The MinHash signature of `text`, or None when it is too short to judge."""
    words = words_of(text)
    if len(words) < MIN_WORDS:
        return None
    word_hashes = np.fromiter(
        (zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words)
    )
    count = len(words) - SHINGLE_WORDS + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        shingles += word_hashes[offset : offset + count] * _SHINGLE_MIX[offset]
    shingles = np.unique(_mix(shingles) >> _SHIFT_32)
    minimum = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(shingles), _CHUNK):
        chunk = shingles[start : start + _CHUNK, np.newaxis]
        hashes = (chunk * _A + _B) >> _SHIFT_32
        np.minimum(minimum, hashes.min(axis=0), out=minimum)
    return minimum.astype(_SIGNATURE_DTYPE).tobytes()


def _array(sig: bytes) -> np.ndarray:
    if len(sig) != SIGNATURE_BYTES:
        raise ValueError(f"a signature has {SIGNATURE_BYTES} bytes, not {len(sig)}")
    return np.frombuffer(sig, dtype=_SIGNATURE_DTYPE)


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of the texts behind two signatures, from 0 to 1."""
    return float(np.count_nonzero(_array(a) == _array(b))) / NUM_PERM


def _band_hashes(signatures: np.ndarray) -> np.ndarray:
    """One 64-bit hash per band of each signature (rows x BANDS); bands are told apart too."""
    bands = signatures[:, : BANDS * ROWS].reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    hashes = np.arange(BANDS, dtype=np.uint64) * _BAND_MIX[ROWS]
    hashes = np.broadcast_to(hashes, (len(signatures), BANDS)).copy()
    for row in range(ROWS):
        hashes += bands[:, :, row] * _BAND_MIX[row]
    return _mix(hashes)


class NearDuplicateIndex:
    """Signatures of earlier items, searchable for the one a new item duplicates.

    Built for the ingestion pass: `add` an organisation's recent signatures, then `find` and
    `add` each new item. Adding only queues a signature; the queue is indexed at the next
    `find`. Band hashes live in one sorted array (12 bytes per band, 25 MB for 50,000
    items, where dicts would take several times that) plus a dict for the rows added since
    the array was last merged, so new items cost a pass over the array once per 512.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self._size = 0
        self._keys = np.empty(0, dtype=np.int64)
        self._signatures = np.empty((0, NUM_PERM), dtype=_SIGNATURE_DTYPE)
        self._queued_keys: list[int] = []
        self._queued: list[bytes] = []
        # Rows below _merged: their band hashes sorted, with the row each belongs to.
        self._merged = 0
        self._band_hashes = np.empty(0, dtype=np.uint64)
        self._band_rows = np.empty(0, dtype=np.int32)
        # Rows from _merged on: band hash -> rows.
        self._recent: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return self._size + len(self._queued)

    def add(self, key: int, sig: bytes) -> None:
        _array(sig)
        self._queued_keys.append(key)
        self._queued.append(sig)

    def find(self, sig: bytes) -> int | None:
        """The key of the most similar signature at or above the threshold, the lowest key
        among equally similar ones (so the oldest item represents the cluster), or None."""
        query = _array(sig)
        self._index_queued()
        wanted = _band_hashes(query[np.newaxis])[0]
        starts = np.searchsorted(self._band_hashes, wanted, side="left")
        ends = np.searchsorted(self._band_hashes, wanted, side="right")
        hits = [
            self._band_rows[start:end]
            for start, end in zip(starts, ends, strict=True)
            if end > start
        ]
        if self._recent:
            hits += [np.array(self._recent[h]) for h in wanted.tolist() if h in self._recent]
        if not hits:
            return None
        rows = np.unique(np.concatenate(hits))
        scores = np.count_nonzero(self._signatures[rows] == query, axis=1) / NUM_PERM
        good = scores >= self.threshold
        if not good.any():
            return None
        keys, scores = self._keys[rows[good]], scores[good]
        # Highest score first, then lowest key.
        return int(keys[np.lexsort((keys, -scores))[0]])

    def _index_queued(self) -> None:
        if not self._queued:
            return
        first, count = self._size, len(self._queued)
        self._grow(first + count)
        signatures = np.frombuffer(b"".join(self._queued), dtype=_SIGNATURE_DTYPE)
        self._signatures[first : first + count] = signatures.reshape(count, NUM_PERM)
        self._keys[first : first + count] = self._queued_keys
        self._size += count
        self._queued_keys, self._queued = [], []

        if self._size - self._merged >= _MERGE_AT:
            self._merge()
            return
        for offset, hashes in enumerate(_band_hashes(self._signatures[first : self._size])):
            for band_hash in hashes.tolist():
                self._recent.setdefault(band_hash, []).append(first + offset)

    def _grow(self, size: int) -> None:
        if size <= len(self._keys):
            return
        capacity = max(size, len(self._keys) * 5 // 4, 1024)
        keys = np.empty(capacity, dtype=np.int64)
        keys[: self._size] = self._keys[: self._size]
        signatures = np.empty((capacity, NUM_PERM), dtype=_SIGNATURE_DTYPE)
        signatures[: self._size] = self._signatures[: self._size]
        self._keys, self._signatures = keys, signatures

    def _merge(self) -> None:
        """Move the band hashes of all rows from _merged on into the sorted array."""
        hashes = _band_hashes(self._signatures[self._merged : self._size]).ravel()
        rows = np.repeat(np.arange(self._merged, self._size, dtype=np.int32), BANDS)
        order = np.argsort(hashes)
        hashes, rows = hashes[order], rows[order]
        at = np.searchsorted(self._band_hashes, hashes)
        self._band_hashes = np.insert(self._band_hashes, at, hashes)
        self._band_rows = np.insert(self._band_rows, at, rows)
        self._merged = self._size
        self._recent = {}
