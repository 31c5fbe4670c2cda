"""Every private Whoosh name tui-reader uses, and the check that they are there.

The fast paths (index/writing.py, fast_search.py, posting arrays, merges that copy posting
blocks, the memory-mapped terms files) reach into Whoosh-Reloaded's writer, W3 codec and
matchers, only through this module, written for the release pinned in pyproject.toml.
`check()` runs once, at import: `PROBLEM` says what the installed Whoosh lacks (None:
nothing) and `SUPPORTED` whether the fast paths may run.
When they may not, plain Whoosh serves: slower, with the same results.
"""

from __future__ import annotations

import inspect
import mmap
import operator
import pickle
import struct
import threading
import zlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from io import BytesIO
from itertools import accumulate, chain

import numpy as np
from whoosh import columns, formats, scoring
from whoosh import query as wq
from whoosh.codec import base as codec_base
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import SegmentReader
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter


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


def read_postings(postfile, where: tuple[int, int], ids: list, weights: list) -> None:
    """Append a term's postings in a W3 segment (document numbers, weights) to two lists,
    decoded from its blocks (`where`: their `extent`) in one read of the postings file: what
    W3LeafMatcher reads, without making a matcher (a prefix reads thousands of rare terms).
    No W3 segment has inlined postings: Whoosh's writer fails on them (it calls a missing
    `set_inline`)."""
    raw = postings_bytes(postfile, where)
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
        _extend(ids, weights, block_ids, block_weights, count)
        if size < 0:
            return
        at = end


def _extend(ids: list, weights: list, deltas, block_weights, count: int) -> None:
    """Append a block's document numbers (stored as deltas) and weights (stored as one
    number when all are equal, None when all are 1.0) to two lists."""
    ids.extend(accumulate(deltas))
    if block_weights is None or isinstance(block_weights, float):
        weights.extend([1.0 if block_weights is None else block_weights] * count)
    else:
        weights.extend(block_weights)


def postings_bytes(postfile, where: tuple[int, int]) -> bytes:
    """A term's postings as a W3 postings file holds them, from where they are (`extent`)."""
    return postfile.get(*where)


def extent(info) -> tuple[int, int] | None:
    """Where a W3 term info's postings are in the postings file (offset, length), or None
    (another codec's term info)."""
    try:
        offset, length = info.extent()
    except AttributeError:
        return None
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it in a 1-tuple
        length = length[0]
    return None if offset is None else (offset, length)


def term_stats(info) -> tuple[int, float, tuple[int, int] | None]:
    """What the fast search keeps of a term info: (document frequency, total weight, the
    postings' `extent`). A tuple of numbers, which Python's cycle collector stops tracking: a
    TermInfo object is walked in every full collection, and typing at a million papers
    leaves tens of thousands of them remembered."""
    return info.doc_frequency(), info.weight(), extent(info)


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


def term_matcher(reader, field: str, btext: bytes, where: tuple[int, int] | None, fmt):
    """A term's postings in a segment from their `extent` (a W3 reader would look the term
    up again); deleted documents included."""
    terms = getattr(reader, "_terms", None)
    if type(terms) is not whoosh3.W3TermsReader or where is None:
        return reader.postings(field, btext)
    return whoosh3.W3LeafMatcher(terms._postfile, *where, fmt, term=(field, btext))


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


def var_bytes_values(column) -> Iterator[bytes]:
    """Every document's value of a VarBytesColumn reader, in order, from one read of its
    data (the reader's own iteration reads the file once a document)."""
    data = column._dbfile.get(column._basepos, sum(column._lengths))
    position = 0
    for length in column._lengths:
        yield data[position:position + length]
        position += length


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


class IndexTermsQuery:
    """A mixin for a multi-term query (before its Whoosh class) whose index terms in one
    segment its `index_terms(reader)` gives: Whoosh asks them of `_btexts`."""

    def _btexts(self, ixreader):
        return self.index_terms(ixreader)


def read_arrays_as_bytes(structfile) -> None:
    """Make a StructFile read and write its arrays through read() and write(), not
    array.fromfile and tofile (its file object is not a real file: a map, a counter)."""
    structfile.is_real = False


def is_null(q) -> bool:
    """Whether `q` is Whoosh's NullQuery (matches nothing)."""
    return q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery)


