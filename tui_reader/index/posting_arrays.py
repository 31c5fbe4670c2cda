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
        data = array("I", ids).tobytes() + array("f", weights).tobytes()
        entry: tuple = (self._position, len(ids))
        try:
            counts = array("H", map(len, positions)) if positions is not None else None
        except OverflowError:  # a word 65,536 times in one text: its phrases read the blocks
            counts = None
        if counts is not None:
            try:
                where, wide = array("H", chain.from_iterable(positions)), False
            except OverflowError:  # a text past 65,535 words
                where, wide = array("I", chain.from_iterable(positions)), True
            data += counts.tobytes() + where.tobytes()
            entry += (len(where), wide)
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

    def __init__(self, fd: int, directory: dict):
        self._fd = fd
        self._directory = directory
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
            if os.pread(fd, len(MAGIC) + 1, 0) not in (m + _ORDER for m in _READ_MAGICS):
                raise ValueError(name)
            (start,) = _TAIL.unpack(os.pread(fd, _TAIL.size, size - _TAIL.size))
            directory = pickle.loads(os.pread(fd, size - _TAIL.size - start, start))
            if not isinstance(directory, dict):
                raise ValueError(name)
        except Exception:  # a damaged file, or no os.pread (not POSIX): the blocks serve
            os.close(fd)
            return None
        return cls(fd, directory)

    def get(self, fieldname: str, btext: bytes) -> tuple[array, array] | None:
        """(document numbers, weights) of a term, or None (not in this file)."""
        found = self._directory.get((fieldname, btext))
        if found is None:
            return None
        offset, count = found[:2]
        data = os.pread(self._fd, 8 * count, offset)
        if len(data) != 8 * count:  # a damaged file
            return None
        ids, weights = array("I"), array("f")
        ids.frombytes(data[:4 * count])
        weights.frombytes(data[4 * count:])
        return ids, weights

    def positions(self, fieldname: str, btext: bytes
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(document numbers, each one's count of positions, the positions one document
        after the other) of a term, or None (not in this file, or kept without positions)."""
        found = self._directory.get((fieldname, btext))
        if found is None or len(found) < 4:
            return None
        offset, count, total, wide = found
        size = 8 * count + 2 * count + (4 if wide else 2) * total
        data = os.pread(self._fd, size, offset)
        if len(data) != size:  # a damaged file
            return None
        ids = np.frombuffer(data, dtype=np.uint32, count=count)
        counts = np.frombuffer(data, dtype=np.uint16, count=count, offset=8 * count)
        where = np.frombuffer(data, dtype=np.uint32 if wide else np.uint16, count=total,
                              offset=10 * count)
        if int(counts.sum(dtype=np.int64)) != total:  # a damaged file
            return None
        return ids, counts, where
