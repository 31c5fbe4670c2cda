"""Merging the index's segments (index/merging.py): the tiered plan, `tui-reader optimize`,
and merges that searches, imports and kills cannot break (real indexes on disk)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tui_reader.index import merging
from tui_reader.library import Library

from conftest import SAMPLE_DUMPS

QUERIES = ("language model", "video", "reasoning agents", "diffusion", "trans*")


class FakeSegment:
    def __init__(self, docs: int, deleted: int = 0):
        self.docs, self.deleted = docs, deleted

    def doc_count(self) -> int:
        return self.docs

    def has_deletions(self) -> bool:
        return self.deleted > 0


def test_the_plan_merges_a_full_tier_of_similar_segments_and_nothing_else():
    small = [FakeSegment(1_000 + i) for i in range(merging.MERGE_FACTOR)]
    big = FakeSegment(900_000)
    assert merging.plan(small[:-1] + [big]) == []  # one short of a full tier
    assert set(merging.plan(small + [big])) == set(small)  # the large one is left alone
    tier_one = [FakeSegment(60_000) for _ in range(merging.MERGE_FACTOR)]
    assert merging.tier(60_000) == 1 and merging.tier(1_000) == 0
    assert merging.plan(tier_one + small[:3]) == tier_one
    huge = [FakeSegment(merging.MAX_MERGED_DOCS // 4) for _ in range(merging.MERGE_FACTOR)]
    assert merging.plan(huge) == []  # no giant merge
    more = huge * 2  # an overfull tier: as many as fit under the cap
    assert len(more) == merging.OVERFULL_TIER and merging.plan(more) == more[:4]
    halves = [FakeSegment(merging.MAX_MERGED_DOCS // 2 + 1)] * merging.OVERFULL_TIER
    assert merging.plan(halves) == []  # past half the cap: no pair fits
    assert merging.plan([big]) == [] and merging.plan([FakeSegment(10, deleted=2)], True)
    assert len(merging.plan([big, FakeSegment(5)], everything=True)) == 2


def test_imports_of_large_segments_leave_some_segments_not_ever_more():
    """Three million papers imported 126,000 at a time (two writers' segments an import, the
    sizes of the benchmark's): each merge plan applied as the library would, the segments
    stop growing (a plan needing eight under the cap merges none of these: 48 segments),
    none over the cap, every paper kept."""
    segments: list[FakeSegment] = []
    counts = []
    for _ in range(24):
        segments += [FakeSegment(63_000), FakeSegment(63_000)]
        while group := merging.plan(segments):
            segments = [s for s in segments if s not in group]
            segments.append(FakeSegment(sum(s.doc_count() for s in group)))
        counts.append(len(segments))
    assert sum(s.doc_count() for s in segments) == 48 * 63_000
    assert all(s.doc_count() <= merging.MAX_MERGED_DOCS for s in segments)
    assert max(counts) < merging.OVERFULL_TIER + 10 and counts[-1] <= 20


def _library(data_dir: Path) -> Library:
    """A library of the three sample dumps imported one by one: three segments."""
    lib = Library(data_dir)
    for dump in sorted(SAMPLE_DUMPS.iterdir()):
        lib.import_paths([dump])
    assert lib.index.segment_count() == 3
    return lib


def _answers(lib: Library) -> dict[str, tuple]:
    """Each query's papers (as a set: a merge drops deleted documents from the collection's
    statistics, so close scores may swap) and their order by date."""
    return {q: (frozenset(h.paper.id for h in lib.search(q, limit=200).hits),
                [h.paper.id for h in lib.search(q, sort="date", limit=200).hits])
            for q in QUERIES}


def test_optimize_merges_every_segment_and_every_search_answers_as_before(data_dir, cli):
    lib = _library(data_dir)
    before = _answers(lib)
    lib.close()
    result = cli("optimize")
    assert result.exit_code == 0 and "merged the index's 3 segments into 1" in result.output
    lib = Library(data_dir)
    assert lib.index.segment_count() == 1
    assert _answers(lib) == before
    assert not (data_dir / "index" / merging.MERGING).exists()
    lib.close()
    assert cli("check").exit_code == 0
    again = cli("optimize", "--json")
    assert json.loads(again.output) == {"segments_before": 1, "segments_after": 1}


def test_a_paper_changed_during_a_merge_is_found_once_with_its_change(data_dir):
    lib = _library(data_dir)
    segments = merging.internals.segments(lib.index.ix)
    merge = merging.Merge(lib.index.ix, segments, lib.index.writer_class)
    merged = merge.write()
    some = lib.search("video", limit=1).hits[0].paper
    lib.note(some.id, "zebrafish annotations")  # rewrites its document: the old one deleted
    assert merge.swap(merged, lib.index.writer())
    assert lib.index.segment_count() == 2  # the merged one and the note's
    found = lib.search("zebrafish", limit=10)
    assert [h.paper.id for h in found.hits] == [some.id]
    assert lib.index.doc_count() == lib.stats()["papers"]
    title_hits = [h.paper.id for h in lib.search(f'"{some.title}"', limit=100).hits]
    assert title_hits.count(some.id) == 1


def test_searches_and_an_import_go_on_during_a_merge(data_dir, tmp_path):
    lib = _library(data_dir)
    before = _answers(lib)
    midway, go = threading.Event(), threading.Event()

    def progress(done: int, total: int) -> None:
        if not midway.is_set():
            midway.set()
            assert go.wait(60)

    merged = []
    worker = threading.Thread(target=lambda: merged.append(lib.optimize(progress)))
    worker.start()
    assert midway.wait(60)
    assert _answers(lib) == before  # the old segments serve while the merge is written
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "2501.09999", "title": "Zebrafish Segment Merging",
                                 "abstract": "A paper imported while a merge runs."}) + "\n")
    report = lib.import_paths([extra])  # not kept waiting by the merge
    assert report.new == 1
    go.set()
    worker.join(120)
    assert not worker.is_alive()
    assert _answers(lib) == before
    assert [h.paper.title for h in lib.search("zebrafish").hits] == ["Zebrafish Segment Merging"]
    assert lib.index.doc_count() == lib.stats()["papers"]
    assert lib.check().problems == []


KILLED_MERGE = """
import os, signal, sys
from tui_reader.library import Library
lib = Library(sys.argv[1])
def progress(done, total):
    if done:  # a segment read into the new one, the new one not yet written
        os.kill(os.getpid(), signal.SIGKILL)
