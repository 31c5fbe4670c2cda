"""What a query matches, as arrays over the collection's documents (global docnums): the
currency of the fast search (fast_search.py)."""

from __future__ import annotations

import numpy as np


class Hits:
    """What a query matches over all documents (global docnums): `mask` (bool), and `scores`
    (float, 0.0 where the mask is False). Each evaluation makes its own: the caller may
    change it in place."""

    __slots__ = ("mask", "scores")

    def __init__(self, mask: np.ndarray, scores: np.ndarray):
        self.mask = mask
        self.scores = scores

    @classmethod
    def none(cls, size: int) -> "Hits":
        return cls(np.zeros(size, dtype=bool), np.zeros(size))

    @classmethod
    def flat(cls, mask: np.ndarray, score: float) -> "Hits":
        """These documents, each with the same score."""
        return cls(mask, mask * float(score))

    def copy(self) -> "Hits":
        return Hits(self.mask.copy(), self.scores.copy())

    def add(self, other: "Hits") -> None:
        """OR: the documents of either, their scores summed."""
        self.mask |= other.mask
        self.scores += other.scores

    def add_flat(self, mask: np.ndarray, score: float) -> None:
        """OR with these documents, each with the same score, added in place."""
        self.mask |= mask
        self.scores += mask * float(score)  # (7 times as fast as np.add with `where`)

    def add_postings(self, ids: np.ndarray, scores: np.ndarray) -> None:
        """OR with one term's postings (docnums, scores), added in place: no array over the
        whole collection made for them."""
        self.mask[ids] = True
        self.scores[ids] += scores

    def add_within(self, ids: np.ndarray, scores: np.ndarray, where: np.ndarray) -> None:
        """Add postings' scores (distinct docnums) to those of their documents in `where`
        (a mask), leaving the others as they were."""
        kept = where[ids]
        self.scores[ids[kept]] += scores[kept]

    def keep(self, mask: np.ndarray) -> None:
        """Only these documents."""
        self.mask &= mask
        self.scores *= self.mask

    def boosted(self, boost: float) -> "Hits":
        if boost != 1.0:
            self.scores *= boost
        return self


NO_POSTINGS = (np.zeros(0, dtype=np.int64), np.zeros(0))
SAMPLE = 4_096  # values whose order tells where the best of many documents end


def top_documents(mask: np.ndarray, values: np.ndarray, count: int, reverse: bool) -> np.ndarray:
    """The `count` documents of `mask` with the highest values (`reverse`) or the lowest,
    ties by the lower docnum, in that order."""
    found = np.flatnonzero(mask)
    if count <= 0 or not len(found):
        return found[:0]
    keys = values[found]
    if reverse:  # the lowest of the negated: numpy's partition at a place near the end of
        # many equal values is slow (75 ms, not 4, for a typed start's 457,000 papers)
        keys = -(keys.astype(np.int64) if keys.dtype.kind == "u" else keys)
    while count < len(found):
        # Most documents often share the last-ranked value (a word being typed finds many
        # papers, all with one score): set them aside first, as numpy's partition takes
        # ten times as long over such ties.
        last = keys.max()
        better = keys < last
        ahead = int(np.count_nonzero(better))
        if ahead > len(found) // 2:
            break  # not a large tie: partition
        if ahead < count:  # all of those ahead, then the tied ones by docnum
            tied = found[~better][:count - ahead]
            found, keys = found[better], keys[better]
            order = np.lexsort((found, keys))
            return np.concatenate([found[order], tied])
        found, keys = found[better], keys[better]
    if count < len(found) and len(found) > 16 * max(SAMPLE, count):
        # many documents (a common word's 800,000): an edge from a sample of their values
        # keeps a few thousand candidates, and the partition below goes over those only
        # (numpy's partition takes 10 ms over 800,000 scores of a few thousand values)
        sample = keys[::len(keys) // SAMPLE]
        rank = min(len(sample) - 1, count * len(sample) * 3 // (2 * len(keys)) + 16)
        kept = keys <= np.partition(sample, rank)[rank]
        if np.count_nonzero(kept) >= count:  # (else an odd sample: all of them, below)
            found, keys = found[kept], keys[kept]
    if count < len(found):  # the count-th value, then only the few candidates are sorted
        edge = np.partition(keys, count - 1)[count - 1]
        kept = keys <= edge
        found, keys = found[kept], keys[kept]
    order = np.lexsort((found, keys))
    return found[order[:count]]
