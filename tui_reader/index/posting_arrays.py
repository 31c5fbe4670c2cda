"""Posting arrays: a segment's long posting lists again, as plain arrays, for fast reading.

Whoosh's W3 postings come in blocks of 128, each a zlib-compressed pickle of the documents,
their weights and their encoded positions; a search for a common word spends most of its time
unpickling blocks, and a phrase more (each document's positions are one more pickle). Beside
each segment the fast writer (writing.py) writes one more file, `<segment>.pax`, holding the
document numbers (uint32) and weights (float32, the values the blocks hold) of every term with
at least MIN_POSTINGS postings, and for a field with positions each posting's count of
positions (uint16) and the positions themselves (uint16, or uint32 where one is past 65,535):
a term's come with one `pread`, a phrase is checked on whole arrays (fast_search's phrases).
The file goes with its segment (Whoosh deletes a dropped segment's files by their name); a
segment without one (written by Whoosh's own writer) is read from its blocks as before, and a
file of the first version (no positions) serves its documents and weights.

The file: MAGIC, the byte order, the arrays one after the other, a pickled directory
{(field, term bytes): (offset, count[, positions, wide])}, and the directory's offset (8
bytes, little-endian).
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
MAGIC = b"TRPAX2"
_READ_MAGICS = (MAGIC, b"TRPAX1")  # the first version: no positions
MIN_POSTINGS = 128  # shorter lists are one block: read from the postings file
_ORDER = b"L" if sys.byteorder == "little" else b"B"
_TAIL = struct.Struct("<Q")


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
        """One term's arrays as the file holds them (uint32 ids, float32 weights, and with
        positions uint16 counts and uint16 or uint32 positions; arrays or numpy arrays)."""
        data = ids.tobytes() + weights.tobytes()
        entry: tuple = (self._position, len(ids))
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

    def __init__(self, fd: int, directory: dict, with_positions: bool = True):
        self._fd = fd
        self._directory = directory
        self.with_positions = with_positions  # False: a file of the first version
        weakref.finalize(self, os.close, fd)

    @classmethod
    def open(cls, reader) -> "PostingArrays | None":
        """The arrays of a segment reader's segment, or None (no file, or not readable)."""
        try:
            folder = reader.storage().folder
            name = reader.segment().make_filename(EXT)
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
        except (AttributeError, OSError):
            return None
        try:
            size = os.fstat(fd).st_size
            head = os.pread(fd, len(MAGIC) + 1, 0)
            if head not in (m + _ORDER for m in _READ_MAGICS):
                raise ValueError(name)
            (start,) = _TAIL.unpack(os.pread(fd, _TAIL.size, size - _TAIL.size))
            directory = pickle.loads(os.pread(fd, size - _TAIL.size - start, start))
            if not isinstance(directory, dict):
                raise ValueError(name)
        except Exception:  # a damaged file, or no os.pread (not POSIX): the blocks serve
            os.close(fd)
            return None
        return cls(fd, directory, head == MAGIC + _ORDER)

    def _read(self, fieldname: str, btext: bytes, size_of) -> tuple[bytes, tuple] | None:
        """`size_of(entry)` bytes of a term's arrays and its directory entry (offset, count[,
        positions, wide]), or None (not in this file, or cut short: a damaged file)."""
        found = self._directory.get((fieldname, btext))
        if found is None:
            return None
        size = size_of(found)
        data = os.pread(self._fd, size, found[0])
        return (data, found) if len(data) == size else None

    def get(self, fieldname: str, btext: bytes) -> tuple[array, array] | None:
        """(document numbers, weights) of a term, or None (not in this file)."""
        read = self._read(fieldname, btext, lambda entry: 8 * entry[1])
        if read is None:
            return None
        data, (_, count, *_) = read
        ids, weights = array("I"), array("f")
        ids.frombytes(data[:4 * count])
        weights.frombytes(data[4 * count:])
        return ids, weights

    def ids(self, fieldname: str, btext: bytes) -> np.ndarray | None:
        """The document numbers of a term alone (half the bytes of `get`: a mask of papers
        needs no weights), or None (not in this file)."""
        read = self._read(fieldname, btext, lambda entry: 4 * entry[1])
        return None if read is None else np.frombuffer(read[0], dtype=np.uint32)

    def arrays(self, fieldname: str, btext: bytes) -> tuple | None:
        """(document numbers, weights, counts of positions or None, positions or None) of a
        term as numpy arrays, in one read; None: not in this file."""
        read = self._read(fieldname, btext, _arrays_size)
        if read is None:
            return None
        data, found = read
        count = found[1]
        ids = np.frombuffer(data, dtype=np.uint32, count=count)
        weights = np.frombuffer(data, dtype=np.float32, count=count, offset=4 * count)
        if len(found) < 4:
            return ids, weights, None, None
        total, wide = found[2:4]
        counts = np.frombuffer(data, dtype=np.uint16, count=count, offset=8 * count)
        where = np.frombuffer(data, dtype=np.uint32 if wide else np.uint16, count=total,
                              offset=10 * count)
        return ids, weights, counts, where

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


def _arrays_size(entry: tuple) -> int:
    """The bytes of a term's arrays: ids and weights, and counts and positions when kept."""
    count = entry[1]
    if len(entry) < 4:
        return 8 * count
    total, wide = entry[2:4]
    return 10 * count + (4 if wide else 2) * total
