"""The postings of a segment being written, kept by term (the fast writer's pool, in place of
Whoosh's PostingPool: writing.py)."""

from __future__ import annotations

import heapq
import marshal
import struct
from collections.abc import Iterator

from whoosh.util import random_name

RUN_CHUNK_BYTES = 32 * 1024  # about this many bytes of a run file are written (and read) at once
_CHUNK_LENGTH = struct.Struct("<I")


class TermPool:
    """The postings of a segment being written, kept by term: {(field, term bytes): [docnum,
    weight, value, docnum, weight, value, ...]}.

    Whoosh's PostingPool keeps one 5-tuple per posting, sorts them all and, past `limitmb`,
    pickles them one by one to run files and merges those back. Kept by term, a posting costs
    three list slots (a document's docnum object is shared by its postings, and the
    analysis shares its weights and encoded positions), only the terms are sorted, and a run
    file is a few chunks of terms, each one `marshal` record (a private file read back by the
    same process: marshal is several times faster than pickle and keeps the shared values
    shared within a chunk). Postings of a term are appended in docnum order (documents
    are added in order; a merged reader's postings come after and in order too), so runs
    merge by concatenation. `add` takes Whoosh's 5-tuples (for `add_reader`).
    """

    def __init__(self, tempstore, limitmb: int = 128):
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.terms: dict[tuple[str, bytes], list] = {}
        self.size = 0
        self.runs: list[str] = []

    # the size of a term's entry and of one posting, in bytes (near enough, for `limitmb`)
    TERM_BYTES = 300
    POSTING_BYTES = 40

    def add(self, item: tuple) -> None:
        """Whoosh's pool interface: (fieldname, term bytes, docnum, weight, value)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_field(docnum, fieldname, [(tbytes, 1, weight, vbytes)])
        self.spill_if_full()

    def add_field(self, docnum: int, fieldname: str, items: list[tuple]) -> None:
        """One field's postings of a document: what the field's `index(value)` gives, (term
        bytes, frequency, weight, value); call `spill_if_full` after the document."""
        terms = self.terms
        new = 0
        for tbytes, _, weight, vbytes in items:
            key = (fieldname, tbytes)
            found = terms.get(key)
            if found is None:
                terms[key] = [docnum, weight, vbytes]
                new += 1
            else:
                found += (docnum, weight, vbytes)
        self.size += new * self.TERM_BYTES + len(items) * self.POSTING_BYTES

    def spill_if_full(self) -> None:
        """Past the memory limit, write the pool to a run file."""
        if self.size > self.limit:
            self.save()

    def add_term(self, key: tuple[str, bytes], postings: list) -> None:
        """A term's postings [docnum, weight, value, ...], after any it has (documents in
        order: a merge adds segment after segment)."""
        found = self.terms.get(key)
        if found is None:
            self.terms[key] = postings
            self.size += self.TERM_BYTES
        else:
            found += postings
        self.size += len(postings) // 3 * self.POSTING_BYTES
        if self.size > self.limit:
            self.save()

    def save(self) -> None:
        """Write the pool to a run file (sorted by term) and empty it."""
        if not self.terms:
            return
        name = f"{random_name()}.terms"
        terms = self.terms
        with self.tempstore.create_file(name).raw_file() as f:
            chunk, size = [], 0
            for key in sorted(terms):
                postings = terms[key]
                chunk.append((key, postings))
                size += 40 + 7 * len(postings)  # near enough: a posting is three small values
                if size >= RUN_CHUNK_BYTES:
                    _write_chunk(f, chunk)
                    chunk, size = [], 0
            if chunk:
                _write_chunk(f, chunk)
        self.runs.append(name)
        self.terms = {}
        self.size = 0

    def _read_run(self, name: str) -> Iterator[tuple]:
        with self.tempstore.open_file(name).raw_file() as f:
            while header := f.read(_CHUNK_LENGTH.size):
                (length,) = _CHUNK_LENGTH.unpack(header)
                yield from marshal.loads(f.read(length))

    def iter_terms(self) -> Iterator[tuple[tuple[str, bytes], list]]:
        """(field, term bytes), [docnum, weight, value, ...] in the order of the terms."""
        terms = self.terms
        # Each term's postings are let go of as they are written (a commit's peak memory).
        current = ((key, terms.pop(key)) for key in sorted(terms))
        if not self.runs:
            yield from current
            return
        sources = [self._read_run(name) for name in self.runs] + [current]
        merged = heapq.merge(*sources, key=lambda item: item[0])
        last_key, postings = None, None
        for key, found in merged:
            if key == last_key:
                postings += found
                continue
            if last_key is not None:
                yield last_key, postings
            last_key, postings = key, found
        if last_key is not None:
            yield last_key, postings

    def iter_postings(self) -> Iterator[tuple]:
        """Whoosh's pool interface: sorted (fieldname, term bytes, docnum, weight, value)."""
        for (fieldname, tbytes), found in self.iter_terms():
            for i in range(0, len(found), 3):
                yield fieldname, tbytes, found[i], found[i + 1], found[i + 2]

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self.tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []
        self.terms = {}


def _write_chunk(f, chunk: list) -> None:
    data = marshal.dumps(chunk)
    f.write(_CHUNK_LENGTH.pack(len(data)))
    f.write(data)
