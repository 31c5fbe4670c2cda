"""What the fast search reads of the index: term infos, posting lists (from posting arrays
or blocks), a term's documents set in a mask (a common word's bitmap ORed in), phrases
checked on their words' positions (posting arrays or blocks), field lengths and norms;
remembered per searcher where it pays. A mixin of `fast_search.FastSearch`, which holds the
caches."""

from __future__ import annotations

import os
from bisect import bisect_right
from itertools import chain
from math import log

import numpy as np

from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import TermNotFound

from . import whoosh_internals as internals
from .hits import NO_POSTINGS
from .posting_arrays import PostingArrays, decoded_positions, read_ahead
from .schema import TEXT_FIELDS
from .segment_reading import BYTE_LENGTHS


TERM_INFOS_MAX = 50_000  # terms whose per-segment term infos are remembered
_LENGTHS = np.array([0] + BYTE_LENGTHS[1:], dtype=np.float64)  # length of a length byte


def _advise_stored(reader) -> None:
    """Ask the kernel to read a segment's stored fields (a file of 46 bytes a paper) into its
    page cache, without waiting. Every page of results reads the ids of its papers there,
    one offset and one record each, scattered: from a cold cache, about a hundred reads of
    the disk a page, which one sequential read of the file now saves."""
    try:
        path = os.path.join(reader.storage().folder,
                            W3Codec.column_filename(reader.segment(), "_stored"))
        fd = os.open(path, os.O_RDONLY)
    except (AttributeError, OSError):  # a compound segment (small), or no such file
        return
    try:
        read_ahead(fd)
    finally:
        os.close(fd)


class Unsupported(Exception):
    """A query (or part) the fast evaluator leaves to Whoosh."""


FALLBACK = (Unsupported, AttributeError, TypeError)  # what makes a query Whoosh's to answer


