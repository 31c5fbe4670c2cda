"""Fast evaluation of the common queries: whole posting blocks at a time, dicts and sets.

Whoosh scores a query by walking a tree of matchers document by document in Python; for a
word found in a third of a 75,000-paper collection, over six fields, that takes a tenth of a
second, and counting the total walks it all again. `FastSearch` evaluates the queries the
search box produces (terms, AND/OR/NOT, prefixes, wildcards, fuzzy terms, numeric ranges) on
the posting lists themselves: it decodes each block of a term's postings at once, scores them
with Whoosh's own BM25F formula, idf and average lengths, and combines documents with dict and
set operations. It gives Whoosh's documents and scores (equal up to the order of floating-point
additions; tests/test_performance_paths.py compares them) and `None` for any query it does not
know, which then goes to Whoosh's matchers. One difference: a prefix, wildcard or fuzzy term
is expanded over all segments at once, as in one merged segment (Whoosh expands it segment by
segment and, where it stands for a single word, drops the query's boost there). What it reads
of the index (term infos, postings from posting arrays or blocks, positions) is in
posting_reads.py.
"""

from __future__ import annotations

import heapq
from array import array
from collections import OrderedDict
from math import log

from whoosh import classify
from whoosh import query as wq
from whoosh.scoring import BM25F

from . import whoosh_internals as internals
from .posting_reads import PostingReads, Unsupported


TERM_CACHE_POSTINGS = 1_500_000  # scored postings kept for reuse (12 bytes each)
RESCORE_WINDOW = 100  # the best matches an AndMaybe's optional part is looked for in


FALLBACK = (Unsupported, AttributeError, TypeError)


