"""Reading Whoosh's files through its private names: the terms files (memory-mapped keys,
scattered reads), posting blocks, length and stored columns; queries' terms, weighting,
storage."""

from __future__ import annotations

import mmap
import pickle
import struct
import threading
import zlib
from io import BytesIO
from contextlib import contextmanager
from itertools import accumulate

import numpy as np
from whoosh import query as wq
from whoosh.codec import base as codec_base
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage


# -- reading terms files ---------------------------------------------------------------------
_SCATTERED = threading.local()  # .depth: inside scattered_reads() in this thread


@contextmanager
def scattered_reads():
    """Term lookups in this block (a few bytes at random places of the terms files): a terms
    file read through a memory map reads them with pread instead (paper_index._MappedFile), so
    that the pages around them are not mapped into the process."""
    _SCATTERED.depth = getattr(_SCATTERED, "depth", 0) + 1
    try:
        yield
    finally:
        _SCATTERED.depth -= 1


def reading_scattered() -> bool:
    """Whether this thread is inside scattered_reads()."""
    return getattr(_SCATTERED, "depth", 0) > 0


# -- reading postings ------------------------------------------------------------------------
def leaf_matcher(m):
    """The W3 block matcher inside wrapping matchers, or None (another kind of postings)."""
    while not isinstance(m, whoosh3.W3LeafMatcher) and hasattr(m, "child"):
        m = m.child
    return m if isinstance(m, whoosh3.W3LeafMatcher) else None


_BLOCK_LENGTH = struct.Struct("!i")  # W3: each block's length, negative for the last