class PostingReads:
    """Reading terms and postings for FastSearch (its `leaves`, `schema` and caches)."""

    def warm_up(self) -> None:
        """Read now what the first search would: every segment's posting arrays and the
        length norms of the scored fields (a reader calls this while the user looks); and
        have the kernel read every segment's stored fields ahead (_advise_stored)."""
        K1 = self.weighting.K1
        for i, (sub, _) in enumerate(self.leaves):
            if self._arrays[i] is None:
                self._arrays[i] = PostingArrays.open(sub.reader()) or False
            _advise_stored(sub.reader())
            for field in (f for f in TEXT_FIELDS if self.schema[f].scorable):
                self._norms(i, sub, field, K1, internals.field_B(self.weighting, field),
                            self._avg_length(field))

    def _avg_length(self, field: str) -> float:
        found = self._avg_lengths.get(field)
        if found is None:
            found = self._avg_lengths[field] = self.searcher.avg_field_length(field) or 1
        return found

    def _term_bytes(self, field: str, text: str) -> bytes | None:
        """A text as the field's terms are kept, or None: no such field, or a text the
        field cannot hold (a word in a numeric field)."""
        if field not in self.schema:
            return None
        try:
            return self.schema[field].to_bytes(text)
        except ValueError:
            return None

    def _term_infos(self, field: str, btext: bytes) -> tuple[tuple[int, tuple], ...]:
        """(leaf, term stats: `whoosh_internals.term_stats`) of a term in each segment that
        has it: one lookup per segment (remembered; a prefix's expansion fills this as it
        reads the terms)."""
        key = (field, btext)
        found = self._infos.get(key)
        if found is None:
            found = []
            with internals.scattered_reads():
                for i, (sub, _) in enumerate(self.leaves):
                    try:
                        found.append((i, internals.term_stats(
                            sub.reader().term_info(field, btext))))
                    except TermNotFound:
                        pass
            found = self._remember_infos(key, found)
        return found

    def _remember_infos(self, key: tuple[str, bytes], infos: list) -> tuple:
        """Remember a term's (leaf, term stats) as a tuple of numbers (untracked by the cycle
        collector: `term_stats`), which it returns."""
        if len(self._infos) >= TERM_INFOS_MAX:
            self._infos.clear()
        found = self._infos[key] = tuple(infos)
        return found

    def _leaf_arrays(self, leaf: int):
        """A segment's PostingArrays (opened at first use), or False: it has none."""
        arrays = self._arrays[leaf]
        if arrays is None:
            arrays = self._arrays[leaf] = PostingArrays.open(
                self.leaves[leaf][0].reader()) or False
        return arrays

    def _prefetch(self, field: str, btexts, parts: int, leaves=None) -> None:
        """Have the disk read these terms' posting arrays in every segment (or in `leaves`)
        at once, before they are read one by one: from a cold page cache, a term's ten
        segments then wait for the disk about once, not ten times (posting_arrays.prefetch)."""
        for btext in btexts:
            for i, _ in self._term_infos(field, btext):
                arrays = self._leaf_arrays(i) if leaves is None or i in leaves else None
                if arrays:
                    arrays.prefetch(field, btext, parts)

    def _postings(self, leaf: int, field: str, btext: bytes, stats):
        """(ids, weights) of a term in one segment (deleted documents included): its posting
        arrays when the segment has them, else its blocks."""
        arrays = self._leaf_arrays(leaf)
        found = arrays.get(field, btext) if arrays else None
        if found is not None:
            return found
        ids, weights = [], []
        self._read_blocks(leaf, field, btext, stats, ids, weights)
        return ids, weights

    def _posting_ids(self, leaf: int, field: str, btext: bytes, stats):
        """The document numbers of a term in one segment (deleted documents included): from
        its posting arrays without the weights when the segment has them, else its blocks."""
        arrays = self._leaf_arrays(leaf)
        found = arrays.ids(field, btext) if arrays else None
        return found if found is not None else self._postings(leaf, field, btext, stats)[0]

    def _mark(self, out: np.ndarray, field: str, btext: bytes) -> None:
        """Set the documents of a term's live postings in a mask: from the segments that keep
        it as a bitmap (a common word) ORed in, from the others by their docnums (remembered:
        a word being typed reads the same words at each key)."""
        infos = self._term_infos(field, btext)
        kept = {}
        for i, _ in infos:
            arrays = self._leaf_arrays(i)
            bits = arrays.bits(field, btext) if arrays else None
            if bits is not None:
                kept[i] = bits
        if not kept:
            out[self._term_docs(field, btext)] = True
            return
        for i, bits in kept.items():
            sub, offset = self.leaves[i]
            bits = bits[:sub.reader().doc_count_all()]
            region = out[offset:offset + len(bits)]
            region |= bits & self._live[offset:offset + len(bits)] if self._deleted[i] else bits
        others = [(i, stats) for i, stats in infos if i not in kept]
        if others:  # (remembered, as `_term_docs` remembers a term's)
            out[self._remembered(("docs beside bitmaps", field, btext),
                                 lambda: (self._read_docs(field, btext, others), None))[0]] = True

    def _read_docs(self, field: str, btext: bytes, infos: list | None = None) -> np.ndarray:
        """The docnums of a term's live postings, read from every segment (or from those of
        `infos`, (leaf, term stats))."""
        parts = []
        for i, stats in self._term_infos(field, btext) if infos is None else infos:
            ids = np.asarray(self._posting_ids(i, field, btext, stats), dtype=np.int64)
            ids = ids + self.leaves[i][1]
            parts.append(ids[self._live[ids]] if self._deleted[i] else ids)
        if not parts:
            return NO_POSTINGS[0]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _read_blocks(self, leaf: int, field: str, btext: bytes, stats, ids: list,
                     weights: list) -> None:
        """Append a term's postings in one segment (deleted documents included), read from
        its blocks, to two lists."""
        postfile = internals.postings_file(self.leaves[leaf][0].reader())
        if postfile is not None and stats[2] is not None:
            internals.read_postings(postfile, stats[2], ids, weights)
            return
        for found, found_weights in _blocks(self._matcher(leaf, field, btext, stats)):
            ids.extend(found)
            weights.extend(found_weights)

    def _score_terms(self, field: str, btexts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of the live postings of a field's terms, a document once
        for each term it has. Postings in posting arrays are scored a term and segment at a
        time; the others (rare terms, in Whoosh's blocks) are gathered a segment at a time
        and scored at once: a prefix can stand for thousands of them."""
        if field not in self.schema:
            return NO_POSTINGS
        parts = []
        gathered: dict[int, tuple[list, list, list, list]] = {}
        for btext in btexts:
            infos = self._term_infos(field, btext)
            top = self._top(field, infos)
            for i, stats in infos:
                arrays = self._leaf_arrays(i)
                found = arrays.get(field, btext) if arrays else None
                if found is not None:
                    parts.append(self._scored(i, field, *found, top))
                    continue
                ids, weights, tops, counts = gathered.setdefault(i, ([], [], [], []))
                before = len(ids)
                self._read_blocks(i, field, btext, stats, ids, weights)
                tops.append(top)
                counts.append(len(ids) - before)
        for i, (ids, weights, tops, counts) in gathered.items():
            parts.append(self._scored(i, field, ids, weights,
                                      tops[0] if len(tops) == 1 else np.repeat(tops, counts)))
        return _joined(parts)

    def _top(self, field: str, infos) -> float:
        """The factor of a term's BM25F scores that is the same in every document: idf *
        (K1 + 1), the idf (Weighting.idf) from the segments' document frequencies; 1.0 in a
        field that is not scored."""
        if not infos or not self.schema[field].scorable:
            return 1.0
        idf = log(self._doc_count_all / (documents_of(infos) + 1)) + 1
        return idf * (self.weighting.K1 + 1)

    def _postings_within(self, field: str, btext: bytes, where: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of a term's live postings in the documents of `where` (a
        mask): each segment's postings cut to those documents before they are scored, so a
        common word's 800,000 at a million papers are not all scored and joined to score the
        few thousand another word of the query leaves."""
        infos = self._term_infos(field, btext)
        top = self._top(field, infos)
        self._prefetch(field, [btext], 2)
        parts = []
        for i, stats in infos:
            sub, offset = self.leaves[i]
            ids, weights = self._postings(i, field, btext, stats)
            ids = np.asarray(ids)
            kept = where[offset:offset + sub.reader().doc_count_all()][ids]
            parts.append(self._scored(i, field, ids[kept], np.asarray(weights)[kept], top))
        return _joined(parts)

    def _scored(self, leaf: int, field: str, ids, weights, top
                ) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of postings of one segment: bm25(idf, tf, fl, avgfl, B,
        K1) = top * tf / (tf + norm[fl]), top = idf * (K1 + 1) (per posting or one for
        all), the length part of each document computed once per field; deleted documents
        left out."""
        ids = np.asarray(ids, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float64)
        sub, offset = self.leaves[leaf]
        if self.schema[field].scorable:
            K1, B = self.weighting.K1, internals.field_B(self.weighting, field)
            norms = self._norms(leaf, sub, field, K1, B, self._avg_length(field))
            weights = top * weights / (weights + norms[ids])
        ids = ids + offset
        if self._deleted[leaf]:
            live = self._live[ids]
            ids, weights = ids[live], weights[live]
        return ids, weights

    def _matcher(self, leaf: int, field: str, btext: bytes, stats):
        """The postings of a term in one segment (deleted documents included), from its
        term stats: Whoosh's W3 reader would look the term up again."""
        return internals.term_matcher(self.leaves[leaf][0].reader(), field, btext, stats[2],
                                      self.schema[field].format)

    def _phrase_words(self, q) -> tuple[str, list[bytes]] | None:
        """A Phrase's field and its words as terms (None: a word no term can be), or
        Unsupported: a phrase the fast evaluator leaves to Whoosh (a slop, no positions)."""
        field = q.fieldname
        if field not in self.schema or q.slop != 1 or not q.words:
            raise Unsupported("phrase")
        fieldobj = self.schema[field]
        if not fieldobj.format or not fieldobj.format.supports("positions"):
            raise Unsupported("phrase without positions")  # Whoosh's matchers say why
        try:
            return field, [fieldobj.to_bytes(w) for w in q.words]
        except ValueError:
            return None

    def _phrase_docs(self, field: str, words: list[bytes], docs: np.ndarray) -> np.ndarray:
        """The documents of `docs` (docnums, ascending) with the words at consecutive
        positions (Whoosh's Phrase, slop 1). Each word's (document, position) pairs become keys
        (document, position - its place in the phrase); the documents of the keys every word
        has are the phrase's. Positions come from the posting arrays where the segment has
        them, else from the blocks that hold a candidate."""
        spans = []  # (leaf, its first docnum, the docs in it as its own docnums)
        for leaf, (sub, offset) in enumerate(self.leaves):
            lo, hi = np.searchsorted(docs, [offset, offset + sub.reader().doc_count_all()])
            if hi > lo:
                spans.append((leaf, offset, docs[lo:hi] - offset))
        self._prefetch(field, set(words), 4, {leaf for leaf, _, _ in spans})
        found = []
        for leaf, offset, local in spans:
            pairs = {w: self._word_positions(leaf, field, w, local) for w in set(words)}
            keys = None
            for place, w in enumerate(words):
                doc, position = pairs[w]
                at = position >= place
                key = (doc[at] << 32) | (position[at] - place)
                keys = key if keys is None else np.intersect1d(keys, key, assume_unique=True)
                if not len(keys):
                    break
            if len(keys):
                found.append(np.unique(keys >> 32) + offset)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def _word_positions(self, leaf: int, field: str, btext: bytes, local: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs, as two int64 arrays, of a word in these documents of
        one segment (its own docnums, ascending)."""
        arrays = self._leaf_arrays(leaf)
        kept = arrays.positions(field, btext) if arrays else None
        if kept is not None:
            ids, counts, where = kept
            # the postings of these documents (ids ascending), and the span of each one's
            # positions in `where` gathered into one index (a window of 100 documents gathers
            # 100 spans; the word's arrays are read whole)
            at = np.searchsorted(ids, local)
            hit = at < len(ids)
            hit[hit] = ids[at[hit]] == local[hit]
            at = at[hit]
            wanted = counts[at].astype(np.int64)
            ends = np.cumsum(counts, dtype=np.int64)
            first = np.repeat(ends[at] - wanted - (np.cumsum(wanted) - wanted), wanted)
            return (np.repeat(ids[at].astype(np.int64), wanted),
                    where[first + np.arange(len(first))].astype(np.int64))
        values = self._leaf_values(leaf, field, btext, local)
        positions = decoded_positions(self.schema[field].format, list(values.values()))
        counts = [len(at) for at in positions]
        return (np.repeat(np.fromiter(values, np.int64, len(values)), counts),
                np.fromiter(chain.from_iterable(positions), np.int64, sum(counts)))

    def _leaf_values(self, leaf: int, field: str, btext: bytes, local: np.ndarray
                     ) -> dict[int, bytes]:
        """The encoded posting values (positions) of a term in these documents of one
        segment (its own docnums, ascending): only the blocks that hold one are read."""
        out: dict[int, bytes] = {}
        stats = next((stats for i, stats in self._term_infos(field, btext) if i == leaf), None)
        if stats is None:
            return out
        m = internals.leaf_matcher(self._matcher(leaf, field, btext, stats))
        if m is None:
            raise Unsupported("postings")
        wanted, local = set(local.tolist()), local.tolist()
        k = 0
        while m.is_active() and k < len(local):
            # candidates up to this block's end: only blocks that hold one are read
            last = bisect_right(local, internals.block_max_id(m), k)
            if last > k:
                for d, v in zip(*internals.block_ids_values(m)):
                    if d in wanted:
                        out[d] = v
                k = last
            internals.next_block(m)
        return out

    def _norms(self, leaf: int, sub, field: str, K1: float, B: float, avgfl: float):
        """K1 * ((1 - B) + B * fl / avgfl) of every document of a segment (fl: its length;
        0.0 where the document has none), as a numpy array."""
        key = (leaf, field, K1, B, avgfl)
        found = self._norm_cache.get(key)
        if found is None:
            lengths = self._field_lengths(leaf, sub, field)
            found = K1 * ((1 - B) + B * lengths / avgfl)
            found[lengths == 0] = 0.0
            self._norm_cache[key] = found
        return found

    def _field_lengths(self, leaf: int, sub, field: str):
        """Every document's length in a field (0 for none) of a segment, as a numpy array
        (read for its norms, which are kept: not kept itself, 8 MB a field at 1M papers)."""
        reader = sub.reader()
        try:
            return length_array(internals.per_doc_reader(reader), field, reader.doc_count_all())
        except (AttributeError, TypeError):  # not a W3 segment: ask document by document
            return np.array([reader.doc_field_length(d, field, 1) or 0
                             for d in range(reader.doc_count_all())], dtype=np.float64)


def documents_of(infos) -> int:
    """How many documents have a term, from its (leaf, term stats) in each segment."""
    return sum(stats[0] for _, stats in infos)


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Postings (docnums, scores) read in parts, as one."""
    if len(parts) <= 1:
        return parts[0] if parts else NO_POSTINGS
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _blocks(m):
    """(ids, weights) of a posting list, a block at a time (deleted documents included: the
    caller leaves them out)."""
    leaf = internals.leaf_matcher(m)
    if leaf is None:
        ids, found = [], []
        while m.is_active():
            ids.append(m.id())
            found.append(m.weight())
            m.next()
        yield ids, found
        return
    while leaf.is_active():
        yield internals.block_postings(leaf)
        internals.next_block(leaf)


def length_array(perdoc, field: str, count: int) -> np.ndarray:
    """Every document's length in a field (0 for none) of a W3 per-document reader, in one
    read of its length column (1 for every document where the field keeps no lengths, as
    Whoosh's doc_field_length(docnum, field, 1) answers)."""
    raw = internals.length_bytes(perdoc, field)
    if raw is None:
        return np.ones(count)
    found = np.zeros(count)
    found[:len(raw)] = _LENGTHS[np.frombuffer(raw, dtype=np.uint8)]
    return found