class FastSearch(PostingReads):
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
        self._lengths: dict[tuple[int, str], list] = {}
        self._columns: dict[str, list] = {}
        self._cache: OrderedDict = OrderedDict()  # (field, text, bytes?) -> (ids, scores)
        self._cached = 0
        self._positions: dict[bytes, frozenset] = {}  # encoded positions, decoded
        self._expanded: dict[tuple, list[bytes]] = {}
        self._norm_cache: dict[tuple, list] = {}
        self._infos: dict[tuple[str, bytes], list] = {}  # (field, term) -> [(leaf, TermInfo)]
        self._doc_count_all = searcher.doc_count_all()
        self._avg_lengths: dict[str, float] = {}
        self._arrays: list = [None] * len(self.leaves)  # PostingArrays, False: none, None: not yet
        self._deleted = [frozenset(sub.reader().deleted_docs_set) if sub.reader().has_deletions()
                         else frozenset() for sub, _ in self.leaves]

    # -- entry points ----------------------------------------------------------------------
    def scores(self, q) -> dict[int, float] | None:
        """{docnum: score} of the documents `q` matches, or None (not supported)."""
        try:
            return self._scores(q)
        except FALLBACK:
            return None

    def page(self, q, sort: str, offset: int, limit: int, within: set[int] | None = None
             ) -> tuple[int, list] | None:
        """(total, [(docnum, score or None)]) of one page, or None (not supported).

        `sort`: "relevance" (score, then docnum), or a sortable field name, "-" first for
        descending ("-date"): the field's column value, then docnum. `within`: only these
        documents count."""
        try:
            if sort == "relevance":
                scores = self._scores(q)
                if within is not None:
                    scores = {d: v for d, v in scores.items() if d in within}
                top = _top(scores, offset + limit, reverse=True)
                return len(scores), [(d, scores[d]) for d in top[offset:]]
            docs = self._docs(q)
            if within is not None:
                docs &= within
            column = self._column(sort.lstrip("-"))
            top = _top({d: column[d] for d in docs}, offset + limit,
                       reverse=sort.startswith("-"))
            return len(docs), [(d, None) for d in top[offset:]]
        except FALLBACK:
            return None

    def docs(self, q) -> set[int] | None:
        """The documents `q` matches, or None (not supported)."""
        try:
            return self._docs(q)
        except FALLBACK:
            return None

    def _every(self) -> set[int]:
        """Every live document."""
        out: set[int] = set()
        for i, (sub, offset) in enumerate(self.leaves):
            count, deleted = sub.reader().doc_count_all(), self._deleted[i]
            out.update(d + offset for d in range(count) if d not in deleted)
        return out

    def _column(self, field: str) -> list:
        """Every document's value of a sortable field (all segments, global docnums)."""
        found = self._columns.get(field)
        if found is None:
            fieldobj = self.schema[field]
            if not fieldobj.column_type:
                raise Unsupported(f"{field} has no column")
            found = []
            for sub, _ in self.leaves:
                reader = sub.reader()
                count = reader.doc_count_all()
                if reader.has_column(field):
                    cr = reader.column_reader(field, translate=False)
                    found.extend(cr[d] for d in range(count))
                else:
                    found.extend([fieldobj.column_type.default_value()] * count)
            self._columns[field] = found
        return found

    # -- scoring ---------------------------------------------------------------------------
    def _scores(self, q) -> dict[int, float]:
        if isinstance(q, wq.Term):
            found = self._term_scores(q.fieldname, q.text)
            return _boosted(found, q.boost)
        if isinstance(q, wq.Or) and type(q) is wq.Or and not q.minmatch and not q.scale:
            subs = q.subqueries
            if not subs:
                return {}
            if len(subs) == 1:
                return self._scores(subs[0])  # Whoosh ignores the boost of a one-item Or
            out: dict[int, float] = {}
            for sub in subs:
                _add_scores(out, self._scores(sub))
            return _boosted(out, q.boost)
        if isinstance(q, wq.And) and type(q) is wq.And:
            subs = q.subqueries
            if not subs:
                return {}
            if len(subs) == 1:
                return self._scores(subs[0])
            positives = [s for s in subs if not isinstance(s, wq.Not)]
            negatives = [s.query for s in subs if isinstance(s, wq.Not)]
            if not positives:
                raise Unsupported("only negations")
            out = self._conjunction(positives)
            for neg in negatives:
                for d in self._docs(neg):
                    out.pop(d, None)
            if negatives:  # Whoosh intersects with an InverseMatcher, which scores 1.0
                bonus = float(len(negatives))
                out = {d: s + bonus for d, s in out.items()}
            return _boosted(out, q.boost)
        if isinstance(q, wq.AndNot):
            out = self._scores(q.a)
            for d in self._docs(q.b):
                out.pop(d, None)
            return _boosted(out, q.boost)
        if isinstance(q, wq.AndMaybe):
            # The optional part rescores the best RESCORE_WINDOW matches (as Lucene's rescorer
            # does): what it adds never lifts a document above one of the window by itself.
            out = self._scores(q.a)
            if out:
                window = out if len(out) <= RESCORE_WINDOW else dict.fromkeys(
                    _top(out, RESCORE_WINDOW, reverse=True))
                for d, extra in self._scores_within(q.b, window).items():
                    out[d] += extra  # `out` is this call's own dict
            return _boosted(out, q.boost)
        if isinstance(q, wq.Every):
            return dict.fromkeys(self._every(), q.boost)
        if type(q) is wq.ConstantScoreQuery:
            return dict.fromkeys(self._docs(q.child), q.score)
        if getattr(q, "flat_above", None) is not None and self._estimate(q) > q.flat_above:
            # the word being typed, standing for many postings: found, not scored (its
            # complete words rank); scoring them would take most of a key press
            return dict.fromkeys(self._docs(q), q.boost)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            # Whoosh: an Or of the matching terms, each scored as a term (BM25F); one term
            # alone is that term's matcher without the boost.
            field = q.field()
            texts = self._expand(q)
            if len(texts) == 1:
                return self._term_scores(field, texts[0], is_bytes=True)
            out = {}
            for btext in texts:
                _add_scores(out, self._term_scores(field, btext, is_bytes=True))
            return _boosted(out, q.boost)
        if isinstance(q, wq.NumericRange) and q.constantscore:
            boost = q.boost
            return dict.fromkeys(self._docs(q), boost)
        if type(q) is wq.Phrase:
            return _boosted(self._phrase_scores(q), q.boost)
        if internals.is_null(q):
            return {}
        raise Unsupported(type(q).__name__)

    def _scores_within(self, q, docs) -> dict[int, float]:
        """The scores of `q` for these documents only (the optional part of an AndMaybe:
        a phrase is checked in these documents, not in all that have its words)."""
        if type(q) is wq.ConstantScoreQuery and type(q.child) is wq.Phrase:
            return dict.fromkeys(self._phrase_docs_within(q.child, docs), q.score)
        if isinstance(q, wq.Term):
            return _boosted(self._term_scores(q.fieldname, q.text, within=docs), q.boost)
        if getattr(q, "flat_above", None) is not None and self._estimate(q) > q.flat_above:
            return dict.fromkeys(self._docs(q) & docs.keys() if isinstance(docs, dict)
                                 else self._docs(q) & docs, q.boost)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            texts = self._expand(q)
            field = q.field()
            if len(texts) == 1:
                return self._term_scores(field, texts[0], is_bytes=True, within=docs)
            out: dict[int, float] = {}
            for btext in texts:
                _add_scores(out, self._term_scores(field, btext, is_bytes=True, within=docs))
            return _boosted(out, q.boost)
        if isinstance(q, wq.And) and type(q) is wq.And and len(q.subqueries) > 1 \
                and not any(isinstance(sub, wq.Not) for sub in q.subqueries):
            return _boosted(self._conjunction(q.subqueries, within=docs), q.boost)
        if isinstance(q, wq.Or) and type(q) is wq.Or and not q.minmatch and not q.scale \
                and len(q.subqueries) > 1:
            out: dict[int, float] = {}
            for sub in q.subqueries:
                _add_scores(out, self._scores_within(sub, docs))
            return _boosted(out, q.boost)
        return {d: v for d, v in self._scores(q).items() if d in docs}

    def _conjunction(self, parts, within=None) -> dict[int, float]:
        """The summed scores of the documents every part matches: the part with the fewest
        documents first, the others scored only in the documents left."""
        parts = sorted(parts, key=self._estimate)
        out = self._scores(parts[0]) if within is None else self._scores_within(parts[0], within)
        for part in parts[1:]:
            if not out:
                break
            more = self._scores_within(part, out)
            out = {d: v + more[d] for d, v in out.items() if d in more}
        return out

    def _estimate(self, q) -> int:
        """About how many documents a query matches (an upper bound, from term infos)."""
        if isinstance(q, wq.Term):
            try:
                btext = self.schema[q.fieldname].to_bytes(q.text)
            except (KeyError, ValueError):
                return 0
            return sum(info.doc_frequency() for _, info in self._term_infos(q.fieldname, btext))
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
            return sum(info.doc_frequency() for btext in self._expand(q)
                       for _, info in self._term_infos(field, btext))
        return self._doc_count_all

    def _term_scores(self, field: str, text, is_bytes: bool = False,
                     within=None) -> dict[int, float]:
        """{docnum: BM25F score} of one term (remembered: typing repeats terms); `within`:
        only in these documents (not remembered)."""
        if not is_bytes and field in self.schema:
            try:
                text, is_bytes = self.schema[field].to_bytes(text), True
            except ValueError:
                return {}
        key = (field, text, is_bytes)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            if within is not None:
                return {d: v for d, v in zip(*cached) if d in within}
            return dict(zip(*cached))
        if within is not None:
            return self._score_term(field, text, is_bytes, within)
        found = self._score_term(field, text, is_bytes)
        size = len(found)
        if size <= TERM_CACHE_POSTINGS // 4:
            self._cache[key] = (array("I", found.keys()), array("d", found.values()))
            self._cached += size
            while self._cached > TERM_CACHE_POSTINGS:
                _, (ids, _) = self._cache.popitem(last=False)
                self._cached -= len(ids)
        return found

    def _score_term(self, field: str, text, is_bytes: bool, within=None) -> dict[int, float]:
        if field not in self.schema:
            return {}
        fieldobj = self.schema[field]
        if is_bytes:
            btext = text
        else:
            try:
                btext = fieldobj.to_bytes(text)
            except ValueError:
                return {}
        infos = self._term_infos(field, btext)
        out: dict[int, float] = {}
        if not infos:
            return out
        if fieldobj.scorable:
            # BM25F's idf (Weighting.idf): from the segments' document frequencies
            docfreq = sum(info.doc_frequency() for _, info in infos)
            idf = log(self._doc_count_all / (docfreq + 1)) + 1
            avgfl = self._avg_length(field)
            B = internals.field_B(self.weighting, field)
            K1 = self.weighting.K1
            top = idf * (K1 + 1)
        for i, info in infos:
            sub, offset = self.leaves[i]
            deleted = self._deleted[i]
            if fieldobj.scorable:
                # bm25(idf, tf, fl, avgfl, B, K1) = top * tf / (tf + norm[fl]) with the
                # length part of each document computed once per field
                norms = self._norms(i, sub, field, K1, B, avgfl)
            for ids, weights in self._postings(i, field, btext, info):
                if within is not None:  # only these documents: no score for the rest
                    kept = [(d, w) for d, w in zip(ids, weights) if d + offset in within]
                    if not kept:
                        continue
                    ids, weights = zip(*kept)
                if fieldobj.scorable:
                    scores = [top * w / (w + norms[d]) for d, w in zip(ids, weights)]
                else:
                    scores = list(weights)
                if offset:
                    ids = [d + offset for d in ids]
                if deleted:
                    for d, s in zip(ids, scores):
                        if d - offset not in deleted:
                            out[d] = s
                else:
                    out.update(zip(ids, scores))
        return out

    def _docs(self, q) -> set[int]:
        if isinstance(q, wq.Term):
            return self._term_docs(q.fieldname, q.text)
        if isinstance(q, wq.Or) and type(q) is wq.Or and not q.minmatch:
            out: set[int] = set()
            for sub in q.subqueries:
                out |= self._docs(sub)
            return out
        if isinstance(q, wq.And) and type(q) is wq.And:
            positives = [s for s in q.subqueries if not isinstance(s, wq.Not)]
            negatives = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
            if not positives:
                raise Unsupported("only negations")
            parts = sorted((self._docs(s) for s in positives), key=len)
            out = set(parts[0])
            for part in parts[1:]:
                out &= part
            for neg in negatives:
                out -= self._docs(neg)
            return out
        if isinstance(q, wq.AndNot):
            return self._docs(q.a) - self._docs(q.b)
        if isinstance(q, wq.AndMaybe):
            return self._docs(q.a)
        if isinstance(q, wq.Every):
            return self._every()
        if type(q) is wq.ConstantScoreQuery:
            return self._docs(q.child)
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.TermRange)):
            out = set()
            for btext in self._expand(q):
                out |= self._term_docs(q.field(), btext, is_bytes=True)
            return out
        if isinstance(q, wq.NumericRange):
            # its terms depend on the schema only: compiled once for every segment
            compiled = internals.compile_query(q, self.searcher.reader())
            return self._docs(compiled.child if isinstance(compiled, wq.ConstantScoreQuery)
                              else compiled)
        if type(q) is wq.Phrase:
            return set(self._phrase_scores(q))
        if internals.is_null(q):
            return set()
        raise Unsupported(type(q).__name__)

    def expand(self, q) -> list[bytes] | None:
        """The index terms a multi-term query stands for (all segments), or None (ask
        Whoosh)."""
        try:
            return self._expand(q)
        except FALLBACK:
            return None

    def _expand(self, q) -> list[bytes]:
        """The index terms a multi-term query stands for (in every segment; remembered)."""
        key = (type(q).__name__, repr(q))
        found = self._expanded.get(key)
        if found is None:
            if isinstance(q, wq.Prefix):
                texts = self._expand_prefix(q.fieldname, q.text)
                limit = getattr(q, "limit", None)
                if limit is not None and len(texts) > limit:
                    def frequency(btext: bytes) -> int:
                        infos = self._term_infos(q.fieldname, btext)
                        return -sum(info.doc_frequency() for _, info in infos)
                    texts = set(sorted(texts, key=frequency)[:limit])
            else:
                texts = set()
                for sub, _ in self.leaves:
                    texts.update(t for t in internals.query_terms(q, sub.reader()) if t)
            if len(self._expanded) > 256:
                self._expanded.clear()
            found = self._expanded[key] = sorted(texts)
        return found

    def key_terms(self, field: str, text: str, number: int) -> list[tuple[str, float]] | None:
        """Searcher.key_terms_from_text(field, text, number): Whoosh's Bo1 expansion of the
        text's terms, with the terms' frequencies from their term infos (None: ask Whoosh)."""
        try:
            return self._key_terms(field, text, number)
        except FALLBACK:
            return None

    def _key_terms(self, field: str, text: str, number: int) -> list[tuple[str, float]]:
        expander = classify.Expander(self.searcher.reader(), field, model=classify.Bo1Model)
        expander.add_text(text)
        fieldobj, model, total = self.schema[field], expander.model, expander.top_total
        scored, top = [], 0
        for word, weight in expander.topN_weight.items():
            infos = self._term_infos(field, fieldobj.to_bytes(word))
            if infos:
                score = model.score(weight, sum(info.weight() for _, info in infos), total)
                top = max(top, score)
                scored.append((score, word))
        norm = model.normalizer(top, total)
        scored = sorted(((score / norm, word) for score, word in scored),
                        key=lambda x: (0 - x[0], x[1]))
        return [(word, score) for score, word in scored[:number]]

    def existing_terms(self, q) -> list[tuple[str, bytes]] | None:
        """Query.existing_terms(reader, expand=True) of a multi-term leaf from the expansion
        the search made (None: ask Whoosh)."""
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            texts = self.expand(q)
            return None if texts is None else [(q.field(), t) for t in texts]
        return None


def _add_scores(out: dict[int, float], more: dict[int, float]) -> None:
    """out += more, by document (the documents in both: their sum)."""
    if not out:
        out.update(more)
        return
    common = out.keys() & more.keys()
    sums = {d: out[d] + more[d] for d in common} if common else None
    out.update(more)
    if sums:
        out.update(sums)


def _top(items: dict, count: int, reverse: bool) -> list:
    """The `count` keys of `items` with the highest values (`reverse`) or the lowest, ties by
    the lower key: what heapq.nsmallest with the key (-value, key) gives, finding the
    count-th value and then sorting the few candidates."""
    if count <= 0 or not items:
        return []
    if count >= len(items):
        candidates = list(items)
    else:
        pick = heapq.nlargest if reverse else heapq.nsmallest
        edge = pick(count, items.values())[-1]
        candidates = [k for k, v in items.items() if v >= edge] if reverse else [
            k for k, v in items.items() if v <= edge]
    if reverse:  # the highest value first, then the lowest key (values of any type)
        candidates.sort(key=lambda k: (items[k], -k), reverse=True)
    else:
        candidates.sort(key=lambda k: (items[k], k))
    return candidates[:count]


def _boosted(scores: dict[int, float], boost: float) -> dict[int, float]:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}