def segments(ix) -> list:
    """The segments of an index's latest generation, from its table of contents."""
    return ix._segments()


def file_path(storage: FileStorage, name: str) -> str:
    """The path of a file of a FileStorage."""
    return storage._fpath(name)


# -- writing ---------------------------------------------------------------------------------
def is_w3_writer(fieldwriter) -> bool:
    return type(fieldwriter) is whoosh3.W3FieldWriter


def written_files(fieldwriter) -> list:
    """The StructFiles a W3 field writer writes: postings and terms."""
    return [fieldwriter._postfile, fieldwriter._tindex.dbfile]


def posting_writer(fieldwriter):
    """The posting writer of the term a W3 field writer is writing."""
    return fieldwriter._postwriter


def block_limits(fieldwriter) -> tuple[int, int]:
    """(postings in a block, compression level) of a W3 field writer's field."""
    return fieldwriter._postwriter._blocklimit, fieldwriter._codec._compression


def fill_block(pw, ids, weights, values, maxweight, minlength, maxlength,
               compression: int) -> None:
    """Fill a W3 posting writer's block buffers as `add_posting` would (ids, weights,
    non-empty values, the weights' and lengths' range); `compression` for this block."""
    pw._ids = ids
    pw._weights = weights
    pw._values = values
    pw._maxweight = maxweight
    pw._minlength = minlength
    pw._maxlength = maxlength
    pw._compression = compression


_ONE_BLOCK = struct.Struct("!i")  # a block's length, negative: the term's last block
_EXTENT = struct.Struct("!qi")  # a term info's postings: offset (pack_long), length (pack_int)


def write_one_block_term(fieldwriter, btext: bytes, ids: array, weights: array, values: list,
                         maxweight: float, minlength: int | None, maxlength: int,
                         compression: int) -> None:
    """Write a term whose postings fit in one block (most terms) to a W3 field writer: the
    bytes start_term, fill_block and finish_term write (the block as W3PostingsWriter's
    _write_block makes it, the term info as W3TermInfo.to_bytes), without making a posting
    writer's block and term info objects for it. `ids` and `weights` as fill_block takes
    them (array "I" and "f"), `values` the non-empty ones."""
    fixed = fieldwriter._format.fixed_value_size()
    if fixed is None or fixed < 0:
        kept_values = tuple(values)
    else:
        kept_values = None if fixed == 0 else b"".join(values)
    count = len(ids)
    if weights.count(1.0) == count:
        kept_weights = None
    elif weights.count(weights[0]) == count:
        kept_weights = weights[0]
    else:
        kept_weights = tuple(weights)
    deltas = tuple(map(operator.sub, ids, chain((0,), ids)))  # delta_encode(ids), in C
    data = pickle.dumps((deltas, kept_weights, kept_values), 2)
    if compression:
        data = zlib.compress(data, compression)
    info = pickle.dumps((count, ids[-1], maxweight, compression, length_to_byte(minlength),
                         length_to_byte(maxlength)), 2)
    write_term(fieldwriter, btext, [_ONE_BLOCK.pack(-(len(info) + len(data))), info, data],
               sum(weights), count, length_to_byte(minlength), length_to_byte(maxlength),
               maxweight, ids[0], ids[-1])


def write_term(fieldwriter, btext: bytes, blocks: list[bytes], weight: float, df: int,
               minlength_byte: int, maxlength_byte: int, maxweight: float, minid: int,
               maxid: int) -> None:
    """Write a term of the field a W3 field writer is in: its posting blocks (the pieces of
    their bytes, each block's length first, the last one's negative) after the W3 magic, and
    its term info (W3TermInfo.to_bytes of these statistics, the lengths as length bytes)."""
    postfile = fieldwriter._postfile
    start = postfile.tell()
    data = b"".join([whoosh3.WHOOSH3_HEADER_MAGIC, *blocks])
    postfile.write(data)
    term_info = whoosh3.W3TermInfo._struct.pack(
        0, weight, df, minlength_byte, maxlength_byte, maxweight, minid, maxid
    ) + _EXTENT.pack(start, len(data))
    _add_term_entry(fieldwriter._tindex, _FIELD_ID.pack(fieldwriter._fieldid) + btext,
                    term_info)


