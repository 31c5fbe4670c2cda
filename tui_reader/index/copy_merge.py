"""A merge by copying: the old segments' documents and postings copied, not rewritten.

A merge through the term pool (writing.py) decodes every posting of every old segment, sorts
them again and encodes them again, at under 1,000 papers a second. But old segments are
already in term order, and a merge that keeps their deleted documents (still deleted) numbers
each one's documents from the number of documents before it. So here each term's postings in
the new segment are the old segments' posting blocks one after the other: the first segment's
copied as they are, the others' with their document numbers moved up (a block's first document
number and its last one: the rest are deltas), each compressed at its level again
(`whoosh_internals.copy_blocks`, checked with the rest at start-up). Whoosh's
readers take blocks of any size up to the limit, so a term in two segments may have a short
block in the middle. The term's statistics are the old ones added up (a term info's weight is a
float32: the sum of the rounded sums may differ from a rewrite's in its last bit), and a term
of MIN_POSTINGS postings or more gets its posting arrays (posting_arrays.py), the old arrays
joined or, where it was shorter, decoded from its blocks. The stored fields, lengths and
columns go a document at a time, as in Whoosh's merge, with each field's lengths read once.

A merge copies when its old segments were written by the fast writer and at most
COPY_DELETED_MAX of their documents are deleted; otherwise (or to drop a lone segment's
deleted documents) it rewrites, and the deleted documents are gone. tests/test_copy_merge.py
checks a copied segment's every term's statistics and postings against a rewrite's.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
from whoosh import columns
from whoosh.util.numeric import length_to_byte

from . import posting_arrays, whoosh_internals as internals
from .posting_arrays import PostingArrays, PostingArraysWriter, decoded_positions
from .segment_reading import length_column, term_infos

COPY_DELETED_MAX = 0.1  # of a merge's documents: deleted ones kept (past this, a rewrite)
PROGRESS_EVERY = 20_000  # terms, or documents

Progress = Callable[[float], None]  # the part of the merge done, 0 to 1


class _Source:
    """One old segment: its reader, its first document's number in the new segment, its
    postings file and posting arrays."""

    def __init__(self, reader, arrays: PostingArrays):
        self.reader, self.arrays, self.base = reader, arrays, 0
        self.postfile = internals.postings_file(reader)


def sources(readers: list) -> list[_Source] | None:
    """The old segments of a merge, or None when it should rewrite them (see above)."""
    deleted = sum(r.doc_count_all() - r.doc_count() for r in readers)
    if deleted and (len(readers) < 2
                    or deleted > COPY_DELETED_MAX * sum(r.doc_count_all() for r in readers)):
        return None
    found = []
    for reader in readers:
        arrays = PostingArrays.open(reader) if internals.postings_file(reader) else None
        if arrays is None or not arrays.with_positions:
            return None
        found.append(_Source(reader, arrays))
    return found


def copy_documents(writer, segments: list[_Source], progress: Progress) -> None:
    """Add every document of the old segments to a segment writer (Whoosh's write_per_doc,
    deleted documents too), each segment's `base` set; progress up to a quarter."""
    schema, pdw = writer.schema, writer.perdocwriter
    total = sum(s.reader.doc_count_all() for s in segments)
    for source in segments:
        reader = source.reader
        source.base = writer.docnum
        count = reader.doc_count_all()
        names = set(schema.names()) | {n for n in reader.indexed_field_names() if n in schema}
        perdoc = internals.per_doc_reader(reader)
        lengths = {name: _lengths(perdoc, name, count) for name in names}
        cols = {}
        for name in names:
            coltype = schema[name].column_type
            if coltype and reader.has_column(name):
                creader = reader.column_reader(name, coltype)
                if isinstance(creader, columns.TranslatingColumnReader):
                    creader = creader.raw_column()
                cols[name] = creader
        for docnum in range(count):
            stored = reader.stored_fields(docnum)
            pdw.start_doc(writer.docnum)
            for name in names | {s for s in stored if s in schema}:
                pdw.add_field(name, schema[name], stored.get(name), lengths[name][docnum])
                if name in cols:
                    pdw.add_column_value(name, schema[name].column_type, cols[name][docnum])
            pdw.finish_doc()
            writer.docnum += 1
            if docnum % PROGRESS_EVERY == 0:
                progress((writer.docnum - segments[0].base) / total / 4)


def _lengths(perdoc, name: str, count: int) -> list[int]:
    """Every document's length of a field (0: none), as `doc_field_length` answers."""
    return [n or 0 for n in length_column(perdoc, name, count, 0)]


def _terms(source: _Source, number: int):
    """((field, term), the source's number, its term info) of every term of a source."""
    for key, info in term_infos(source.reader):
        yield key, number, info


