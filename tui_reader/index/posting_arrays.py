"""Posting arrays: a segment's long posting lists again, as plain arrays, for fast reading.

Whoosh's W3 postings come in blocks of 128, each a zlib-compressed pickle of the documents,
their weights and their encoded positions; a search for a common word spends most of its time
unpickling blocks (positions included, which only phrases need). Beside each segment the fast
writer (indexing.py) writes one more file, `<segment>.pax`, holding the document numbers
(uint32) and weights (float32, the values the blocks hold) of every term with at least
MIN_POSTINGS postings; searching.py reads a term's with one `pread` and two `frombytes`. The
file goes with its segment (Whoosh deletes a dropped segment's files by their name); a segment
without one (written by Whoosh's own writer) is read from its blocks as before.

The file: MAGIC, the byte order, the arrays one after the other, a pickled directory
{(field, term bytes): (offset, count)}, and the directory's offset (8 bytes, little-endian).
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import weakref
from array import array

EXT = ".pax"
MAGIC = b"TRPAX1"
MIN_POSTINGS = 128  # shorter lists are one block: read from the postings file
_ORDER = b"L" if sys.byteorder == "little" else b"B"
_TAIL = struct.Struct("<Q")


class PostingArraysWriter:
    """Writes the arrays of one segment, a term at a time (terms in any order)."""

    def __init__(self, storage, segment):
        self._file = segment.create_file(storage, EXT).raw_file()
        self._file.write(MAGIC + _ORDER)
        self._position = len(MAGIC) + 1
        self._directory: dict[tuple[str, bytes], tuple[int, int]] = {}

    def add(self, fieldname: str, btext: bytes, ids, weights) -> None:
        """One term's postings: its document numbers and their weights, in order."""
        if len(ids) < MIN_POSTINGS:
            return
        data = array("I", ids).tobytes() + array("f", weights).tobytes()
        self._directory[fieldname, btext] = (self._position, len(ids))
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
            if os.pread(fd, len(MAGIC) + 1, 0) != MAGIC + _ORDER:  # another format or order
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
        offset, count = found
        data = os.pread(self._fd, 8 * count, offset)
        if len(data) != 8 * count:  # a damaged file
            return None
        ids, weights = array("I"), array("f")
        ids.frombytes(data[:4 * count])
        weights.frombytes(data[4 * count:])
        return ids, weights
