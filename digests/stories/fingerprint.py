"""Near-duplicate fingerprints: MinHash over five-word shingles, with banded LSH lookups.

A reprint, a lightly edited rewrite or the same wire copy under another outlet's name shares
most of its five-word runs with the original; MinHash estimates that overlap (Jaccard) from
a 64-number signature, and LSH (16 bands of 4) finds candidates without comparing every pair.
A reprint joins its original's story whatever the similarity of terms says.

Written with numpy rather than taken from datasketch: datasketch's LSH module imports SciPy
(for tuning bands), ~0.3 s of start-up — an eighth of the time `wirebrief stories` may take for
500 articles — for the dozen lines below. Words are hashed with CRC-32 (the same in every
process, so stored signatures stay comparable) and shingles permuted by fixed odd multipliers.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Sequence

import numpy as np

SHINGLE = 5
NUM_PERM = 64
BANDS = 16
#: Estimated Jaccard of shingles above which two articles are one text (a reprint).
DUPLICATE_JACCARD = 0.6
#: Fewer shingles than this and a text is too short to call anything its duplicate.
MIN_SHINGLES = 8
_MASK = np.uint64(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B1)
_rng = np.random.RandomState(7)
_A = (_rng.randint(0, 1 << 31, NUM_PERM).astype(np.uint64) * np.uint64(2) + np.uint64(1)).reshape(-1, 1)
_B = _rng.randint(0, 1 << 32, NUM_PERM, dtype=np.uint64).reshape(-1, 1)


def _fmix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser: spreads the combined shingle hashes over all bits."""
    h = h ^ (h >> np.uint64(16))
    h = (h * np.uint64(0x85EBCA6B)) & _MASK
    h = h ^ (h >> np.uint64(13))
    h = (h * np.uint64(0xC2B2AE35)) & _MASK
    return h ^ (h >> np.uint64(16))


def signature(words: Sequence[str]) -> tuple[int, ...]:
    """The MinHash signature of the text's word shingles; () when too short to fingerprint."""
    count = len(words) - SHINGLE + 1
    if count < MIN_SHINGLES:
        return ()
    hashes = {w: zlib.crc32(w.encode("utf-8", "surrogatepass")) for w in set(words)}
    ids = np.array([hashes[w] for w in words], dtype=np.uint64)
    shingles = np.zeros(count, dtype=np.uint64)
    for k in range(SHINGLE):
        shingles = (shingles * _MIX + ids[k : k + count]) & _MASK
    mixed = _fmix(np.unique(shingles))
    permuted = (_A * mixed + _B) & _MASK  # (NUM_PERM, shingles)
    return tuple(int(v) for v in permuted.min(axis=1))


def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    if len(a) != NUM_PERM or len(b) != NUM_PERM:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / NUM_PERM


def _valid(sig: Sequence[int]) -> bool:
    """A signature as ``signature`` makes them (one read back from a damaged store is not)."""
    return len(sig) == NUM_PERM and all(0 <= value <= 0xFFFFFFFF for value in sig)


def _bands(sig: Sequence[int]) -> list[int]:
    """Each band as one int (its index, then its four 32-bit values): the same buckets as
    (index, values) tuples, in a tenth of the memory (a window of articles holds 16 each)."""
    rows = NUM_PERM // BANDS
    out = []
    for i in range(BANDS):
        key = i
        for value in sig[i * rows : (i + 1) * rows]:
            key = (key << 32) | value
        out.append(key)
    return out


#: Most keys one LSH bucket keeps (the newest). A thousand reprints of one wire story share their
#: buckets; any recent one of them finds the story, and comparing with all would make each
#: lookup cost the number of reprints seen (quadratic over a feed of copies).
BUCKET_CAP = 32


class DuplicateIndex:
    """Signatures seen so far, keyed by article id, for reprint lookups. Memory is what a
    window of articles costs, so it is kept small: a signature as 64 unsigned 32-bit values
    (256 bytes, not 64 Python ints), a band as one int, and a bucket as the one key it holds
    (most do: distinct texts rarely share a band) or a list of keys, oldest first."""

    def __init__(self) -> None:
        self._buckets: dict[int, str | list[str]] = {}
        self._sigs: dict[str, array[int]] = {}

    def add(self, key: str, sig: Sequence[int]) -> None:
        if key in self._sigs or not _valid(sig):
            return
        self._sigs[key] = array("I", sig)
        buckets = self._buckets
        for band in _bands(sig):
            held = buckets.get(band)
            if held is None:
                buckets[band] = key
            elif isinstance(held, str):
                buckets[band] = [held, key]
            else:
                held.append(key)
                if len(held) > BUCKET_CAP:
                    del held[0]

    def remove(self, key: str) -> None:
        sig = self._sigs.pop(key, None)
        if sig is None:
            return
        buckets = self._buckets
        for band in _bands(sig):
            held = buckets.get(band)
            if held == key:
                del buckets[band]
            elif isinstance(held, list) and key in held:
                held.remove(key)
                if len(held) == 1:
                    buckets[band] = held[0]

    def bucket_sizes(self) -> list[int]:
        """Keys per bucket (for tests of the cap)."""
        return [1 if isinstance(held, str) else len(held) for held in self._buckets.values()]

    def nearest(self, sig: Sequence[int]) -> tuple[str, float] | None:
        """The most similar earlier text at or above the duplicate bar, with its Jaccard."""
        if not _valid(sig):
            return None
        candidates: set[str] = set()
        for band in _bands(sig):
            held = self._buckets.get(band)
            if held is None:
                continue
            if isinstance(held, str):
                candidates.add(held)
            else:
                candidates.update(held)
        best: tuple[str, float] | None = None
        for key in sorted(candidates):
            score = jaccard(sig, self._sigs[key])
            if score >= DUPLICATE_JACCARD and (best is None or score > best[1]):
                best = (key, score)
        return best
