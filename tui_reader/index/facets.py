"""Facets: how many of a query's matches have each year, organisation, category and tag.

Every segment's values are read once into numpy arrays over its documents (from the `facets`
column that paper_document fills: the paper's id, year, organisation, categories, tags) and
kept while the segment lives (a segment never changes; deleted documents are never in a
query's matches). A count is then a `bincount` over the documents a query matches (a mask of
global docnums); the papers of a view are found by their ids.

Reading a segment's column is Python work on every document (5.5 s at a million papers, in
the reader's warm-up, where it slowed the first keys typed), so what it gives is kept beside
the segment in `<segment>.fct` (numpy arrays, no pickles), written by the first process that
reads it (an import, at its end), read by the others in a moment. The file goes with its
segment (Whoosh deletes a dropped segment's files by their name); a damaged or unwritable one
is the column read again.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..models import FACET_TOP, FACETS
from . import whoosh_internals as internals
from .schema import FIELD_SEPARATOR, VALUE_SEPARATOR


@dataclass
class _Values:
    """One facet's values in a segment: `docs[i]` has the value `labels[codes[i]]`."""

    docs: np.ndarray  # segment docnums (int32: 4 bytes a value, 1M papers have 3M values)
    codes: np.ndarray  # int32
    labels: list

    def counts(self, mask: np.ndarray) -> Counter:
        """How many documents of `mask` (the segment's part) have each value."""
        if not len(self.docs):
            return Counter()
        found = np.bincount(self.codes[mask[self.docs]], minlength=len(self.labels))
        return Counter({self.labels[i]: int(found[i]) for i in np.flatnonzero(found)})


@dataclass
class _Segment:
    """What facets need of one segment: each facet's values and each document's paper id
    (UTF-8 in a numpy bytes array: a million Python strings would be 70 MB)."""

    values: dict[str, _Values]
    ids: np.ndarray


class _Coding:
    """One facet's values as a segment is read: document numbers and value codes in arrays
    (a million papers' categories as tuples were 200 MB), each label once."""

    def __init__(self) -> None:
        self.docs, self.codes = array("i"), array("i")
        self.labels: dict = {}

    def add(self, doc: int, value) -> None:
        self.docs.append(doc)
        self.codes.append(self.labels.setdefault(value, len(self.labels)))

    def values(self, decode: bool) -> _Values:
        labels = [v.decode("utf-8") for v in self.labels] if decode else list(self.labels)
        return _Values(np.frombuffer(self.docs, np.int32), np.frombuffer(self.codes, np.int32),
                       labels)


_FIELDS, _VALUES = FIELD_SEPARATOR.encode(), VALUE_SEPARATOR.encode()  # (ASCII: split bytes)


def _read_segment(reader) -> _Segment:
    """Every facet's values and the paper ids of one segment (its own docnums), read from
    its facets column a document at a time, split as UTF-8 bytes."""
    count = reader.doc_count_all()
    coding = {name: _Coding() for name in FACETS}
    ids = [b""] * count
    if reader.has_column("facets"):
        column = reader.column_reader("facets", translate=False)
        raws = internals.var_bytes_values(column) if internals.SUPPORTED else iter(column)
        year, org, category, tag = (coding[name].add for name in ("year", "org", "category",
                                                                    "tag"))
        for d, raw in enumerate(raws):
            if not raw:
                continue
            ids[d], published, name, cats, tags = raw.split(_FIELDS)
            if published:
                year(d, int(published))
            if name:
                org(d, name)
            if cats:
                for c in cats.split(_VALUES):
                    category(d, c)
            if tags:
                for t in tags.split(_VALUES):
                    tag(d, t)
    return _Segment({name: found.values(decode=name != "year")
                     for name, found in coding.items()}, np.array(ids, dtype=bytes))


EXT = ".fct"


def _segment_file(reader) -> str | None:
    """The path of a segment's facet file, or None (not a segment in a folder)."""
    try:
        return os.path.join(reader.storage().folder, reader.segment().make_filename(EXT))
    except AttributeError:
        return None


