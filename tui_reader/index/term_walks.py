"""Reading the segments' terms files quickly: the words within some edits of a word, and the
commonest words starting with some letters.

Whoosh finds the first (`terms_within`) by walking the segment's sorted terms with a Levenshtein
automaton: at each step it asks for the first term at or after the automaton's next
candidate, a binary search of the whole terms file, some twenty reads of a key. A fuzzy word
takes thousands of steps in each field of each segment, and the automaton is built again for
every segment and field: at a million papers in 15 segments, most of a fuzzy query's 300 ms.
`SortedTerms` searches the terms file straight from its memory map and remembers the keys of
the search's first levels (the same for every search), so a step reads about ten keys;
`words_within` walks all segments' terms as one sorted list, with one automaton. The words
found are Whoosh's (tests/test_term_walks.py compares them). A word being typed stands for
the commonest words it starts (expansions.TypedPrefix): three letters start thousands of words
in each segment; `SortedTerms.prefixed` reads them and their document frequencies from the
terms file in one piece, no term info made for each.
"""

from __future__ import annotations

import struct

from . import whoosh_internals as internals

MEMO_LEVELS = 12  # the binary search's first levels remembered: at most 4,095 keys a segment


class SortedTerms:
    """A segment's terms file as keys in order (a field's number, 2 bytes, and the term)."""

    def __init__(self, keys: internals.MappedKeys):
        self._count, self._position_at, self._key_at = keys.count, keys.position_at, keys.key_at
        self._keys_and_frequencies, self._value_at = keys.keys_and_frequencies, keys.value_at
        self._memo: dict[int, bytes] = {}  # index -> key, of the search's first levels

    @classmethod
    def of(cls, reader) -> tuple[SortedTerms, dict[str, int]] | None:
        """A segment reader's sorted terms and field numbers, or None (not a W3 segment, or
        its terms file not memory-mapped)."""
        table = internals.terms_table(reader)
        keys = None if table is None else internals.MappedKeys.of(table[0])
        return None if keys is None else (cls(keys), table[1])

    def first_at(self, key: bytes, start: int = 0) -> int:
        """The index of the first key not below `key` (the number of keys: none); the keys
        before index `start` are known to be below it. A binary search over all the keys,
        always the same halves (`start` skips reading them), its first MEMO_LEVELS levels
        remembered: the keys every search reads first."""
        lo, hi, level = 0, self._count, 0
        memo, key_at, position_at = self._memo, self._key_at, self._position_at
        while lo < hi:
            mid = (lo + hi) // 2
            if mid < start:
                lo = mid + 1
            else:
                found = memo.get(mid)
                if found is None:
                    found = key_at(position_at(mid))
                    if level < MEMO_LEVELS:
                        memo[mid] = found
                if found < key:
                    lo = mid + 1
                else:
                    hi = mid
            level += 1
        return lo

    def term_at(self, index: int, field_key: bytes) -> str | None:
        """The term at `index` if it is one of the field's (`field_key`: its number's 2
        bytes), else None."""
        if index >= self._count:
            return None
        key = self._key_at(self._position_at(index))
        if not key.startswith(field_key):
            return None
        return key[len(field_key):].decode("utf-8")

    def prefixed(self, field_number: int, prefix: bytes) -> tuple[int, list[bytes], list[int]]:
        """The terms of the field starting with `prefix`: the index of the first, the terms
        and their document frequencies (read from the terms file, no term info made)."""
        start = struct.pack("!H", field_number) + prefix
        lo = self.first_at(start)
        hi = self.first_at(start + b"\xff", lo)  # no UTF-8 byte is 0xff
        if lo >= hi:
            return lo, [], []
        return lo, *self._keys_and_frequencies(lo, hi, len(start) - len(prefix))

    def term_info_at(self, index: int):
        """The term info (W3TermInfo) of the term at `index`."""
        return internals.term_info_from_bytes(self._value_at(self._position_at(index)))


def words_within(fields: list[tuple[SortedTerms, int]], dfa) -> list[str]:
    """The terms of a field (its sorted terms and number in each segment) that the automaton
    accepts, in every segment at once: Whoosh's `find_matches` walked over the segments'
    terms merged, so that a step of the automaton serves them all and a segment is searched
    only when its term falls behind the automaton's next candidate."""
    keys = [struct.pack("!H", number) for _, number in fields]
    indexes = [terms.first_at(key) for (terms, _), key in zip(fields, keys)]
    current = [terms.term_at(i, key) for (terms, _), i, key in zip(fields, indexes, keys)]
    found = []
    term = min((t for t in current if t is not None), default=None)
    while term is not None:
        match = dfa.next_valid_string(term)
        if match is None:
            break
        wanted = match.encode("utf-8")
        for s, (terms, _) in enumerate(fields):
            if current[s] is not None and current[s] < match:
                indexes[s] = terms.first_at(keys[s] + wanted, indexes[s])
                current[s] = terms.term_at(indexes[s], keys[s])
        term = min((t for t in current if t is not None), default=None)
        if term is not None and term == match:
            found.append(term)
            term += "\0"
    return found


def automaton(text: str, maxdist: int, prefix: int):
    """The automaton of the words within `maxdist` edits of `text` keeping its first `prefix`
    letters."""
    return internals.levenshtein_dfa(text, maxdist, prefix)
