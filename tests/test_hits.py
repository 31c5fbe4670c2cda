"""The best documents of a search (index/hits.py `top_documents`) against a full sort, over
values with ties of every shape: all equal, most equal, a few values, all different."""

from __future__ import annotations

import numpy as np
import pytest

from tui_reader.index import hits
from tui_reader.index.hits import top_documents


def _expected(mask: np.ndarray, values: np.ndarray, count: int, reverse: bool) -> list[int]:
    docs = np.flatnonzero(mask).tolist()
    return sorted(docs, key=lambda d: (-float(values[d]) if reverse else values[d], d))[:count]


def _values(shape: str, rng: np.random.Generator, size: int) -> np.ndarray:
    if shape == "equal":
        return np.full(size, 2.5)
    if shape == "mostly equal":  # a typed word's flat score, a few scored papers above it
        return np.where(rng.random(size) < 0.01, rng.random(size) + 3.0, 3.0)
    if shape == "mostly equal, below":
        return np.where(rng.random(size) < 0.01, rng.random(size), 3.0)
    if shape == "steps":  # flat scores of fields with different boosts, a few scored
        return np.where(rng.random(size) < 0.005, 9 + rng.random(size),
                        rng.choice([1.0, 3.0, 3.0, 3.0, 4.0], size))
    if shape == "dates":
        return rng.integers(20_000_000, 20_000_400, size).astype(np.int64)
    if shape == "unsigned":  # a column of unsigned numbers (negated, they would wrap)
        return rng.integers(0, 400, size).astype(np.uint32)
    return rng.random(size)


@pytest.mark.parametrize("sample", [hits.SAMPLE, 64])  # 64: many documents, as at 1M papers
@pytest.mark.parametrize("shape", ["equal", "mostly equal", "mostly equal, below", "steps",
                                   "dates", "unsigned", "distinct"])
def test_top_documents_are_those_of_a_full_sort(shape, sample, monkeypatch):
    monkeypatch.setattr(hits, "SAMPLE", sample)
    rng = np.random.default_rng(11)
    for size, share in ((50_000, 0.9), (3_000, 0.05), (200, 1.0)):
        values = _values(shape, rng, size)
        mask = rng.random(size) < share
        for count in (1, 10, 60, 150, 250, 5_000):
            for reverse in (True, False):
                got = top_documents(mask, values, count, reverse).tolist()
                assert got == _expected(mask, values, count, reverse), (size, count, reverse)
    assert top_documents(np.zeros(5, dtype=bool), np.ones(5), 3, True).tolist() == []
    assert top_documents(np.ones(5, dtype=bool), np.ones(5), 0, True).tolist() == []


def test_a_sample_of_the_smallest_values_alone_is_not_trusted(monkeypatch):
    """The sampled values are all the smallest (fewer than asked for): all documents are
    partitioned, not the few below the sample's edge."""
    monkeypatch.setattr(hits, "SAMPLE", 64)
    size = 50_000
    values = 1.0 + np.random.default_rng(3).random(size)
    values[::size // 64] = 0.0  # where the sample is taken
    mask = np.ones(size, dtype=bool)
    got = top_documents(mask, values, 150, reverse=False).tolist()
    assert got == _expected(mask, values, 150, reverse=False)
