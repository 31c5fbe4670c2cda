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

    def add(self, other: "Hits") -> None:
        """OR: the documents of either, their scores summed."""
        self.mask |= other.mask
        self.scores += other.scores

    def keep(self, mask: np.ndarray) -> None:
        """Only these documents."""
        self.mask &= mask
        self.scores *= self.mask

    def boosted(self, boost: float) -> "Hits":
        if boost != 1.0:
            self.scores *= boost
        return self


NO_POSTINGS = (np.zeros(0, dtype=np.int64), np.zeros(0))


def top_documents(mask: np.ndarray, values: np.ndarray, count: int, reverse: bool) -> np.ndarray:
    """The `count` documents of `mask` with the highest values (`reverse`) or the lowest,
    ties by the lower docnum, in that order."""
    found = np.flatnonzero(mask)
    if count <= 0 or not len(found):
        return found[:0]
    keys = values[found]
    if count < len(found):  # the count-th value, then only the few candidates are sorted
        if reverse:
            edge = np.partition(keys, len(keys) - count)[len(keys) - count]
            kept = keys >= edge
        else:
            edge = np.partition(keys, count - 1)[count - 1]
            kept = keys <= edge
        found, keys = found[kept], keys[kept]
    order = np.lexsort((found, -keys if reverse else keys))
    return found[order[:count]]
