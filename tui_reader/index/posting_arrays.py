"""Posting arrays: a segment's long posting lists again, as numpy arrays, for fast reading.

Whoosh's W3 postings come in blocks of 128, each a zlib-compressed pickle of the documents,
their weights and their encoded positions; a search for a common word spends most of its time
unpickling blocks, and a phrase more (each document's positions are one more pickle). Beside
each segment the fast writer (writing.py) writes one more file, `<segment>.pax`, holding the
document numbers and weights (the values the blocks hold) of every term with
at least MIN_POSTINGS postings, and for a field with positions each posting's count of
positions (uint16) and the positions themselves (uint16, or uint32 where one is past 65,535):
a term's come with one `pread`, a phrase is checked on whole arrays (fast_search's phrases).
The file goes with its segment (Whoosh deletes a dropped segment's files by their name); a
segment without one (written by Whoosh's own writer) is read from its blocks as before.

The arrays are packed (the file's third version): a term's document numbers as the
differences between neighbours (the first from 0) in one, two or four bytes each, the fewest
that hold its largest, or as a bitmap where that is smaller (a word of more than one document
in eight), and its weights as bytes when each is a whole number below 256 (counts of a word
are), else float32. A common word's postings take a little over a byte, not eight (at a
million papers the arrays take half the bytes: less to read from a cold disk). Files of the
earlier versions are read as they are: the second's arrays plain (uint32 and float32), the
first's without positions.

The file: MAGIC, the byte order, the arrays one after the other, a pickled directory
{(field, term bytes): (offset, count, id bytes (minus a bitmap's length), weight bytes[,
positions, wide])}, and the directory's offset (8 bytes, little-endian). Earlier versions:
(offset, count[, positions, wide]).
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import weakref
from array import array
from itertools import chain

import numpy as np
from whoosh import formats

EXT = ".pax"
MAGIC = b"TRPAX3"
_PLAIN, _FIRST = b"TRPAX2", b"TRPAX1"  # earlier versions: plain arrays; and no positions
_READ_MAGICS = (MAGIC, _PLAIN, _FIRST)
_ID_TYPES = {1: np.uint8, 2: np.uint16, 4: np.uint32}  # a packed term's id differences
_WEIGHT_TYPES = {1: np.uint8, 4: np.float32}
MIN_POSTINGS = 128  # shorter lists are one block: read from the postings file
_ORDER = b"L" if sys.byteorder == "little" else b"B"
_TAIL = struct.Struct("<Q")
_WILLNEED = getattr(os, "POSIX_FADV_WILLNEED", None)  # (posix_fadvise: not on every system)


def read_ahead(fd: int, offset: int = 0, length: int = 0) -> None:
    """Have the kernel start reading these bytes of a file (length 0: to its end) into its
    page cache, without waiting (posix_fadvise WILLNEED; advice only: nothing where it is
    missing or refused)."""
    if _WILLNEED is None:
        return
    try:
        os.posix_fadvise(fd, offset, length, _WILLNEED)
    except OSError:
        pass


class PostingArraysWriter:
    """Writes the arrays of one segment, a term at a time (terms in any order)."""

    def __init__(self, storage, segment):
        self._file = segment.create_file(storage, EXT).raw_file()
        self._file.write(MAGIC + _ORDER)
        self._position = len(MAGIC) + 1
        self._directory: dict[tuple[str, bytes], tuple] = {}

    def add(self, fieldname: str, btext: bytes, ids, weights,
            positions: list[tuple[int, ...]] | None = None) -> None:
        """One term's postings: its document numbers and their weights, in order, and in a
        field with positions each posting's positions (ascending)."""
        if len(ids) < MIN_POSTINGS:
            return
        try:
            counts = array("H", map(len, positions)) if positions is not None else None
        except OverflowError:  # a word 65,536 times in one text: its phrases read the blocks
            counts = None
        where = None
        if counts is not None:
            try:
                where = array("H", chain.from_iterable(positions))
            except OverflowError:  # a text past 65,535 words
                where = array("I", chain.from_iterable(positions))
        self.add_arrays(fieldname, btext, array("I", ids), array("f", weights), counts, where)

    def add_arrays(self, fieldname: str, btext: bytes, ids, weights, counts=None,
                   where=None) -> None:
        """One term's arrays (ascending ids and their weights, and with positions uint16
        counts and uint16 or uint32 positions; arrays or numpy arrays), packed."""
        count = len(ids)
        ids, id_bytes = _packed_ids(np.asarray(ids, dtype=np.uint32))
        weights = _packed_weights(np.asarray(weights, dtype=np.float32))
        data = ids.tobytes() + weights.tobytes()
        entry: tuple = (self._position, count, id_bytes, weights.itemsize)
        if counts is not None:
            data += counts.tobytes() + where.tobytes()
            entry += (len(where), where.itemsize == 4)
        self._directory[fieldname, btext] = entry
        self._file.write(data)
        self._position += len(data)

    def close(self) -> None:
        directory = pickle.dumps(self._directory, pickle.HIGHEST_PROTOCOL)
        self._file.write(directory + _TAIL.pack(self._position))
        self._file.close()


