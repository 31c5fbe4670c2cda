"""The fast search while a query is typed (index/fast_search.py): the words already typed are
scored once, not again at each key of the next word, and every key still finds what a
search from scratch finds; what Hits adds in place equals what it adds as whole arrays."""

from __future__ import annotations

import numpy as np

from tui_reader.index.expansions import TypedPrefix
from tui_reader.index.fast_search import FastSearch
from tui_reader.index.hits import Hits
from tui_reader.index.query_language import parse


def test_typing_the_next_word_scores_the_word_before_once(sample_lib, monkeypatch):
    index = sample_lib.index
    fast = FastSearch(index.searcher())
    read = []
    original = FastSearch._term_postings

    def counted(self, field, text, *args, **kwargs):
        if self is fast:
            read.append((field, text))
        return original(self, field, text, *args, **kwargs)

    monkeypatch.setattr(FastSearch, "_term_postings", counted)
    for typed in ["reasoning mo", "reasoning mod", "reasoning mode", "reasoning model"]:
        q = parse(typed, typing=True).ranked().normalize()
        total, page = fast.page(q, "relevance", 0, 20)
        assert total > 0, typed
        # a search from scratch: the same papers, the same scores (the kept word's Hits are
        # a copy: the search that used them before did not change them)
        assert (total, page) == FastSearch(index.searcher()).page(q, "relevance", 0, 20), typed
    assert read.count(("title", "reason")) == 1  # the stem, as titles are indexed


def test_hits_added_in_place_equal_hits_added_as_arrays():
    rng = np.random.default_rng(5)
    size = 1_000
    base = rng.random(size) < 0.3
    where = rng.random(size) < 0.5
    ids = np.sort(rng.choice(size, 200, replace=False))
    scores = rng.random(200)
    expected = Hits(base.copy(), base * 2.0)
    part = Hits.none(size)
    part.add_postings(ids, scores)
    expected.scores += part.scores * where
    found = Hits(base.copy(), base * 2.0)
    found.add_within(ids, scores, where)
    assert np.array_equal(found.scores, expected.scores) and found.scores.any()
    flat = rng.random(size) < 0.2
    expected.add(Hits.flat(flat.copy(), 1.5))
    found.add_flat(flat, 1.5)
    assert np.array_equal(found.mask, expected.mask)
    assert np.array_equal(found.scores, expected.scores)


def test_the_word_being_typed_stands_for_the_terms_whoosh_expands(sample_lib):
    """A start past its stem ("factuali", "correcti", "alignm"), one at the stem and one of a
    few letters: the fast search's terms are those of TypedPrefix.index_terms (Whoosh's
    path, used where the fast one is not), on one segment."""
    sample_lib.index.merge(everything=True)
    searcher = sample_lib.index.searcher()
    assert searcher.is_atomic()
    fast = FastSearch(searcher)
    for typed in ["factuali", "correcti", "alignm", "evalua", "reason", "tas"]:
        q = parse(typed, typing=True).query
        prefixes = [s for s in q.subqueries if isinstance(s, TypedPrefix)]
        assert len(prefixes) == 3, typed
        for prefix in prefixes:
            assert fast.expand(prefix) == sorted(prefix.index_terms(searcher.reader())), \
                (typed, prefix)
        assert any(fast.expand(prefix) for prefix in prefixes), typed


def test_the_remembered_term_infos_are_not_walked_by_the_cycle_collector(sample_lib):
    """Typing remembers thousands of terms' statistics at a million papers: kept as tuples
    of numbers, which the cycle collector stops tracking, not as TermInfo objects, which
    every full collection walks while a key waits."""
    import gc
    fast = FastSearch(sample_lib.index.searcher())
    for typed in ["lan", "language mo", "language model"]:
        fast.page(parse(typed, typing=True).ranked().normalize(), "relevance", 0, 20)
    assert len(fast._infos) > 20
    for _ in range(4):  # a tuple is untracked once what it holds is: a level a collection
        gc.collect()
    assert not any(gc.is_tracked(infos) for infos in fast._infos.values())
