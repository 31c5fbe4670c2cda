"""Fast evaluation of the common queries: whole posting lists at a time, as numpy arrays.

Whoosh scores a query by walking a tree of matchers document by document in Python; for a
word found in a third of a 75,000-paper collection, over six fields, that takes a tenth of a
second, and counting the total walks it all again. `FastSearch` evaluates the queries the
search box produces (terms, AND/OR/NOT, prefixes, wildcards, fuzzy terms, numeric ranges) on
the posting lists themselves: it reads each term's postings at once, scores them with
Whoosh's own BM25F formula, idf and average lengths, and combines queries as arrays over the
collection's documents (a `Hits`: which documents match, and their scores), so the time of a
query depends on its postings read, not on Python loops over them. It gives Whoosh's
documents and scores (equal up to the order of floating-point additions;
tests/test_performance_paths.py compares them) and `None` for any query it does not know,
which then goes to Whoosh's matchers. One difference: a prefix, wildcard or fuzzy term is
expanded over all segments at once, as in one merged segment (Whoosh expands it segment by
segment and, where it stands for a single word, drops the query's boost there). What it reads
of the index (term infos, postings from posting arrays or blocks, positions) is in
posting_reads.py, what prefixes and fuzzy words stand for in term_lookups.py.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from . import posting_arrays
from . import whoosh_internals as internals
from .hits import NO_POSTINGS, Hits, top_documents
from .posting_reads import FALLBACK, Unsupported, documents_of
from .term_lookups import TermLookups


TERM_CACHE_POSTINGS = 1_500_000  # scored postings kept for reuse (16 bytes each)
WORDS_KEPT = 2  # the Hits of the last words (each in every field) kept for the next keys
RESCORE_WINDOW = 100  # the best matches an AndMaybe's phrases are looked for in


class FastSearch(TermLookups):
    """Scores and document sets of queries over a searcher's segments (global docnums)."""

    def __init__(self, searcher):
        self.searcher = searcher
        weighting = searcher.weighting
        if type(weighting) is not BM25F:
            raise Unsupported("only BM25F scoring")
        self.weighting = weighting
        self.schema = searcher.schema
        if searcher.is_atomic():
            self.leaves = [(searcher, 0)]
        else:
            self.leaves = list(searcher.leaf_searchers())
        self._columns: dict[str, np.ndarray] = {}
        self._cache: OrderedDict = OrderedDict()  # (field, term bytes) -> (ids, scores), and
        # ("docs", field, term bytes) -> (ids, None): postings read for a mask
        self._cached = 0
        self._expanded: dict[tuple, list[bytes]] = {}
        self._words: OrderedDict = OrderedDict()  # an Or of a word's terms -> its Hits
        self._norm_cache: dict[tuple, np.ndarray] = {}
        self._infos: dict[tuple[str, bytes], tuple] = {}  # (field, term) -> ((leaf, stats), ...)
        self._doc_count_all = size = searcher.doc_count_all()
        self._avg_lengths: dict[str, float] = {}
        self._arrays: list = [None] * len(self.leaves)  # PostingArrays, False: none, None: not yet
        self._sorted_terms: list = [None] * len(self.leaves)  # (SortedTerms, field numbers)
        self._live = np.ones(size, dtype=bool)
        self._deleted = []  # each segment's deleted documents (its own docnums)
        for sub, offset in self.leaves:
            reader = sub.reader()
            deleted = frozenset(reader.deleted_docs_set) if reader.has_deletions() else frozenset()
            self._deleted.append(deleted)
            if deleted:
                self._live[np.fromiter(deleted, np.int64, len(deleted)) + offset] = False

    # -- entry points ----------------------------------------------------------------------
    def scores(self, q) -> dict[int, float] | None:
        """{docnum: score} of the documents `q` matches, or None (not supported)."""
        try:
            hits = self._scores(q)
        except FALLBACK:
            return None
        ids = np.flatnonzero(hits.mask)
        return dict(zip(ids.tolist(), hits.scores[ids].tolist()))

    def page(self, q, sort: str, offset: int, limit: int, within: set[int] | None = None
             ) -> tuple[int, list] | None:
        """(total, [(docnum, score or None)]) of one page, or None (not supported).

        `sort`: "relevance" (score, then docnum), or a sortable field name, "-" first for
        descending ("-date"): the field's column value, then docnum. `within`: only these
        documents count."""
        try:
            if sort == "relevance":
                hits = self._scores(q)
                if within is not None:
                    hits.keep(self._mask_of(within))
                top = top_documents(hits.mask, hits.scores, offset + limit, reverse=True)[offset:]
                return (int(np.count_nonzero(hits.mask)),
                        list(zip(top.tolist(), hits.scores[top].tolist())))
            docs = self._docs(q)
            if within is not None:
                docs &= self._mask_of(within)
            top = top_documents(docs, self._column(sort.lstrip("-")), offset + limit,
                                reverse=sort.startswith("-"))[offset:]
            return int(np.count_nonzero(docs)), [(d, None) for d in top.tolist()]
        except FALLBACK:
            return None

    def docs(self, q) -> set[int] | None:
        """The documents `q` matches, or None (not supported)."""
        try:
            return set(np.flatnonzero(self._docs(q)).tolist())
        except FALLBACK:
            return None

    def mask(self, q) -> np.ndarray | None:
        """The documents `q` matches as a mask over all documents, or None (not supported)."""
        try:
            return self._docs(q)
        except FALLBACK:
            return None

    def _mask_of(self, docs) -> np.ndarray:
        mask = np.zeros(self._doc_count_all, dtype=bool)
        if isinstance(docs, np.ndarray):
            mask[docs] = True
        elif docs:
            mask[np.fromiter(docs, np.int64, len(docs))] = True
        return mask

    def _column(self, field: str) -> np.ndarray:
        """Every document's value of a sortable field (all segments, global docnums), as
        numbers that sort as the values do."""
        found = self._columns.get(field)
        if found is None:
            fieldobj = self.schema[field]
            if not fieldobj.column_type:
                raise Unsupported(f"{field} has no column")
            values = []
            for sub, _ in self.leaves:
                reader = sub.reader()
                count = reader.doc_count_all()
                if reader.has_column(field):
                    cr = reader.column_reader(field, translate=False)
                    values.extend(cr[d] for d in range(count))
                else:
                    values.extend([fieldobj.column_type.default_value()] * count)
            if values and not isinstance(values[0], (int, float)):  # bytes: their ranks
                values = np.unique(np.array(values, dtype=object), return_inverse=True)[1]
            found = self._columns[field] = np.asarray(values).reshape(-1)
        return found

    # -- scoring ---------------------------------------------------------------------------
    def _scores(self, q) -> Hits:
        size = self._doc_count_all
        if isinstance(q, wq.Term):
            return self._term_hits(q.fieldname, q.text).boosted(q.boost)
        if isinstance(q, wq.Or) and type(q) is wq.Or and not q.minmatch and not q.scale:
            subs = q.subqueries
            if not subs:
                return Hits.none(size)
            if len(subs) == 1:
                return self._scores(subs[0])  # Whoosh ignores the boost of a one-item Or
            word = all(isinstance(sub, wq.Term) for sub in subs)  # a word in each field
            if word and q in self._words:  # typing the next word asks for this one each key
                self._words.move_to_end(q)
                return self._words[q].copy()
            out = Hits.none(size)
            for sub in subs:
                # a word in each field: its postings added in place, not each made an array
                # over the whole collection first (13 of them for two words at 1M papers)
                if isinstance(sub, wq.Term):
                    out.add_postings(*self._boosted_postings(sub))
                elif self._found_not_scored(sub):
                    out.add_flat(self._docs(sub), sub.boost)
                else:
                    out.add(self._scores(sub))
            out.boosted(q.boost)
            if word:
                self._words[q] = out.copy()
                if len(self._words) > WORDS_KEPT:
                    self._words.popitem(last=False)
            return out
        if isinstance(q, wq.And) and type(q) is wq.And:
            subs = q.subqueries
            if not subs:
                return Hits.none(size)
            if len(subs) == 1:
                return self._scores(subs[0])
            positives = [s for s in subs if not isinstance(s, wq.Not)]
            negatives = [s.query for s in subs if isinstance(s, wq.Not)]
            if not positives:
                raise Unsupported("only negations")
            out = self._conjunction(positives)
            for neg in negatives:
                out.keep(~self._docs(neg))
            if negatives:  # Whoosh intersects with an InverseMatcher, which scores 1.0
                out.scores += out.mask * float(len(negatives))
            return out.boosted(q.boost)
        if isinstance(q, wq.AndNot):
            out = self._scores(q.a)
            out.keep(~self._docs(q.b))
            return out.boosted(q.boost)
        if isinstance(q, wq.AndMaybe):
            # Phrases of the optional part rescore the best RESCORE_WINDOW matches (as
            # Lucene's rescorer does: what they add never lifts a document above one of the
            # window by itself); its terms, cheap to look up, count in every match.
            out = self._scores(q.a)
            if out.mask.any():
                window = None
                optional = q.b.subqueries if type(q.b) is wq.Or and q.b.boost == 1.0 \
                    and not q.b.minmatch and not q.b.scale else [q.b]
                for part in optional:
                    where = out.mask
                    if _checks_positions(part):
                        if window is None:
                            window = np.zeros(size, dtype=bool)
                            window[top_documents(out.mask, out.scores, RESCORE_WINDOW,
                                                 reverse=True)] = True
                        where = window
                    self._add_within(out, part, where)
            return out.boosted(q.boost)
        if isinstance(q, wq.Every):
            return Hits.flat(self._live.copy(), q.boost)
        if type(q) is wq.ConstantScoreQuery:
            return Hits.flat(self._docs(q.child), q.score)
        if self._found_not_scored(q):
            return Hits.flat(self._docs(q), q.boost)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            # Whoosh: an Or of the matching terms, each scored as a term (BM25F); one term
            # alone is that term's matcher without the boost.
            field = q.field()
            texts = self._expand(q)
            if len(texts) == 1:
                return self._term_hits(field, texts[0], is_bytes=True)
            out = Hits.none(size)
            for ids, scores in self._terms_postings(field, texts):
                out.add_postings(ids, scores)
            return out.boosted(q.boost)
        if isinstance(q, wq.NumericRange) and q.constantscore:
            return Hits.flat(self._docs(q), q.boost)
        if type(q) is wq.Phrase:
            return self._phrase_hits(q).boosted(q.boost)
        if internals.is_null(q):
            return Hits.none(size)
        raise Unsupported(type(q).__name__)

    def _add_within(self, out: Hits, q, where: np.ndarray) -> None:
        """Add the scores of `q` in these documents only to `out` (the optional part of an
        AndMaybe: a phrase is checked in these documents, not in all that have its words; a
        term's postings are added where they fall, not made an array over the collection)."""
        if type(q) is wq.ConstantScoreQuery and type(q.child) is wq.Phrase:
            phrase = self._phrase_words(q.child)
            found = self._phrase_docs(*phrase, np.flatnonzero(where)) if phrase else []
            out.scores[found] += q.score
        elif isinstance(q, wq.Term):
            out.add_within(*self._boosted_postings(q), where)
        elif type(q) is wq.ConstantScoreQuery and isinstance(q.child, wq.Term):
            btext = self._term_bytes(q.child.fieldname, q.child.text)
            ids = NO_POSTINGS[0] if btext is None else self._term_docs(q.child.fieldname, btext)
            out.add_within(ids, np.full(len(ids), float(q.score)), where)
        else:
            out.scores += self._scores(q).scores * where

    def _boosted_postings(self, q: wq.Term) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, scores) of a term's postings, its boost applied."""
        ids, scores = self._term_postings(q.fieldname, q.text)
        return ids, scores * q.boost if q.boost != 1.0 else scores

    def _found_not_scored(self, q) -> bool:
        """The word being typed, standing for many postings: found, not scored (its complete
        words rank); scoring them would take most of a key press."""
        return getattr(q, "flat_above", None) is not None and self._estimate(q) > q.flat_above

    def _conjunction(self, parts) -> Hits:
        """The summed scores of the documents every part matches (the part with the fewest
        documents first: an empty one ends the work)."""
        parts = sorted(parts, key=self._estimate)
        out = self._scores(parts[0])
        for part in parts[1:]:
            if not out.mask.any():
                break
            if not self._scored_within(out, part):
                more = self._scores(part)
                out.scores += more.scores
                out.keep(more.mask)
        return out

    def _scored_within(self, out: Hits, q) -> bool:
        """AND a term, or a word in each field, into `out` from its postings in out's
        documents only (True), or leave it to the caller (False: another query). A word
        kept from the last keys is ANDed in whole; a term that would not be remembered (a
        common word's) is cut to out's documents segment by segment before it is scored."""
        if type(q) is wq.Or and not q.minmatch and not q.scale \
                and all(isinstance(sub, wq.Term) for sub in q.subqueries):
            # (Whoosh ignores the boost of a one-item Or)
            terms, boost = q.subqueries, q.boost if len(q.subqueries) > 1 else 1.0
        elif isinstance(q, wq.Term):
            terms, boost = [q], 1.0
        else:
            return False
        kept = self._words.get(q)
        if kept is not None:
            out.scores += kept.scores
            out.keep(kept.mask)
            return True
        where, found = out.mask, []
        for term in terms:
            btext = self._term_bytes(term.fieldname, term.text)
            if btext is None:
                continue
            key = (term.fieldname, btext)
            if key in self._cache or documents_of(self._term_infos(*key)) \
                    <= TERM_CACHE_POSTINGS // 4:
                ids, scores = self._term_postings(*key, is_bytes=True)
                inside = where[ids]
                ids, scores = ids[inside], scores[inside]
            else:
                ids, scores = self._postings_within(*key, where)
            found.append((ids, scores * term.boost if term.boost != 1.0 else scores))
        ids, scores = _summed(np.concatenate([f[0] for f in found] or [NO_POSTINGS[0]]),
                              np.concatenate([f[1] for f in found] or [NO_POSTINGS[1]]))
        matched = np.zeros(self._doc_count_all, dtype=bool)
        matched[ids] = True
        out.scores[ids] += scores * boost if boost != 1.0 else scores
        out.keep(matched)
        return True

    def _phrase_hits(self, q) -> Hits:
        """Whoosh's Phrase (slop 1): the documents with the words at consecutive positions,
        scored as the AND of its words (each a term without boost)."""
        phrase = self._phrase_words(q)
        if phrase is None:
            return Hits.none(self._doc_count_all)
        field, words = phrase
        out = self._conjunction([wq.Term(field, w.decode("utf-8")) for w in words])
        if len(words) > 1 and out.mask.any():
            out.keep(self._mask_of(self._phrase_docs(field, words, np.flatnonzero(out.mask))))
        return out

    def _estimate(self, q) -> int:
        """About how many documents a query matches (an upper bound, from term infos)."""
        if isinstance(q, wq.Term):
            try:
                btext = self.schema[q.fieldname].to_bytes(q.text)
            except (KeyError, ValueError):
                return 0
            return documents_of(self._term_infos(q.fieldname, btext))
        if isinstance(q, wq.Or) and type(q) is wq.Or:
            return sum(self._estimate(sub) for sub in q.subqueries)
        if isinstance(q, wq.And) and type(q) is wq.And:
            return min((self._estimate(sub) for sub in q.subqueries
                        if not isinstance(sub, wq.Not)), default=self._doc_count_all)
        if type(q) is wq.Phrase:
            return min(self._estimate(wq.Term(q.fieldname, w)) for w in q.words) \
                if q.words else 0
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            field = q.field()
            return sum(documents_of(self._term_infos(field, btext)) for btext in self._expand(q))
        return self._doc_count_all

    def _term_hits(self, field: str, text, is_bytes: bool = False) -> Hits:
        out = Hits.none(self._doc_count_all)
        out.add_postings(*self._term_postings(field, text, is_bytes))
        return out

    def _term_postings(self, field: str, text, is_bytes: bool = False, prefetch: bool = True
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of one term's live postings (remembered: typing repeats
        terms). `prefetch`: its arrays in every segment asked for first (False: the caller
        asked for them with others')."""
        if not is_bytes:
            text = self._term_bytes(field, text)
            if text is None:
                return NO_POSTINGS

        def read() -> tuple[np.ndarray, np.ndarray]:
            if prefetch:
                self._prefetch(field, [text], 2)
            return self._score_terms(field, [text])
        return self._remembered((field, text), read)

    def _terms_postings(self, field: str, btexts: list[bytes]
                        ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(docnums, BM25F scores) of the live postings of a field's terms (a prefix's or
        fuzzy word's words), in parts whose docnums are distinct: a part for each term that
        posting arrays may hold, one for all the rarer terms (read from their blocks at once,
        a document's scores summed); each remembered (typing repeats them)."""
        rare = {t for t in btexts
                if documents_of(self._term_infos(field, t)) < posting_arrays.MIN_POSTINGS}
        self._prefetch(field, [t for t in btexts
                               if t not in rare and (field, t) not in self._cache], 2)
        parts = [self._term_postings(field, t, is_bytes=True, prefetch=False)
                 for t in btexts if t not in rare]
        if rare:
            ordered = [t for t in btexts if t in rare]
            parts.append(self._remembered((field, tuple(ordered)),
                                          lambda: _summed(*self._score_terms(field, ordered))))
        return parts

    def _remembered(self, key: tuple, compute) -> tuple[np.ndarray, np.ndarray | None]:
        """Postings (docnums, and their scores or None) computed once and kept while they fit
        in TERM_CACHE_POSTINGS (the least recently used let go)."""
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        found = compute()
        size = len(found[0])
        if size <= TERM_CACHE_POSTINGS // 4:
            self._cache[key] = found
            self._cached += size
            while self._cached > TERM_CACHE_POSTINGS:
                _, (ids, _) = self._cache.popitem(last=False)
                self._cached -= len(ids)
        return found

    def _docs(self, q) -> np.ndarray:
        """The documents `q` matches (a mask of its own)."""
        size = self._doc_count_all
        if isinstance(q, wq.Term):
            out = np.zeros(size, dtype=bool)
            try:
                btext = self.schema[q.fieldname].to_bytes(q.text)
                self._prefetch(q.fieldname, [btext], 1)
                self._mark(out, q.fieldname, btext)
            except (KeyError, ValueError):
                pass
            return out
        if isinstance(q, wq.Or) and type(q) is wq.Or and not q.minmatch:
            out = np.zeros(size, dtype=bool)
            for sub in q.subqueries:
                out |= self._docs(sub)
            return out
        if isinstance(q, wq.And) and type(q) is wq.And:
            positives = [s for s in q.subqueries if not isinstance(s, wq.Not)]
            negatives = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
            if not positives:
                raise Unsupported("only negations")
            out = self._docs(positives[0])
            for part in positives[1:]:
                out &= self._docs(part)
            for neg in negatives:
                out &= ~self._docs(neg)
            return out
        if isinstance(q, wq.AndNot):
            return self._docs(q.a) & ~self._docs(q.b)
        if isinstance(q, wq.AndMaybe):
            return self._docs(q.a)
        if isinstance(q, wq.Every):
            return self._live.copy()
        if type(q) is wq.ConstantScoreQuery:
            return self._docs(q.child)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.TermRange)):
            out = np.zeros(size, dtype=bool)
            btexts = self._expand(q)
            self._prefetch(q.field(), btexts, 1)
            for btext in btexts:
                self._mark(out, q.field(), btext)
            return out
        if isinstance(q, wq.NumericRange):
            # its terms depend on the schema only: compiled once for every segment
            compiled = internals.compile_query(q, self.searcher.reader())
            return self._docs(compiled.child if isinstance(compiled, wq.ConstantScoreQuery)
                              else compiled)
        if type(q) is wq.Phrase:
            return self._phrase_hits(q).mask
        if internals.is_null(q):
            return np.zeros(size, dtype=bool)
        raise Unsupported(type(q).__name__)

    def _term_docs(self, field: str, btext: bytes) -> np.ndarray:
        """The docnums of a term's live postings: its scored postings' when remembered, else
        read without weights, and remembered too (a word being typed reads the same words
        at each key: "mod", "mode", "model")."""
        cached = self._cache.get((field, btext))
        if cached is not None:
            return cached[0]
        if field not in self.schema:
            return NO_POSTINGS[0]
        return self._remembered(("docs", field, btext),
                                lambda: (self._read_docs(field, btext), None))[0]

    def document_numbers(self, field: str, values: list[str]) -> list[int] | None:
        """The live document of each value of a unique field (Searcher.document_number of
        each, in order; values not indexed left out), or None (not supported)."""
        try:
            found = (self._term_docs(field, self.schema[field].to_bytes(v)) for v in values)
            return [int(docs[0]) for docs in found if len(docs)]
        except FALLBACK:
            return None


def _summed(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document once, its scores summed."""
    ids, at = np.unique(ids, return_inverse=True)
    return ids, np.bincount(at, weights=scores, minlength=len(ids))


def _checks_positions(q) -> bool:
    """Whether a query reads word positions (a phrase): costly in many documents."""
    return type(q) is wq.Phrase or (type(q) is wq.ConstantScoreQuery
                                    and type(q.child) is wq.Phrase)