def copy_blocks(raw: bytes, base: int, last: bool, out: list,
                decoded: tuple[list, list, list] | None = None) -> None:
    """Append a term's posting blocks, as a W3 postings file holds them (`raw`, the magic
    first), to `out` (pieces of bytes, for write_term): copied when `base` is 0, else with
    their document numbers moved up by `base` (a block's first one and its last: the rest
    are deltas), each compressed again at its level; the final block marked as the term's
    last only if `last`. `decoded`: lists the postings' document numbers (unmoved), weights
    and values are appended to."""
    if base == 0 and last and decoded is None:  # the blocks as they are
        out.append(raw[4:])
        return
    if raw[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise ValueError("not W3 postings")
    stream, at = BytesIO(raw), 4
    while at < len(raw):
        end = at + 4 + abs(_BLOCK_LENGTH.unpack_from(raw, at)[0])
        sign = -1 if last and end == len(raw) else 1
        if base == 0 and decoded is None:
            out += [_BLOCK_LENGTH.pack(sign * (end - at - 4)), raw[at + 4:end]]
            at = end
            continue
        stream.seek(at + 4)
        count, maxid, maxweight, compression, minlength, maxlength = pickle.load(stream)
        data = raw[stream.tell():end]
        plain = zlib.decompress(data) if compression else data
        if decoded is not None:
            deltas, block_weights, values = pickle.loads(plain)
            _extend(decoded[0], decoded[1], deltas, block_weights, count)
            decoded[2].extend(values if values is not None else [b""] * count)
        if base:
            data = _moved_first_id(plain, base)
            if compression:
                data = zlib.compress(data, compression)
        head = pickle.dumps((count, maxid + base, maxweight, compression, minlength,
                             maxlength), 2)
        out += [_BLOCK_LENGTH.pack(sign * (len(head) + len(data))), head, data]
        at = end


_PICKLED_INTS = {ord("K"): struct.Struct("<B"), ord("M"): struct.Struct("<H"),
                 ord("J"): struct.Struct("<i")}  # pickle's int opcodes and their operands


def _moved_first_id(plain: bytes, base: int) -> bytes:
    """A block's data pickle (protocol 2: the tuple of document number deltas first) with its
    first document number moved up by `base`: the number's opcode rewritten in place (the
    data unpickled and pickled again if it is not where protocol 2 puts it)."""
    at = 3 if plain[2:3] == b"(" else 2  # a tuple of more than three is marked
    kind = _PICKLED_INTS.get(plain[at]) if plain[:2] == b"\x80\x02" else None
    if kind is not None:
        first = kind.unpack_from(plain, at + 1)[0] + base
        if first <= 0x7FFFFFFF:
            op = b"K" if first <= 0xFF else b"M" if first <= 0xFFFF else b"J"
            return plain[:at] + op + _PICKLED_INTS[op[0]].pack(first) + plain[
                at + 1 + kind.size:]
    deltas, weights, values = pickle.loads(plain)
    return pickle.dumps(((deltas[0] + base,) + tuple(deltas[1:]), weights, values), 2)


def term_count(reader) -> int:
    """How many terms (of all fields) a W3 segment's terms file holds."""
    return terms_table(reader)[0].indexlen


_FIELD_ID = struct.Struct("!H")
_ENTRY_LENGTHS = struct.Struct("!ii")  # filetables' _lengths: a key's and a value's


def _add_term_entry(tindex, key: bytes, value: bytes) -> None:
    """OrderedHashWriter.add(key, value) (the terms file's entry, its position in the ordered
    index, its hash in its bucket) in one write, without its asserts and calls."""
    if key <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
    dbfile = tindex.dbfile
    pos = dbfile.tell()
    tindex.index.append(pos)
    dbfile.write(_ENTRY_LENGTHS.pack(len(key), len(value)) + key + value)
    h = tindex.hashfn(key)
    tindex.buckets[h & 255].append((h, pos))  # a list or a _CompactBucket
    tindex.lastkey = key


class _CompactBucket:
    """One of a terms file's 256 hash buckets as two arrays. Whoosh keeps a (hash, position)
    tuple for each term until the file closes: about 120 bytes a term, 66 MB for the terms of
    a 125,000-paper segment; here 12. Appended to and read as Whoosh's list of pairs is."""

    __slots__ = ("hashes", "positions")

    def __init__(self):
        self.hashes = array("I")
        self.positions = array("q")

    def append(self, entry: tuple[int, int]) -> None:
        self.hashes.append(entry[0])
        self.positions.append(entry[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self):
        return zip(self.hashes, self.positions)


POINTER = np.dtype([("hash", ">u4"), ("position", ">i8")])  # filetables' _pointer, "!Iq"


def compact_terms_index(fieldwriter) -> None:
    """Keep a W3 field writer's terms-file hash entries in arrays (`_CompactBucket`) and write
    its hash tables a bucket at a time: the same file."""
    tindex = fieldwriter._tindex
    tindex.buckets = [_CompactBucket() for _ in range(256)]
    tindex._write_hashes = partial(_write_hash_tables, tindex)


def _write_hash_tables(tindex) -> None:
    """HashWriter._write_hashes: each bucket's table of twice its entries' slots, an entry in
    the slot its hash gives or the next free one, written in one call, not a call a slot."""
    dbfile = tindex.dbfile
    for bucket in tindex.buckets:
        numslots = 2 * len(bucket)
        tindex.directory.append((dbfile.tell(), numslots))
        if not numslots:
            continue
        hashes, positions = [0] * numslots, [0] * numslots  # position 0: free (the header)
        for h, position in bucket:
            slot = (h >> 8) % numslots
            while positions[slot]:
                slot = (slot + 1) % numslots
            hashes[slot], positions[slot] = h, position
        table = np.empty(numslots, dtype=POINTER)
        table["hash"], table["position"] = hashes, positions
        dbfile.write(table.tobytes())


def write_block(pw) -> None:
    """Write a full block of a W3 posting writer (more of the term follows)."""
    pw._write_block()


class HookedSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter, its private steps as public methods; `helper`: a writer that
    takes no lock and hands its segment to another writer's commit (`extra_segments`)."""

    def __init__(self, ix, helper: bool = False, **kwargs):
        super().__init__(ix, _lk=not helper, **kwargs)
        if helper:  # temporary files of its own: the lead's commit does not delete them
            self._tempstorage = self.storage.temp_storage(
                f"{self.indexname}.{random_name()}.tmp")
        # the segments of helpers to commit with this writer's: called when the table of
        # contents is written (after this writer's own segment, written meanwhile)
        self.extra_segments: Callable[[], list] = list

    @property
    def tempstorage(self):
        return self._tempstorage

    def check_state(self) -> None:
        self._check_state()

    def check_fields(self, schema, fieldnames) -> None:
        self._check_fields(schema, fieldnames)

    def added(self) -> None:
        """Note that a document was added (the commit writes a segment)."""
        self._added = True

    def finish_segment(self):
        """A helper's end: its segment written (no TOC), or None when nothing was added."""
        self._check_state()
        segment = self._finalize_segment() if self._added else None
        if segment is None:
            self._close_segment()
        self._tempstorage.destroy()
        self.is_closed = True
        return segment

    def flush_postings(self) -> None:
        """Write the segment's postings (Whoosh's flush; subclasses do it their way)."""
        super()._flush_segment()

    def _flush_segment(self):
        self.flush_postings()

    def _commit_toc(self, segments):
        segments = list(segments) + self.extra_segments()
        self.seal(segments)
        super()._commit_toc(segments)

    def seal(self, segments: list) -> None:
        """Called with the segments of the new table of contents before it is written."""


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
    StructFile.__init__: ("is_real",),
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
    read_postings(StructFile(BytesIO(out.file.getvalue())), extent(info), found_ids,
                  found_weights)
    if (found_ids, found_weights) != (ids, weights):
        raise ValueError("W3 posting blocks are not decoded as expected")
    raw = postings_bytes(StructFile(BytesIO(out.file.getvalue())), extent(info))
    pieces, decoded = [], ([], [], [])
    copy_blocks(raw, 300, True, pieces, decoded)
    copied = whoosh3.WHOOSH3_HEADER_MAGIC + b"".join(pieces)
    moved = whoosh3.W3LeafMatcher(StructFile(BytesIO(copied)), 0, len(copied), fmt)
    if (list(moved.all_ids()) != [303, 307, 308] or list(decoded[0]) != ids
            or decoded[2] != values):
        raise ValueError("W3 posting blocks are not copied as expected")
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
