"""Fuzzy words found by walking the segments' terms (index/term_walks.py) are the words
Whoosh's own `terms_within` finds, segment by segment, on a real index of several segments."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from tests.conftest import FIXTURES, SAMPLE_DUMPS
from tui_reader.index import PaperIndex, make_schema, paper_document, term_walks
from tui_reader.index import whoosh_internals as internals
from tui_reader.index.expansions import DamerauFuzzyTerm, TypedPrefix, swaps
from tui_reader.index.fast_search import FastSearch
from tui_reader.ingest import read_dump

SEGMENTS = 3


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """A PaperIndex of the sample dumps in three segments, a paper with odd words in the
    last one only."""
    papers = {}
    for path in [FIXTURES / "arxiv_100.jsonl", *sorted(SAMPLE_DUMPS.iterdir())]:
        papers.update((p.id, p) for p in read_dump(path).papers)
    docs = [paper_document(p, None, ()) for p in papers.values()]
    odd = docs[0] | {"id": "odd-1", "title": "Über straße naïve zzzyzx aaaab 😀smile"}
    docs.append(odd)
    folder = tmp_path_factory.mktemp("walks")
    ix = whoosh_index.create_in(folder, make_schema())
    for part in range(SEGMENTS):
        writer = SegmentWriter(ix, compound=False)
        for doc in docs[part * len(docs) // SEGMENTS:(part + 1) * len(docs) // SEGMENTS]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    assert len(internals.segments(ix)) == SEGMENTS
    found = PaperIndex(folder)
    yield found
    found.close()


def _words(index: PaperIndex, field: str) -> list[str]:
    s = index.searcher()
    return [t.decode("utf-8") for t in s.reader().lexicon(field)]


def _queries(index: PaperIndex) -> list[str]:
    """Words as people mistype them: a swap, a letter dropped, added or changed, from the
    index's words (first and last of the field among them), and words that are not near
    anything, or before or after every term."""
    rng = random.Random(7)
    words = _words(index, "title")
    picked = [words[0], words[-1], *rng.sample(words, 30)]
    out = ["a", "zzzzzz", "\u00fcber", "strasse", "naive", "smile", "0", "\U0001f600"]
    for word in picked:
        i = rng.randrange(len(word))
        out += [word, word[:i] + word[i + 1:], word[:i] + "e" + word[i:],
                word[:i] + "x" + word[i + 1:], *swaps(word)[:1]]
    return [w for w in out if w]


def test_sorted_terms_find_what_the_terms_file_finds(index):
    """first_at / term_at give the key Whoosh's closest_key_pos gives, for keys inside, between,
    before and after the terms."""
    s = index.searcher()
    for sub, _ in s.leaf_searchers():
        terms, numbers = term_walks.SortedTerms.of(sub.reader())
        table, _ = internals.terms_table(sub.reader())
        mapped = internals.MappedKeys.of(table)
        count, position_at = mapped.count, mapped.position_at
        assert count == table.indexlen > 1000
        keys = [b"", b"\x00", b"\xff\xff", *(table.key_at(position_at(i))
                                             for i in range(0, count, 7))]
        assert all(mapped.key_at(position_at(i)) == table.key_at(position_at(i))
                   for i in range(count))
        keys += [k + b"\x00" for k in keys] + [k[:-1] for k in keys if k]
        for key in keys:
            expected = table.closest_key_pos(key)
            index_at = terms.first_at(key)
            got = position_at(index_at) if index_at < count else None
            assert got == expected, key


@pytest.mark.parametrize("maxdist,prefix", [(1, 0), (1, 1), (1, 3), (2, 1)])
def test_walking_all_segments_finds_what_whoosh_finds_in_each(index, maxdist, prefix):
    s = index.searcher()
    leaves = [sub.reader() for sub, _ in s.leaf_searchers()]
    assert len(leaves) == SEGMENTS
    walks = [term_walks.SortedTerms.of(reader) for reader in leaves]
    checked = found_any = 0
    for field in ("title", "author", "abstract"):
        for word in _queries(index):
            keep = min(prefix, len(word))  # as the query language asks (Whoosh fails past it)
            expected = set()
            for reader in leaves:
                expected.update(reader.terms_within(field, word, maxdist, prefix=keep))
            dfa = term_walks.automaton(word, maxdist, keep)
            got = term_walks.words_within(
                [(terms, numbers[field]) for terms, numbers in walks], dfa)
            assert sorted(got) == sorted(expected), (field, word)
            assert len(got) == len(set(got))
            checked += 1
            found_any += bool(got)
    assert checked > 300 and found_any > checked // 4


def test_the_fast_search_expands_a_fuzzy_word_as_whoosh_does(index):
    """FastSearch's expansion of a DamerauFuzzyTerm (the walk and its swaps) is the union of
    Whoosh's expansions segment by segment; the odd words of the last segment are found."""
    s = index.searcher()
    fast = FastSearch(s)
    leaves = [sub.reader() for sub, _ in s.leaf_searchers()]
    for word in _queries(index)[:120] + ["uber", "zzzyxz", "aaaba"]:
        q = DamerauFuzzyTerm("title", word, maxdist=1, prefixlength=1)
        expected = set()
        for reader in leaves:
            expected.update(q.index_terms(reader))
        assert set(fast.expand(q)) == expected, word
    assert b"zzzyzx" in fast.expand(DamerauFuzzyTerm("title", "zzzyxz", maxdist=1,
                                                      prefixlength=1))
    assert b"aaaab" in fast.expand(DamerauFuzzyTerm("title", "aaaba", maxdist=1,
                                                     prefixlength=1))


@pytest.mark.parametrize("prefix", ["m", "mo", "lan", "über", "zzzyz", "q"])
def test_a_typed_prefix_stands_for_the_commonest_words_it_starts(index, prefix):
    """The fast search's TypedPrefix: the words Whoosh's expand_prefix finds in any segment,
    the `limit` with the most documents in all (their frequencies read from the terms files
    are the term infos' sums), ties in the words' order."""
    s = index.searcher()
    leaves = [sub.reader() for sub, _ in s.leaf_searchers()]
    fast = FastSearch(s)
    for field in ("title", "abstract", "author"):
        frequency: dict[bytes, int] = {}
        for reader in leaves:
            for btext in reader.expand_prefix(field, prefix):
                frequency[btext] = frequency.get(btext, 0) + reader.doc_frequency(field, btext)
        q = TypedPrefix(field, prefix)
        expected = sorted(frequency, key=lambda t: (-frequency[t], t))[:q.limit]
        assert fast.expand(q) == sorted(expected), (field, prefix)
        if len(frequency) > q.limit:  # the cut falls between words of other frequencies
            kept = frequency[expected[-1]]
            assert all(frequency[t] <= kept for t in frequency if t not in expected)
        for btext in expected:  # their term stats, made from where the words were found
            assert fast._infos[(field, btext)] == tuple(
                (i, internals.term_stats(r.term_info(field, btext)))
                for i, r in enumerate(leaves) if (field, btext) in r), (field, btext)
