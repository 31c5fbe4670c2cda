"""Every private Whoosh name tui-reader uses (reading.py, writing.py), and the check that they
are there.

The fast paths (index/writing.py, fast_search.py, posting arrays, the memory-mapped terms files)
reach into Whoosh-Reloaded's writer, W3 codec and matchers, only through this package, written
for the release pinned in pyproject.toml. `check()` runs once, at import: `PROBLEM` says what
the installed Whoosh lacks (None: nothing) and `SUPPORTED` whether the fast paths may run.
When they may not, plain Whoosh serves: slower, with the same results.
"""

from __future__ import annotations

import inspect
from array import array
from io import BytesIO

from whoosh import columns, formats, scoring
from whoosh import query as wq
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from .reading import (
    MappedKeys, block_ids_values, block_max_id, block_postings, block_postings_values,
    column_bytes, compile_query, field_B, file_path, is_null, leaf_matcher, length_bytes,
    levenshtein_dfa, next_block, per_doc_reader, postings_file, query_terms, read_postings,
    reading_scattered, scattered_reads, segments, term_info_from_bytes, term_infos_from,
    term_matcher, terms_table, var_bytes_values)
from .writing import (
    _ENTRY_LENGTHS, POINTER, HookedSegmentWriter, block_limits, compact_terms_index, fill_block,
    is_w3_writer, posting_writer, write_block, write_one_block_term, written_files)

__all__ = [  # what the index modules use
    "MappedKeys", "block_ids_values", "block_max_id", "block_postings", "block_postings_values",
    "compile_query", "field_B", "file_path", "is_null", "leaf_matcher", "length_bytes",
    "levenshtein_dfa", "next_block", "per_doc_reader", "postings_file", "query_terms",
    "read_postings", "reading_scattered", "scattered_reads", "segments", "term_info_from_bytes",
    "term_infos_from", "term_matcher", "terms_table", "var_bytes_values",
    "HookedSegmentWriter", "block_limits", "compact_terms_index", "fill_block", "is_w3_writer",
    "posting_writer", "write_block", "write_one_block_term", "written_files",
    "check", "PROBLEM", "SUPPORTED"]

# -- the check -------------------------------------------------------------------------------
METHODS = {
    SegmentWriter: ("_check_state", "_check_fields", "_finalize_segment", "_close_segment",
                    "_flush_segment", "_commit_toc"),
    whoosh3.W3LeafMatcher: ("_read_data", "_read_ids", "_read_values", "_next_block"),
    whoosh3.W3PostingsWriter: ("_write_block",),
    whoosh3.W3TermsReader: ("items_from",),
    whoosh3.W3PerDocReader: ("_cached_reader",),
    FileStorage: ("_fpath",), filetables.HashWriter: ("_write_hashes",),
    wq.Prefix: ("_btexts",), wq.Wildcard: ("_btexts",), wq.FuzzyTerm: ("_btexts",),
    wq.TermRange: ("_btexts",), wq.NumericRange: ("_compile_query",),
}
ASSIGNED = {  # attributes these methods set
    SegmentWriter.__init__: ("_tempstorage", "_added"),
    SegmentReader.__init__: ("_terms", "_perdoc"),
    whoosh3.W3FieldWriter.__init__: ("_codec", "_postfile", "_tindex", "_postwriter"),
    whoosh3.W3FieldWriter.start_field: ("_fieldid", "_format"),
    whoosh3.W3Codec.__init__: ("_compression",),
    whoosh3.W3TermsReader.__init__: ("_codec", "_postfile", "_tindex", "_fieldmap"),
    scoring.BM25F.__init__: ("_field_B",),
    columns.VarBytesColumn.Reader.__init__: ("_dbfile", "_basepos"),
    columns.VarBytesColumn.Reader._read_offsets_and_lengths: ("_lengths",),
    filetables.HashWriter.__init__: ("dbfile", "hashfn", "buckets", "directory"),
    filetables.OrderedHashWriter.__init__: ("index", "lastkey"),
}
MODULE_NAMES = {whoosh3: ("W3LeafMatcher", "W3TermsReader", "W3FieldWriter", "W3PerDocReader",
                          "_lenfield", "LENGTHS_COLUMN", "WHOOSH3_HEADER_MAGIC"),
                wq.qcore: ("_NullQuery",)}


