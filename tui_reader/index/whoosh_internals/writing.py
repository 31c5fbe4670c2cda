"""Writing Whoosh's files through its private names: the W3 field writer's posting blocks and
terms-file entries, and a SegmentWriter with its private steps as public methods."""

from __future__ import annotations

import operator
import pickle
import struct
import zlib
from array import array
from collections.abc import Callable
from functools import partial
from itertools import chain

import numpy as np
from whoosh.codec import whoosh3
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

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
    postfile = fieldwriter._postfile
    start = postfile.tell()
    block = whoosh3.WHOOSH3_HEADER_MAGIC + _ONE_BLOCK.pack(-(len(info) + len(data)))
    postfile.write(block + info + data)
    term_info = whoosh3.W3TermInfo._struct.pack(
        0, sum(weights), count, length_to_byte(minlength), length_to_byte(maxlength),
        maxweight, ids[0], ids[-1]) + _EXTENT.pack(start, len(block) + len(info) + len(data))
    _add_term_entry(fieldwriter._tindex, _FIELD_ID.pack(fieldwriter._fieldid) + btext,
                    term_info)


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
