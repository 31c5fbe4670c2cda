"""Reading a whole segment at once: every term with its term info, a field's lengths.

For the writers (a merge reads its old segments whole) and the fast search (a field's lengths
for scoring), where Whoosh's readers would answer one term or one document at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.util.numeric import byte_to_length

from . import whoosh_internals as internals

# doc_field_length of a length byte: its length, None for 0 (as W3PerDocReader answers)
BYTE_LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]


def length_column(perdoc, field: str, count: int, default) -> list:
    """Every document's doc_field_length(docnum, field, default) of a W3 per-document reader,
    in one read of the field's length column."""
    raw = internals.length_bytes(perdoc, field)
    if raw is None:
        return [default] * count
    table = BYTE_LENGTHS
    return [table[b] for b in raw] + [None] * (count - len(raw))


def term_infos(reader) -> Iterator[tuple[tuple[str, bytes], object]]:
    """((field, term), TermInfo) of every term of a segment, read in one pass per field."""
    for fieldname in sorted(reader.indexed_field_names()):
        infos = internals.term_infos_from(reader, fieldname, b"")
        if infos is None:  # not a W3 segment: a lookup per term
            infos = ((key, reader.term_info(*key)) for key in reader.all_terms()
                     if key[0] == fieldname)
        for key, info in infos:
            if key[0] != fieldname:
                break
            yield key, info