class PostingArrays:
    """The arrays of one segment, read with `os.pread` as terms are asked for (not mapped:
    the pages a search reads would count in the reader's memory); None from `open` when the
    segment has none."""

    def __init__(self, fd: int, directory: dict, version: bytes = MAGIC):
        self._fd = fd
        self._directory = directory
        self.with_positions = version != _FIRST
        self._packed = version == MAGIC
        weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, reader) -> "PostingArrays | None":
        """The arrays of a segment reader's segment, or None (no file, or not readable)."""
        try:
            path = os.path.join(reader.storage().folder, reader.segment().make_filename(EXT))
        except AttributeError:
            return None
        return cls.open_file(path)

    @classmethod
    def open_file(cls, path: str) -> "PostingArrays | None":
        """The arrays of a file, or None (no file, or not readable)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        try:
            size = os.fstat(fd).st_size
            head = os.pread(fd, len(MAGIC) + 1, 0)
            if head not in (m + _ORDER for m in _READ_MAGICS):
                raise ValueError(path)
            (start,) = _TAIL.unpack(os.pread(fd, _TAIL.size, size - _TAIL.size))
            directory = pickle.loads(os.pread(fd, size - _TAIL.size - start, start))
            if not isinstance(directory, dict):
                raise ValueError(path)
        except Exception:  # a damaged file, or no os.pread (not POSIX): the blocks serve
            os.close(fd)
            return None
        return cls(fd, directory, head[:-1])

    def _layout(self, found: tuple, parts: int) -> tuple[list, list, int]:
        """(numpy types, lengths, bytes in all) of the first `parts` arrays of a term's
        directory entry."""
        count = found[1]
        if not self._packed:
            types, lengths, positions = [np.uint32, np.float32], [count, count], found[2:]
        elif found[2] < 0:  # a bitmap of -found[2] bytes
            types, lengths = [np.uint8, _WEIGHT_TYPES[found[3]]], [-found[2], count]
            positions = found[4:]
        else:
            types, lengths = [_ID_TYPES[found[2]], _WEIGHT_TYPES[found[3]]], [count, count]
            positions = found[4:]
        if positions:
            types += [np.uint16, np.uint32 if positions[1] else np.uint16]
            lengths += [count, positions[0]]
        types, lengths = types[:parts], lengths[:parts]
        return types, lengths, sum(np.dtype(t).itemsize * n for t, n in zip(types, lengths))

    def prefetch(self, fieldname: str, btext: bytes, parts: int) -> None:
        """Have the kernel start reading a term's first `parts` arrays (as `_read` counts
        them), without waiting: a search about to read a term in every segment, from a cold
        page cache, then waits for the disk once, not once a segment."""
        found = self._directory.get((fieldname, btext))
        if found is not None:
            read_ahead(self._fd, found[0], self._layout(found, parts)[2])

    def _read(self, fieldname: str, btext: bytes, parts: int) -> list[np.ndarray] | None:
        """A term's first `parts` arrays, decoded: 1, its ids; 2, and their weights; 4, and
        each one's count of positions and the positions (when kept: else two). None: not in
        this file, or cut short (a damaged file)."""
        found = self._directory.get((fieldname, btext))
        if found is None:
            return None
        types, lengths, size = self._layout(found, parts)
        data = os.pread(self._fd, size, found[0])
        if len(data) != size:
            return None
        out, at = [], 0
        for kind, n in zip(types, lengths):
            out.append(np.frombuffer(data, dtype=kind, count=n, offset=at))
            at += np.dtype(kind).itemsize * n
        if self._packed:
            if found[2] < 0:
                out[0] = np.flatnonzero(np.unpackbits(out[0], bitorder="little")
                                        ).astype(np.uint32)
            else:
                out[0] = np.cumsum(out[0], dtype=np.uint32)
            if len(out) > 1:
                out[1] = out[1].astype(np.float32, copy=False)
        return out

    def get(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, weights) of a term, or None (not in this file)."""
        found = self._read(fieldname, btext, 2)
        return None if found is None else (found[0], found[1])

    def ids(self, fieldname: str, btext: bytes) -> np.ndarray | None:
        """The document numbers of a term alone (a mask of papers needs no weights), or None
        (not in this file)."""
        found = self._read(fieldname, btext, 1)
        return None if found is None else found[0]

    def bits(self, fieldname: str, btext: bytes) -> np.ndarray | None:
        """A common word's documents as a mask (bool, from its bitmap: a mask of papers ORs
        it in, not a document at a time; past its last document, False), or None (not kept
        as a bitmap, or not in this file)."""
        found = self._directory.get((fieldname, btext))
        if found is None or not self._packed or found[2] >= 0:
            return None
        data = os.pread(self._fd, -found[2], found[0])
        if len(data) != -found[2]:
            return None
        return np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little").view(bool)

    def arrays(self, fieldname: str, btext: bytes) -> tuple | None:
        """(document numbers, weights, counts of positions or None, positions or None) of a
        term as numpy arrays, in one read; None: not in this file."""
        found = self._read(fieldname, btext, 4)
        if found is None:
            return None
        return tuple(found) if len(found) == 4 else (found[0], found[1], None, None)

    def positions(self, fieldname: str, btext: bytes
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(document numbers, each one's count of positions, the positions one document
        after the other) of a term, or None (not in this file, or kept without positions)."""
        found = self.arrays(fieldname, btext)
        if found is None or found[2] is None:
            return None
        ids, _, counts, where = found
        if int(counts.sum(dtype=np.int64)) != len(where):  # a damaged file
            return None
        return ids, counts, where


_DECODED: dict[bytes, tuple[int, ...]] = {}  # encoded positions -> the positions
DECODED_MAX = 100_000  # values remembered (bounded memory: dropped and refilled past this)


def decoded_positions(fmt, values: list[bytes]) -> list[tuple[int, ...]]:
    """The positions of each of a term's postings, from the values a Positions format
    encoded (a few hundred distinct values make most of a big collection's postings): for
    the posting arrays a segment's writer fills, and for a phrase read from the blocks."""
    if type(fmt) is not formats.Positions:  # (the memo holds that format's decodings)
        return [tuple(fmt.decode_positions(value)) for value in values]
    memo = _DECODED
    out = list(map(memo.get, values))
    if None in out:
        if len(memo) >= DECODED_MAX:
            memo.clear()
        for i, found in enumerate(out):
            if found is None:
                value = values[i]
                found = memo.get(value)
                if found is None:
                    found = memo[value] = tuple(fmt.decode_positions(value))
                out[i] = found
    return out


def _packed_ids(ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Ascending document numbers packed, and how (the directory's "id bytes"): their
    differences (the first from 0) in the fewest bytes that hold the largest (1, 2 or 4), or
    a bitmap when that is smaller (a word in more than one document in eight; minus its
    length in bytes)."""
    steps = np.diff(ids, prepend=np.uint32(0))
    largest = int(steps.max()) if len(steps) else 0
    steps = steps.astype(np.uint8 if largest <= 0xFF else np.uint16 if largest <= 0xFFFF
                         else np.uint32)
    bitmap_bytes = (int(ids[-1]) + 8) // 8 if len(ids) else 0
    if len(ids) and bitmap_bytes < steps.nbytes:
        bits = np.zeros(bitmap_bytes * 8, dtype=bool)
        bits[ids] = True
        return np.packbits(bits, bitorder="little"), -bitmap_bytes
    return steps, steps.itemsize


def _packed_weights(weights: np.ndarray) -> np.ndarray:
    """Weights as bytes when each is a whole number from 0 to 255, else as they are."""
    small = weights.astype(np.uint8)
    return small if np.array_equal(small, weights) else weights