lib.optimize(progress)
"""


def test_a_merge_killed_midway_leaves_the_old_segments_serving(data_dir):
    lib = _library(data_dir)
    before = _answers(lib)
    lib.close()
    run = subprocess.run([sys.executable, "-c", KILLED_MERGE, str(data_dir)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -9
    assert (data_dir / "index" / merging.MERGING).exists()  # the merge's leftovers
    lib = Library(data_dir)
    assert lib.index.segment_count() == 3
    assert _answers(lib) == before
    assert lib.check().problems == []
    assert lib.optimize() == (3, 1)  # the next merge clears the leftovers and succeeds
    assert not (data_dir / "index" / merging.MERGING).exists()
    assert _answers(lib) == before


@pytest.mark.parametrize("fast", [True, False])
def test_merging_works_with_the_fast_paths_on_and_off(data_dir, monkeypatch, fast):
    lib = _library(data_dir)
    before = _answers(lib)
    monkeypatch.setattr(lib.index, "fast_search", fast)
    assert lib.optimize() == (3, 1)
    assert _answers(lib) == before


def test_an_import_merges_a_full_tier_when_it_is_done(data_dir, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    lib = Library(data_dir)
    dumps = sorted(SAMPLE_DUMPS.iterdir())
    lib.import_paths([dumps[0]])
    lib.import_paths([dumps[1]])
    assert lib.index.segment_count() == 2  # a tier of two: not yet
    lib.import_paths([dumps[2]])
    assert lib.index.segment_count() == 1
    assert lib.index.doc_count() == lib.stats()["papers"] == 146
    # the merged segment's facet values are kept beside it, as an import's own segments' are
    (merged,) = merging.internals.segments(lib.index.ix)
    assert (data_dir / "index" / merged.make_filename(".fct")).is_file()
