"""Merging the index's segments, as Lucene and Tantivy do: a tiered policy, and merges that
block neither searches nor imports.

Every import commit adds a segment, and a search pays a little for each (a term looked up in
each, a prefix or a fuzzy word expanded in each). `plan` picks the segments to merge: the
segments of a tier (sizes within a factor of MERGE_FACTOR of each other) once there are
MERGE_FACTOR of them, so every document is merged about log(N) times in all and a large
segment is never merged with a small one; a merged segment stays under MAX_MERGED_DOCS
(about 3.2 GB of index; Lucene's cap is 5 GB), so no merge grows into one giant rewrite. A
tier of large segments (ten of them over the cap) merges as many of its smallest as fit once
it holds OVERFULL_TIER, as Lucene's tiered policy does, so that segments do not pile up
without end. A merge copies its segments' postings (copy_merge.py), several times faster than
a rewrite through the term pool. Ten to a tier, as Lucene's segmentsPerTier: an import's
segments of 125,000 papers (importing.INDEX_COMMIT_EVERY) fill a tier at 1.25 million papers,
so the growth benchmark's million papers, imported at once, end in eleven segments (eight of
125,000, the first commit's two of 1,000, and the papers met again in the last span) with no
merge at the end (with eight to a tier, their eight smallest were merged into one of 500,000
papers after the import, alone on one core).

`merge` writes the new segment with no lock held, in `.merging` inside the index folder
(Whoosh's cleaning skips names starting with a dot), while searches read the old segments
and other writers commit; then, holding the writer lock for a moment, it moves the files in
and writes a table of contents with the new segment in place of the old ones (documents
deleted meanwhile are deleted in it too). A merge killed midway leaves the old table of
contents serving; its leftovers are removed by the next merge.
"""

from __future__ import annotations

import math
import os
import shutil
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ..locks import FileLock
from . import whoosh_internals as internals

MERGE_FACTOR = 10  # segments of one tier merged at once
TIER_FLOOR = 5_000  # documents: smaller segments are all of the lowest tier
MAX_MERGED_DOCS = 1_000_000  # a tiered merge never makes a segment larger than this
OVERFULL_TIER = 2 * MERGE_FACTOR  # segments of a tier whose smallest overflow the cap
MERGING = ".merging"  # in the index folder: the segment being merged
MERGE_LOCK = "MERGE_LOCK"  # one merge at a time (in any process)

Progress = Callable[[int, int], None]


def tier(docs: int) -> int:
    """The tier of a segment of `docs` live documents (0 for the smallest)."""
    return int(math.log(max(docs, TIER_FLOOR) / TIER_FLOOR, MERGE_FACTOR))


def plan(segments: list, everything: bool = False) -> list:
    """The segments to merge next, [] when none are due. `everything`: all of them (an
    optimize), when there are several or one has deleted documents."""
    if everything:
        return list(segments) if len(segments) > 1 or any(
            s.has_deletions() for s in segments) else []
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(tier(segment.doc_count()), []).append(segment)
    for level in sorted(tiers):
        if len(tiers[level]) < MERGE_FACTOR:
            continue
        # a full tier: its MERGE_FACTOR smallest segments, or once the tier holds twice that
        # (its smallest overflowing the cap), as many of its smallest as fit, at least two
        group, docs = [], 0
        for segment in sorted(tiers[level], key=lambda s: s.doc_count())[:MERGE_FACTOR]:
            if docs + segment.doc_count() > MAX_MERGED_DOCS:
                break
            group.append(segment)
            docs += segment.doc_count()
        if len(group) == MERGE_FACTOR or (len(group) >= 2
                                          and len(tiers[level]) >= OVERFULL_TIER):
            return group
    return []


def _leftovers(folder: Path) -> None:
    shutil.rmtree(folder / MERGING, ignore_errors=True)