def read_postings(postfile, info, ids: list, weights: list) -> None:
    """Append a term's postings in a W3 segment (document numbers, weights) to two lists,
    decoded from its blocks in one read of the postings file: what W3LeafMatcher reads,
    without making a matcher (a prefix reads thousands of rare terms). No W3 segment has
    inlined postings: Whoosh's writer fails on them (it calls a missing `set_inline`)."""
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it in a 1-tuple
        length = length[0]
    raw = postfile.get(offset, length)
    if raw[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise ValueError("not W3 postings")
    stream, at = BytesIO(raw), 4
    while True:
        size = _BLOCK_LENGTH.unpack_from(raw, at)[0]
        end = at + 4 + abs(size)
        stream.seek(at + 4)
        count, _, _, compression, _, _ = pickle.load(stream)  # the block's info
        data = raw[stream.tell():end]
        block_ids, block_weights, _ = pickle.loads(zlib.decompress(data) if compression
                                                   else data)
        ids.extend(accumulate(block_ids))  # delta-encoded
        if block_weights is None or isinstance(block_weights, float):  # all equal
            weights.extend([1.0 if block_weights is None else block_weights] * count)
        else:
            weights.extend(block_weights)
        if size < 0:
            return
        at = end


def postings_file(reader):
    """The postings file of a W3 segment reader, or None (not a W3 segment)."""
    terms = getattr(reader, "_terms", None)
    return terms._postfile if type(terms) is whoosh3.W3TermsReader else None


def block_postings(m) -> tuple[list, object]:
    """(document numbers, weights) of a W3 matcher's current block."""
    if m._data is None:
        m._read_data()
    data = m._data
    ids = data[0] if m._byteids else list(accumulate(data[0]))  # delta-decoded
    weights = data[1]  # a block stores all-equal weights as one number, all-1.0 as None
    if weights is None or isinstance(weights, float):
        weights = [1.0 if weights is None else weights] * len(ids)
    return ids, weights


def block_postings_values(m) -> tuple[list, object, object]:
    """(document numbers, weights, encoded values) of a W3 matcher's current block."""
    ids, weights = block_postings(m)
    if m._values is None:
        m._read_values()
    return ids, weights, m._values


def block_max_id(m) -> int:
    """The last document number of a W3 matcher's current block (read from its header)."""
    return m._maxid


def block_ids_values(m) -> tuple:
    """(document numbers, encoded values) of a W3 matcher's current block."""
    if m._ids is None:
        m._read_ids()
    if m._values is None:
        m._read_values()
    return m._ids, m._values


def next_block(m) -> None:
    """Move a W3 matcher to its next block (inactive after the last)."""
    m._next_block()


def term_matcher(reader, field: str, btext: bytes, info, fmt):
    """A term's postings in a segment from its TermInfo (a W3 reader would look the term up
    again); deleted documents included."""
    terms = getattr(reader, "_terms", None)
    if type(terms) is not whoosh3.W3TermsReader:
        return reader.postings(field, btext)
    return terms._codec.postings_reader(terms._postfile, info, fmt, term=(field, btext))


def term_infos_from(reader, field: str, bprefix: bytes):
    """((field, term), TermInfo) of a segment's terms from `bprefix` on, in order, or None
    (not a W3 segment)."""
    terms = getattr(reader, "_terms", None)
    if type(terms) is not whoosh3.W3TermsReader:
        return None
    return terms.items_from(field, bprefix)


def terms_table(reader):
    """(the ordered hash table of a W3 segment's terms file, its field numbers by name), or
    None (not a W3 segment). The table's keys are a field number (2 bytes) and the term."""
    terms = getattr(reader, "_terms", None)
    if type(terms) is not whoosh3.W3TermsReader:
        return None
    return terms._tindex, terms._fieldmap


class MappedKeys:
    """An ordered hash table (a segment's terms file) read straight from its memory map: its
    keys in order and, for a terms file, each term's document frequency."""

    _LENGTH = struct.Struct("!I")
    DOC_FREQUENCY_AT = 5  # in a W3TermInfo's bytes: after its flags (B) and weight (f)

    def __init__(self, table, mapped: mmap.mmap):
        self.count = table.indexlen
        self._mapped = mapped
        self._entry = struct.Struct("!" + table.extras["indextype"])
        self._base = table.indexbase

    @classmethod
    def of(cls, table) -> MappedKeys | None:
        """The table's keys, or None: its file is not memory-mapped."""
        mapped = getattr(table.dbfile, "file", None)
        return cls(table, mapped) if isinstance(mapped, mmap.mmap) else None

    def position_at(self, index: int) -> int:
        """Where the key at `index` (in the keys' order) is in the file."""
        return self._entry.unpack_from(self._mapped, self._base + index * self._entry.size)[0]

    def key_at(self, position: int) -> bytes:
        """The key at a position (after the key's length and the value's, 4 bytes each)."""
        start = position + 8
        return self._mapped[start:start + self._LENGTH.unpack_from(self._mapped, position)[0]]

    def value_at(self, position: int) -> bytes:
        """The value after the key at a position (a terms file: the term's info)."""
        key_length, value_length = struct.unpack_from("!II", self._mapped, position)
        start = position + 8 + key_length
        return self._mapped[start:start + value_length]

    def keys_and_frequencies(self, lo: int, hi: int, cut: int) -> tuple[list[bytes], list[int]]:
        """The keys from index `lo` to `hi` (without their first `cut` bytes) and the
        document frequency in each one's term info: their entries copied from the map in one
        piece and their lengths and frequencies read with numpy (a three-letter prefix has
        thousands of terms in each segment)."""
        size = self._entry.size
        table = self._mapped[self._base + lo * size:self._base + hi * size]
        at = np.frombuffer(table, dtype=">" + self._entry.format[1:]).astype(np.int64)
        first, last = int(at.min()), int(at.max())
        key_length, value_length = struct.unpack_from("!II", self._mapped, last)
        chunk = self._mapped[first:last + 8 + key_length + value_length]
        at -= first
        raw = np.frombuffer(chunk, dtype=np.uint8)
        lengths = _big_endian_uint32(raw, at)
        frequencies = _big_endian_uint32(raw, at + 8 + lengths + self.DOC_FREQUENCY_AT)
        keys = [chunk[a + 8 + cut:a + 8 + n] for a, n in zip(at.tolist(), lengths.tolist())]
        return keys, frequencies.tolist()


def term_info_from_bytes(raw: bytes):
    """A W3 term info from its bytes in a terms file."""
    return whoosh3.W3TermInfo.from_bytes(raw)


def _big_endian_uint32(raw: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The big-endian unsigned 32-bit numbers at these offsets of a byte array."""
    found = raw[at].astype(np.int64) << 24
    for shift, step in ((16, 1), (8, 2), (0, 3)):
        found |= raw[at + step].astype(np.int64) << shift
    return found


def levenshtein_dfa(text: str, maxdist: int, prefix: int):
    """Whoosh's automaton for the words within `maxdist` edits of `text` that keep its first
    `prefix` letters (`terms_within` builds one for each segment and field)."""
    return codec_base.Automata.levenshtein_dfa(text, maxdist, prefix)


def per_doc_reader(reader):
    """A segment reader's per-document reader (lengths, columns, stored fields)."""
    return reader._perdoc


def length_bytes(perdoc, field: str) -> bytes | None:
    """The length bytes of a field, one a document, of a W3 per-document reader (None: no
    length column)."""
    column = perdoc._cached_reader(whoosh3._lenfield(field), whoosh3.LENGTHS_COLUMN)
    return None if column is None else column_bytes(column)


def column_bytes(column) -> bytes:
    """The raw bytes of a column of one-byte values."""
    return column._dbfile.get(column._basepos, column._count) if column._count else b""


def var_bytes_values(column) -> list[bytes]:
    """Every document's value of a VarBytesColumn reader, from one read of its data (the
    reader's own iteration reads the file once a document)."""
    data = column._dbfile.get(column._basepos, sum(column._lengths))
    values, position = [], 0
    for length in column._lengths:
        values.append(data[position:position + length])
        position += length
    return values


# -- queries, weighting, storage -----------------------------------------------------------
def field_B(weighting, field: str) -> float:
    """BM25F's B of a field (its own, or the default)."""
    return weighting._field_B.get(field, weighting.B)


def compile_query(q, reader):
    """The query a NumericRange stands for (its terms depend on the schema only)."""
    return q._compile_query(reader)


def query_terms(q, reader) -> list:
    """The index terms (bytes) a multi-term query stands for in one segment."""
    return list(q._btexts(reader))


def is_null(q) -> bool:
    """Whether `q` is Whoosh's NullQuery (matches nothing)."""
    return q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery)


def segments(ix) -> list:
    """The segments of an index's latest generation, from its table of contents."""
    return ix._segments()


def file_path(storage: FileStorage, name: str) -> str:
    """The path of a file of a FileStorage."""
    return storage._fpath(name)
