"""What the fast search looks up among the index's terms: the words a prefix, wildcard or
fuzzy word stands for (in every segment at once: Whoosh expands them a segment at a time),
the words the reader types past their stems, the key terms of a text (similar papers) and a
term's document frequency. A mixin of `fast_search.FastSearch` over `PostingReads` (term
infos and postings), which holds the caches."""

from __future__ import annotations

from bisect import bisect_left

from whoosh import classify, fields
from whoosh import query as wq

from . import term_walks
from . import whoosh_internals as internals
from .expansions import SPELLING_FIELD, DamerauFuzzyTerm
from .posting_reads import FALLBACK, PostingReads, Unsupported, documents_of


class TermLookups(PostingReads):
    """The terms that queries stand for, and their statistics, over a searcher's segments."""

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
            limit = getattr(q, "limit", None)
            if isinstance(q, wq.Prefix) and limit is not None:
                texts = self._frequent_prefix_terms(q.fieldname, q.text, limit)
                if getattr(q, "written", None):  # (expansions.TypedPrefix)
                    texts = texts + self._written_terms(q, bool(texts))
            elif isinstance(q, wq.Prefix):
                texts = self._expand_prefix(q.fieldname, q.text)
            elif isinstance(q, wq.FuzzyTerm):
                texts = self._fuzzy_terms(q)
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
                score = model.score(weight, sum(stats[1] for _, stats in infos), total)
                top = max(top, score)
                scored.append((score, word))
        norm = model.normalizer(top, total)
        scored = sorted(((score / norm, word) for score, word in scored),
                        key=lambda x: (0 - x[0], x[1]))
        return [(word, score) for score, word in scored[:number]]

    def doc_frequency(self, field: str, text: str) -> int:
        """Searcher.doc_frequency(field, text), from the term infos (remembered)."""
        return documents_of(self._term_infos(field, self.schema[field].to_bytes(text)))

    def existing_terms(self, q) -> list[tuple[str, bytes]] | None:
        """Query.existing_terms(reader, expand=True) of a multi-term leaf from the expansion
        the search made (None: ask Whoosh)."""
        if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            texts = self.expand(q)
            return None if texts is None else [(q.field(), t) for t in texts]
        return None

    def _expand_prefix(self, field: str, prefix: str) -> set[bytes]:
        """The terms of a field that start with `prefix`, their term infos remembered on the
        way (the terms file gives them with the terms)."""
        bprefix = self._term_bytes(field, prefix)
        if bprefix is None:
            return set()
        infos: dict[bytes, list] = {}
        for i, (sub, _) in enumerate(self.leaves):
            reader = sub.reader()
            items = internals.term_infos_from(reader, field, bprefix)
            if items is None:
                for btext in reader.expand_prefix(field, bprefix):
                    infos.setdefault(btext, []).append(
                        (i, internals.term_stats(reader.term_info(field, btext))))
                continue
            for (fieldname, btext), info in items:
                if fieldname != field or not btext.startswith(bprefix):
                    break
                infos.setdefault(btext, []).append((i, internals.term_stats(info)))
        for btext, found in infos.items():
            self._remember_infos((field, btext), found)
        return {t for t in infos if t}

    def _frequent_prefix_terms(self, field: str, prefix: str, limit: int) -> list[bytes]:
        """The `limit` terms of a field starting with `prefix` found in the most documents
        (all segments; ties in the terms' order), their frequencies read from the terms
        files without making term infos (a three-letter prefix has thousands of terms); the
        term infos of those chosen made from where the terms were found, and remembered."""
        bprefix = self._term_bytes(field, prefix)
        if bprefix is None:
            return []
        frequencies: dict[bytes, int] = {}
        found = []  # (leaf, its terms, the index of the first word, the words in order)
        for leaf, (terms, numbers) in enumerate(self._all_sorted_terms()):
            if field in numbers:
                first, words, counts = terms.prefixed(numbers[field], bprefix)
                found.append((leaf, terms, first, words))
                for word, count in zip(words, counts):
                    frequencies[word] = frequencies.get(word, 0) + count
        frequencies.pop(b"", None)
        chosen = sorted(frequencies, key=lambda t: (-frequencies[t], t))[:limit]
        for word in chosen:
            infos = []
            for leaf, terms, first, words in found:
                at = bisect_left(words, word)
                if at < len(words) and words[at] == word:
                    infos.append((leaf, internals.term_stats(terms.term_info_at(first + at))))
            self._remember_infos((field, word), infos)
        return chosen

    def _written_terms(self, q, found: bool) -> list[bytes]:
        """`TypedPrefix.written_terms` over every segment, of the most frequent title words
        starting with the word as typed (remembered: title and abstract ask for them)."""
        key = ("written", q.written, q.limit)
        if key not in self._expanded:
            self._expanded[key] = [w.decode("utf-8") for w in self._frequent_prefix_terms(
                SPELLING_FIELD, q.written, q.limit)]
        return q.written_terms(self._expanded[key], found, self.schema,
                               lambda t: bool(self._term_infos(q.fieldname, t)))

    def _all_sorted_terms(self) -> list[tuple[term_walks.SortedTerms, dict[str, int]]]:
        """Every segment's sorted terms and field numbers (made at first use), or
        Unsupported: a segment not of Whoosh's W3 codec or not memory-mapped."""
        for i, (sub, _) in enumerate(self.leaves):
            if self._sorted_terms[i] is None:
                self._sorted_terms[i] = term_walks.SortedTerms.of(sub.reader()) or False
            if self._sorted_terms[i] is False:
                raise Unsupported("a segment not of Whoosh's W3 codec")
        return self._sorted_terms

    def _fuzzy_terms(self, q) -> set[bytes]:
        """The terms of a fuzzy query's field within its edits, in every segment: each
        segment's terms walked with one automaton (`term_walks`); for a `DamerauFuzzyTerm`
        also its swapped forms and the stems of the title words within its edits of the word
        as written (`written`), where the field holds them."""
        fieldobj = self.schema[q.fieldname]
        if not isinstance(fieldobj, (fields.TEXT, fields.KEYWORD, fields.ID)):
            raise Unsupported("a fuzzy term of a field not of text")
        field = fieldobj.spelling_fieldname(q.fieldname)
        found = self._words_within(field, q.text, q.maxdist, q.prefixlength)
        if isinstance(q, DamerauFuzzyTerm):
            candidates = {w.encode("utf-8") for w in q.swapped_forms()}
            if q.written:
                key = ("written", q.written, q.maxdist, q.prefixlength)
                if key not in self._expanded:
                    spelled = self._words_within(SPELLING_FIELD, q.written, q.maxdist,
                                                 q.prefixlength)
                    swapped = {w.encode("utf-8") for w in q.swapped_forms(q.written)}
                    spelled.update(w for w in swapped if self._term_infos(SPELLING_FIELD, w))
                    self._expanded[key] = sorted(spelled)
                candidates |= q.stems((w.decode("utf-8") for w in self._expanded[key]),
                                      self.schema)
            found.update(t for t in candidates - found if self._term_infos(q.fieldname, t))
        return found

    def _words_within(self, field: str, text: str, maxdist: int, prefix: int) -> set[bytes]:
        """The terms of a field within `maxdist` edits of `text` keeping its first `prefix`
        letters, in every segment (one automaton walks them all: `term_walks`)."""
        dfa = term_walks.automaton(text, maxdist, prefix)
        walks = [(terms, numbers[field]) for terms, numbers in self._all_sorted_terms()
                 if field in numbers]
        return {t.encode("utf-8") for t in term_walks.words_within(walks, dfa)}
