"""A merge by copying (index/copy_merge.py) gives the segment a rewrite gives: every term's
statistics and postings, the posting arrays, the stored fields, lengths and columns; and a
copied merge keeps deleted documents deleted (real libraries and indexes on disk)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from whoosh.reading import SegmentReader

from tui_reader.index import copy_merge, merging, posting_arrays
from tui_reader.index.segment_reading import term_infos
from tui_reader.library import Library

WORDS = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "klmnprst"]  # 200 words


def _papers(seed: int, count: int) -> list[dict]:
    """Papers of Zipf-like words: some words in most papers (terms of several blocks), some
    in a few (terms of one block in some segments, of many once merged)."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    return [{"id": f"2501.{seed:01d}{n:04d}",
             "title": " ".join(rng.choices(WORDS, weights, k=8)),
             "abstract": " ".join(rng.choices(WORDS, weights, k=60)),
             "authors": [f"Author {rng.randrange(300)}", f"Writer {rng.randrange(50)}"],
             "categories": rng.sample(["cs.CL", "cs.LG", "cs.CV", "cs.AI"], 2),
             "date": f"2025-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"}
            for n in range(count)]


def _three_segments(data_dir: Path, tmp_path: Path) -> Library:
    lib = Library(data_dir)
    for seed, count in ((1, 400), (2, 90), (3, 300)):
        dump = tmp_path / f"part{seed}.jsonl"
        dump.write_text("".join(json.dumps(p) + "\n" for p in _papers(seed, count)))
        lib.import_paths([dump])
    assert lib.index.segment_count() == 3
    return lib


def _segment(data_dir: Path):
    """The one segment's reader of a library's index (after a merge)."""
    lib = Library(data_dir)
    segments = merging.internals.segments(lib.index.ix)
    assert len(segments) == 1
    return lib, SegmentReader(lib.index.ix.storage, lib.index.ix.schema, segments[0])


def _postings(reader, key: tuple) -> list[tuple]:
    m = reader.postings(*key)
    found = []
    while m.is_active():
        found.append((m.id(), m.weight(), m.value()))
        m.next()
    return found


def _merged_both_ways(data_dir: Path, tmp_path: Path, monkeypatch) -> tuple:
    """The library's segments merged by copying (in data_dir) and by rewriting (a copy of
    the library); the two merged segments' readers."""
    rewritten = tmp_path / "rewritten"
    shutil.copytree(data_dir, rewritten)
    lib = Library(data_dir)
    copied = []
    real = copy_merge.sources
    monkeypatch.setattr(copy_merge, "sources", lambda readers: copied.append(
        real(readers)) or copied[-1])
    assert lib.optimize() == (3, 1)
    assert copied and copied[0] is not None  # copied, not rewritten
    lib.close()
    other = Library(rewritten)
    monkeypatch.setattr(copy_merge, "sources", lambda readers: None)
    assert other.optimize() == (3, 1)
    other.close()
    return _segment(data_dir), _segment(rewritten)


def test_a_copied_merge_writes_the_segment_a_rewrite_writes(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(posting_arrays, "MIN_POSTINGS", 100)  # some short in each old segment
    _three_segments(data_dir, tmp_path).close()
    (lib_c, copied), (lib_r, rewritten) = _merged_both_ways(data_dir, tmp_path, monkeypatch)
    infos_c, infos_r = list(term_infos(copied)), list(term_infos(rewritten))
    assert [key for key, _ in infos_c] == [key for key, _ in infos_r]
    arrays_c, arrays_r = (posting_arrays.PostingArrays.open(r) for r in (copied, rewritten))
    many_blocks = joined = 0
    for (key, c), (_, r) in zip(infos_c, infos_r):
        assert (c.doc_frequency(), c.min_length(), c.max_length(), c.max_weight(),
                c.min_id(), c.max_id()) == (r.doc_frequency(), r.min_length(), r.max_length(),
                                            r.max_weight(), r.min_id(), r.max_id()), key
        assert c.weight() == pytest.approx(r.weight(), rel=1e-6), key
        assert _postings(copied, key) == _postings(rewritten, key), key
        a_c, a_r = arrays_c.arrays(*key), arrays_r.arrays(*key)
        assert (a_c is None) == (a_r is None), key
        if a_c is not None:
            for x, y in zip(a_c, a_r):
                assert (x is None and y is None) or x.tolist() == y.tolist(), key
            joined += 1
        many_blocks += c.doc_frequency() > 128
    assert many_blocks > 10 and joined > many_blocks  # both kinds of term were copied
    count = copied.doc_count_all()
    assert count == rewritten.doc_count_all() == 790
    assert [copied.stored_fields(n) for n in range(count)] == [
        rewritten.stored_fields(n) for n in range(count)]
    for field in ("title", "abstract", "author"):
        assert [copied.doc_field_length(n, field) for n in range(count)] == [
            rewritten.doc_field_length(n, field) for n in range(count)]
    for reader in (copied, rewritten):
        reader.close()
    query = f"{WORDS[0]} {WORDS[120]}"
    assert ([h.paper.id for h in lib_c.search(query, limit=50).hits]
            == [h.paper.id for h in lib_r.search(query, limit=50).hits])
    assert lib_c.check().problems == []


def test_a_copied_merge_keeps_deleted_documents_deleted(data_dir, tmp_path):
    lib = _three_segments(data_dir, tmp_path)
    changed = lib.search(WORDS[150], limit=3).hits
    for hit in changed:  # each paper's document rewritten: the old one deleted
        lib.note(hit.paper.id, "okapi annotations")
    segments = merging.internals.segments(lib.index.ix)
    group = [s for s in segments if s.has_deletions()] + [
        s for s in segments if not s.has_deletions()][:1]
    merge = merging.Merge(lib.index.ix, group, lib.index.writer_class)
    merged = merge.write()
    assert merge.copied
    late = lib.search(WORDS[151], limit=1).hits[0].paper  # changed during the merge
    lib.note(late.id, "okapi annotations")
    assert merge.swap(merged, lib.index.writer())
    ids = [h.paper.id for h in lib.search("okapi", limit=20).hits]
    assert sorted(ids) == sorted({h.paper.id for h in changed} | {late.id})
    for paper in [*(h.paper for h in changed), late]:
        found = [h.paper.id for h in lib.search(f'"{paper.title}"', limit=100).hits]
        assert found.count(paper.id) == 1
    assert lib.index.doc_count() == lib.stats()["papers"] == 790
    assert lib.check().problems == []