class Merge:
    """One merge of `group`, segments of the index `ix` (Whoosh FileIndex), into one segment,
    written by `writer_class` (writing.FastSegmentWriter): copied or rewritten (copy_merge)."""

    def __init__(self, ix, group: list, writer_class, progress: Progress | None = None):
        self.ix, self.group, self.writer_class = ix, group, writer_class
        self.progress = progress or (lambda done, total: None)
        self.folder = Path(ix.storage.folder)
        # what the merged segment was made of: each old segment's deleted documents then
        self.deleted_then = [sorted(s.deleted_docs()) for s in group]
        self.bases: list[int] = []  # the merged docnum of each old segment's first document
        self.copied = False  # copied (deleted documents kept) or rewritten

    def write(self):
        """The merged segment, written in `.merging` (no lock held)."""
        _leftovers(self.folder)
        scratch = self.folder / MERGING
        scratch.mkdir(mode=0o700)
        staging = FileStorage(str(scratch)).create_index(self.ix.schema,
                                                        indexname=self.ix.indexname)
        writer = self.writer_class(staging, helper=True, compound=False)
        total = sum(s.doc_count() for s in self.group)
        readers = [SegmentReader(self.ix.storage, self.ix.schema, s) for s in self.group]
        try:
            # a copy keeps the deleted documents (still deleted), a rewrite drops them
            self.bases, self.copied = writer.add_readers(
                readers, lambda part: self.progress(int(part * total), total))
            merged = writer.finish_segment()
        except BaseException:
            writer.cancel()
            raise
        finally:
            for reader in readers:
                reader.close()
        self.progress(total, total)
        return merged

    def swap(self, merged, lead_writer) -> bool:
        """Put `merged` in place of the group in the table of contents, with `lead_writer`
        (holding the writer lock); False (and nothing changed) when a segment of the group is
        gone meanwhile (merged elsewhere, or the index rebuilt)."""
        current = {s.segment_id(): s for s in lead_writer.segments}
        names = [s.segment_id() for s in self.group]
        if any(name not in current for name in names):
            lead_writer.cancel()
            return False
        for old, then, base in zip(self.group, self.deleted_then, self.bases):
            now = current[old.segment_id()].deleted_docs()
            if self.copied:
                for docnum in now:
                    merged.delete_document(base + docnum)
                continue
            for docnum in set(now) - set(then):
                merged.delete_document(base + docnum - bisect_left(then, docnum))
        scratch = self.folder / MERGING
        prefix = merged.segment_id() + "."
        for name in os.listdir(scratch):
            if name.startswith(prefix):
                os.replace(scratch / name, self.folder / name)
        first = min(lead_writer.segments.index(current[n]) for n in names)

        def in_place(writer, segments):
            kept = [s for s in segments if s.segment_id() not in names]
            return kept[:first] + [merged] + kept[first:]

        lead_writer.commit(mergetype=in_place)
        return True


def merge_due(paper_index, everything: bool = False, progress: Progress | None = None,
              timeout: float = 30.0) -> int:
    """Merge what `plan` says is due, merge after merge (everything: into one segment); the
    number of merges done. 0 at once when another process is merging."""
    lock = FileLock(paper_index.path / MERGE_LOCK)
    if not lock.acquire():
        return 0
    done = 0
    try:
        while True:
            group = plan(internals.segments(paper_index.ix), everything)
            if not group:
                return done
            if paper_index.fast_search:
                merge = Merge(paper_index.ix, group, paper_index.writer_class, progress)
                merged = merge.write()
                if not merge.swap(merged, paper_index.writer(timeout=timeout)):
                    return done
            else:  # Whoosh's own merge, holding the lock throughout (no private names)
                _merge_locked(paper_index.writer(timeout=timeout), group)
            done += 1
            if everything:
                return done
    finally:
        _leftovers(paper_index.path)
        lock.release()


def _merge_locked(writer, group: list) -> None:
    """Merge `group` with Whoosh's public merge-policy interface (`commit(mergetype=...)`):
    the plain path, when the fast paths are off."""
    names = {s.segment_id() for s in group}

    def policy(writer, segments):
        for segment in segments:
            if segment.segment_id() in names:
                writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
        return [s for s in segments if s.segment_id() not in names]

    writer.commit(mergetype=policy)