def _check_names() -> None:
    for module, names in MODULE_NAMES.items():
        for name in names:
            getattr(module, name)
    for cls, names in METHODS.items():
        for name in names:
            if not callable(getattr(cls, name, None)):
                raise AttributeError(f"{cls.__name__}.{name}")
    for method, names in ASSIGNED.items():
        for name in names:
            if name not in method.__code__.co_names:
                raise AttributeError(f"{method.__qualname__} sets no {name}")
    if whoosh3.W3TermInfo._struct.format != "!BfIBBfII":  # MappedKeys reads its frequency
        raise ValueError("W3TermInfo is not laid out as expected")
    if filetables._lengths.format != _ENTRY_LENGTHS.format:  # _add_term_entry writes them
        raise ValueError("the terms file's entries are not laid out as expected")
    if (filetables._pointer.format, filetables._pointer.size) != ("!Iq", POINTER.itemsize):
        raise ValueError("the terms file's hash tables are not laid out as expected")
    if "_lk" not in inspect.signature(SegmentWriter.__init__).parameters:
        raise TypeError("SegmentWriter takes no _lk")


def _check_blocks() -> None:
    """Write a posting list of two blocks as write_terms does and read it back through this
    module and through Whoosh's matcher; read a length column as length_bytes does."""
    fmt, ids, weights = formats.Positions(), [3, 7, 8], [1.0, 2.0, 1.0]
    values = [fmt.encode([i]) for i in range(3)]
    out = StructFile(BytesIO())
    pw = whoosh3.W3PostingsWriter(out, blocklimit=2, compression=3)
    pw.start_postings(fmt, whoosh3.W3TermInfo())
    for start in (0, 2):
        if start:
            write_block(pw)
        fill_block(pw, array("I", ids[start:start + 2]), array("f", weights[start:start + 2]),
                   values[start:start + 2], 2.0, 2, 9, 3 if start else 0)
    info = pw.finish_postings()

    def matcher():
        return whoosh3.W3LeafMatcher(StructFile(BytesIO(out.file.getvalue())), *info.extent(),
                                     fmt)
    plain = matcher()
    if list(plain.all_ids()) != ids or (info.doc_frequency(), info.max_weight()) != (3, 2.0):
        raise ValueError("W3 posting blocks are not written as expected")
    m, read = leaf_matcher(matcher()), []
    while m.is_active():
        found, raw = block_postings(m)
        last, (same, vals) = block_max_id(m), block_ids_values(m)
        read.append((found, list(raw), last, list(same), list(vals)))
        next_block(m)
    if read != [([3, 7], [1.0, 2.0], 7, [3, 7], values[:2]), ([8], [1.0], 8, [8], values[2:])]:
        raise ValueError("W3 posting blocks are not read as expected")
    found_ids, found_weights = [], []
    read_postings(StructFile(BytesIO(out.file.getvalue())), info, found_ids, found_weights)
    if (found_ids, found_weights) != (ids, weights):
        raise ValueError("W3 posting blocks are not decoded as expected")
    column = StructFile(BytesIO())
    writer = whoosh3.LENGTHS_COLUMN.writer(column)
    for docnum, length in enumerate(b"\x01\x00\x05"):
        writer.add(docnum, length)
    writer.finish(3)
    size = column.file.tell()
    reader = whoosh3.LENGTHS_COLUMN.reader(StructFile(BytesIO(column.file.getvalue())), 0,
                                           size, 3)
    if column_bytes(reader) != b"\x01\x00\x05":
        raise ValueError("length columns are not read as expected")


def check() -> str | None:
    """What the installed Whoosh lacks of what this module uses (None: nothing)."""
    try:
        _check_names()
        _check_blocks()
    except Exception as exc:  # any failure: the fast paths are off
        return f"{type(exc).__name__}: {exc}"
    return None


PROBLEM = check()
SUPPORTED = PROBLEM is None