def copy_postings(fieldwriter, schema, segments: list[_Source],
                  arrays: PostingArraysWriter, progress: Progress) -> None:
    """Write every term of the old segments to a W3 field writer (the new segment), its blocks
    copied, and the long terms' posting arrays to `arrays`; progress from a quarter on."""
    total = sum(internals.term_count(s.reader) for s in segments)
    merged = heapq.merge(*(_terms(s, n) for n, s in enumerate(segments)))
    lastfn, group = None, []
    for done, (key, number, info) in enumerate(merged):
        if group and key != group[0][0]:
            lastfn = _write(fieldwriter, schema, segments, group, lastfn, arrays)
            group = []
        group.append((key, number, info))
        if done % PROGRESS_EVERY == 0:
            progress(0.25 + 0.75 * done / max(total, 1))
    if group:
        lastfn = _write(fieldwriter, schema, segments, group, lastfn, arrays)
    if lastfn is not None:
        fieldwriter.finish_field()


def _write(fieldwriter, schema, segments: list[_Source], group: list, lastfn: str | None,
           arrays: PostingArraysWriter) -> str:
    """Write one term (`group`: its (key, source number, term info) in each old segment that
    has it, in order); the field it is in."""
    fieldname, btext = group[0][0]
    if fieldname != lastfn:
        if lastfn is not None:
            fieldwriter.finish_field()
        fieldwriter.start_field(fieldname, schema[fieldname])
    infos = [info for _, _, info in group]
    df = sum(info.doc_frequency() for info in infos)
    long = df >= posting_arrays.MIN_POSTINGS
    blocks: list[bytes] = []
    parts: list[tuple] = []  # each source's (ids, weights, counts, positions) for the arrays
    for i, (_, number, info) in enumerate(group):
        source = segments[number]
        raw = internals.postings_bytes(source.postfile, internals.extent(info))
        stored = source.arrays.arrays(fieldname, btext) if long else None
        decoded = ([], [], []) if long and stored is None else None
        internals.copy_blocks(raw, source.base, i == len(group) - 1, blocks, decoded)
        if long:
            parts.append(_moved(stored, source.base) if stored is not None
                         else _arrays(decoded, source.base, schema[fieldname].format))
    minlengths = [info.min_length() for info in infos if info.min_length()]
    internals.write_term(
        fieldwriter, btext, blocks, sum(info.weight() for info in infos), df,
        length_to_byte(min(minlengths)) if minlengths else 0,
        length_to_byte(max(info.max_length() for info in infos)),
        max(info.max_weight() for info in infos),
        infos[0].min_id() + segments[group[0][1]].base,
        infos[-1].max_id() + segments[group[-1][1]].base)
    if long:
        _add_arrays(arrays, fieldname, btext, parts)
    return fieldname


def _moved(stored: tuple, base: int) -> tuple:
    """An old segment's arrays of a term with its document numbers moved up by `base`."""
    ids, weights, counts, where = stored
    return ids + np.uint32(base), weights, counts, where


def _arrays(decoded: tuple[list, list, list], base: int, fmt) -> tuple:
    """A term's arrays from an old segment's postings decoded from its blocks (ids, weights,
    values: a term too short there to have arrays), its document numbers moved up by `base`."""
    ids, weights, values = decoded
    counts = where = None
    if fmt.supports("positions"):
        positions = decoded_positions(fmt, values)
        counts = np.fromiter(map(len, positions), dtype=np.uint32, count=len(positions))
        where = np.fromiter((p for each in positions for p in each), dtype=np.uint32)
    return (np.array(ids, dtype=np.uint32) + np.uint32(base), np.array(weights, np.float32),
            counts, where)


def _add_arrays(arrays: PostingArraysWriter, fieldname: str, btext: bytes,
                parts: list[tuple]) -> None:
    """Join the old segments' arrays of a term and add them (without positions if one
    lacks them, or a count overflows uint16; positions as uint32 if one is past 65,535)."""
    ids = np.concatenate([p[0] for p in parts]).astype(np.uint32)
    weights = np.concatenate([p[1] for p in parts]).astype(np.float32)
    counts = where = None
    if all(p[2] is not None for p in parts):
        counts = np.concatenate([p[2] for p in parts])
        where = np.concatenate([p[3] for p in parts])
        if counts.size and int(counts.max()) > 0xFFFF:
            counts = where = None
        else:
            counts = counts.astype(np.uint16)
            wide = where.size and int(where.max()) > 0xFFFF
            where = where.astype(np.uint32 if wide else np.uint16)
    arrays.add_arrays(fieldname, btext, ids, weights, counts, where)