def _load(path: str) -> _Segment | None:
    """A segment's facets from its file, or None (no file, or not one this code wrote)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return _Segment({name: _Values(data[f"{name}.docs"], data[f"{name}.codes"],
                                           data[f"{name}.labels"].tolist())
                             for name in FACETS}, data["ids"])
    except Exception:  # noqa: BLE001 - missing, damaged, another layout: read the column
        return None


def _save(path: str, segment: _Segment) -> None:
    """Keep a segment's facets in its file (written whole, then renamed into place); a
    folder not writable keeps none."""
    arrays = {"ids": segment.ids}
    for name, values in segment.values.items():
        arrays.update({f"{name}.docs": values.docs, f"{name}.codes": values.codes,
                       f"{name}.labels": np.array(values.labels)})
    partial = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(partial, "wb") as out:
            np.savez(out, **arrays)
        os.replace(partial, path)
    except OSError:
        try:
            os.unlink(partial)
        except OSError:
            pass


def _stored_or_read(reader) -> _Segment:
    """A segment's facets from its file, else read from its column (and kept in a file)."""
    path = _segment_file(reader)
    found = _load(path) if path else None
    if found is None:
        found = _read_segment(reader)
        if path:
            _save(path, found)
    return found


class FacetCounter:
    """The facet values of an index's segments, read once each, and the docnum of each
    paper id in the latest searcher (thread-safe)."""

    def __init__(self) -> None:
        self._segments: dict[str, _Segment] = {}
        self._lock = threading.Lock()
        # (searcher, the live documents' paper ids sorted, their docnums in that order)
        self._docnums: tuple[object, np.ndarray, np.ndarray] | None = None

    def _segment(self, reader) -> _Segment:
        key = reader.segment().segment_id()
        with self._lock:
            found = self._segments.get(key)
        if found is None:
            found = _stored_or_read(reader)
            with self._lock:
                self._segments[key] = found
        return found

    def warm_up(self, searcher) -> None:
        """Read every segment's facet values now (a reader's first `f` would pay it)."""
        self._leaves(searcher)

    def _leaves(self, searcher) -> list[tuple[object, int, _Segment]]:
        """(reader, docnum offset, facet data) of each segment; segments merged away are
        forgotten."""
        leaves = [(searcher, 0)] if searcher.is_atomic() else list(searcher.leaf_searchers())
        found = [(sub.reader(), offset, self._segment(sub.reader())) for sub, offset in leaves]
        live = {reader.segment().segment_id() for reader, _, _ in found}
        with self._lock:
            for key in set(self._segments) - live:
                del self._segments[key]
        return found

    def counts(self, searcher, mask: np.ndarray, top: int = FACET_TOP
               ) -> dict[str, list[tuple[object, int]]]:
        """facet -> [(value, number of documents of `mask`)], the `top` most frequent first
        (ties by value)."""
        totals = {name: Counter() for name in FACETS}
        for reader, offset, segment in self._leaves(searcher):
            part = mask[offset:offset + reader.doc_count_all()]
            if part.any():
                for name in FACETS:
                    totals[name].update(segment.values[name].counts(part))
        return {name: sorted(found.items(), key=lambda item: (-item[1], item[0]))[:top]
                for name, found in totals.items()}

    def mask_of(self, searcher, paper_ids) -> np.ndarray:
        """The live documents of these papers, as a mask over all documents."""
        with self._lock:
            known = self._docnums
        if known is None or known[0] is not searcher:
            ids, docnums = [], []
            for reader, offset, segment in self._leaves(searcher):
                live = segment.ids != b""
                if reader.has_deletions():
                    live[list(reader.deleted_docs_set)] = False
                ids.append(segment.ids[live])
                docnums.append(np.flatnonzero(live) + offset)
            ids = np.concatenate(ids) if ids else np.zeros(0, dtype=bytes)
            docnums = np.concatenate(docnums) if docnums else np.zeros(0, dtype=np.int64)
            order = np.argsort(ids, kind="stable")
            known = (searcher, ids[order], docnums[order])
            with self._lock:
                self._docnums = known
        _, ids, docnums = known
        mask = np.zeros(searcher.doc_count_all(), dtype=bool)
        wanted = np.array([i.encode("utf-8") for i in paper_ids], dtype=bytes)
        if len(wanted) and len(ids):
            at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
            mask[docnums[at[ids[at] == wanted]]] = True
        return mask
