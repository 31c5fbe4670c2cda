"""No dead ends: when all the words of a query find nothing, unknown words are corrected (the
close word that finds the most), else the papers with the most of the words are shown. The
query's plain words are corrected; the rest of it (fields, ranges, "phrases", negations) is
kept as written and limits what a correction or a partial match may find.

Candidates for a word come from the words of titles as written (the `spell` field), the
abstracts' terms and the authors' names: one edit away (a swap of neighbours is one edit),
else, for words of six letters or more, title words two edits away.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from .expansions import DamerauFuzzyTerm, osa_distance
from .query_language import ParsedQuery, Word, analyse, parse, title_tokens

RARE = 2  # a word in at most this many papers may be a typo of a common one
CANDIDATES = 12  # corrections tried per word, the closest and most frequent first
MAX_WORDS = 12  # longer queries get partial matches, not corrections
MAX_SUSPECTS = 3  # words corrected at most
MIN_LETTERS = 4  # shorter words are not corrected ("foo" is no typo of "too")
_LETTERS = string.ascii_lowercase


@dataclass
class Repair:
    """How a query that found nothing was repaired."""

    query: wq.Query
    ranked: wq.Query
    corrected: str | None = None  # the text whose results are shown
    partial: int = 0  # the results have this many of the words (not all)
    words: int = 0  # of this many
    within: set[int] | None = None  # partial: the documents with the most words


def repair(parsed: ParsedQuery, evaluator) -> Repair | None:
    """A correction of `parsed`'s plain words that finds papers, else its partial matches,
    else None."""
    if not parsed.correctable():
        return None
    filtered = _filtered(parsed, evaluator)
    if filtered is not None and not filtered.any():
        return None  # the filters alone find nothing: no word can help
    corrected = _correct(parsed, evaluator, filtered)
    if corrected is not None:
        return corrected
    return _partial(parsed, evaluator, filtered)


def _filtered(parsed: ParsedQuery, evaluator) -> np.ndarray | None:
    """The documents the query's filters let through, as a mask over all documents (None: it
    has none). A filter may let most papers through (`category:cs.LG`): a mask, not a set."""
    found = None
    for f in parsed.filters:
        mask = evaluator.mask(f)
        found = mask if found is None else found & mask
    return found


def _kept(docs: set[int], mask: np.ndarray | None) -> set[int]:
    """Those of `docs` the filters' `mask` lets through (all of them when None)."""
    if mask is None or not docs:
        return docs
    found = np.fromiter(docs, np.int64, len(docs))
    return set(found[mask[found]].tolist())


def _correct(parsed: ParsedQuery, evaluator, filtered: np.ndarray | None) -> Repair | None:
    words = parsed.words
    if len(words) > MAX_WORDS:
        return None
    docs = [evaluator.docs(w.query) if not w.prefix else None for w in words]
    suspects = [i for i, found in enumerate(docs) if found is not None and not found]
    if not suspects:
        suspects = [i for i, found in enumerate(docs) if found is not None and len(found) <= RARE]
    if not suspects:
        return None
    suspects = suspects[:MAX_SUSPECTS]
    excluded: set[int] = set()
    for n in parsed.negations:
        excluded |= evaluator.docs(n)
    fixed = list(words)
    for i in suspects:
        context = [j for j in range(len(words))
                   if j != i and (j not in suspects or fixed[j] is not words[j])]
        within = None  # the documents of the other words, the filters let through
        for j in context:
            found = docs[j] if docs[j] is not None and fixed[j] is words[j] else \
                evaluator.docs(fixed[j].query)
            within = found if within is None else within & found
        if within is not None:
            within = _kept(within, filtered)
        best, best_key = None, None
        for distance, candidate in _candidates(words[i].text, evaluator):
            found = evaluator.docs(candidate.query)
            found = _kept(found, filtered) if within is None else within & found
            count = len(found - excluded)
            if count and (best_key is None or (-distance, count) > best_key):
                best, best_key = candidate, (-distance, count)
        if best is not None:
            fixed[i] = best
    if all(f is w for f, w in zip(fixed, words)):
        return None
    query = parsed.with_words(fixed)
    if not evaluator.docs(query):
        return None
    text = parsed.with_words_text(fixed)  # as typed, each corrected word in its place
    again = ParsedQuery(text=text, query=query, words=fixed, negations=parsed.negations,
                        plain=parsed.plain, filters=parsed.filters)
    return Repair(query=query, ranked=again.ranked(), corrected=text)


def _candidates(word: str, evaluator) -> list[tuple[int, Word]]:
    """Words close to `word` in the index with their distance, the closest first, then the
    most frequent: words of titles and authors' names as written, then abstracts' stems.
    One edit away by a lookup of every edit; two (long words, titles only) by an automaton."""
    low = analyse("author", word)
    reader = evaluator.reader
    if len(low) > 1:  # "fine-graained": correct its unknown part
        unknown = [t for t in low if not any((f, t) in reader for f in ("spell", "author"))
                   and not any((f, s) in reader for s in title_tokens(t)
                               for f in ("title", "abstract"))]
        if len(unknown) != 1:
            return []
        part = re.compile(re.escape(unknown[0]), re.IGNORECASE)
        out = []
        for distance, fix in _candidates(unknown[0], evaluator):
            parsed = parse(part.sub(fix.text, word, count=1)).words
            if len(parsed) == 1 and parsed[0].query is not None:
                out.append((distance, parsed[0]))
        return out
    if len(low) != 1 or len(low[0]) < MIN_LETTERS:
        return []
    typed = low[0]
    stems = title_tokens(word)
    found: dict[tuple[str, str], tuple[int, int, int]] = {}
    sources = [("spell", typed, 0), ("author", typed, 0)]
    for field, text, rank in sources:
        for term in edits1(text):
            if (field, term) in reader:
                found[(field, term)] = (1, -reader.doc_frequency(field, term), rank)
    if not found and stems:  # a word of abstracts only: their stems
        for term in edits1(stems[0]):
            if ("abstract", term) in reader:
                found[("abstract", term)] = (1, -reader.doc_frequency("abstract", term), 1)
    if not found and len(typed) > 5:
        for btext in evaluator.expand(DamerauFuzzyTerm("spell", typed, maxdist=2,
                                                       prefixlength=1)):
            term = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            if term != typed:
                found[("spell", term)] = (osa_distance(typed, term),
                                          -reader.doc_frequency("spell", term), 0)
    out: list[tuple[int, Word]] = []
    seen: set[str] = set()
    for field, term in sorted(found, key=found.get):
        if field == "abstract":
            word_query = wq.Or([wq.Term("title", term, boost=3.0), wq.Term("abstract", term)])
            candidate = Word(text=term, query=word_query)
        else:
            parsed = parse(term).words
            if len(parsed) != 1 or parsed[0].query is None:
                continue
            candidate = parsed[0]
        if candidate.text not in seen:
            seen.add(candidate.text)
            out.append((found[(field, term)][0], candidate))
        if len(out) >= CANDIDATES:
            break
    return out


def edits1(word: str) -> set[str]:
    """Every word one edit from `word` (a letter left out, swapped with the next, replaced,
    put in), the word itself left out."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    out.discard(word)
    return out


def _partial(parsed: ParsedQuery, evaluator, filtered: np.ndarray | None) -> Repair | None:
    words = parsed.words
    if len(words) < 2:
        return None
    counts: Counter = Counter()
    for w in words:
        found = evaluator.docs(w.query)
        counts.update(_kept(found, filtered))
    negated = set()
    for n in parsed.negations:
        negated |= evaluator.docs(n)
    for d in negated:
        counts.pop(d, None)
    if not counts:
        return None
    most = max(counts.values())
    within = {d for d, c in counts.items() if c == most}
    query = wq.Or([w.query for w in words])
    if parsed.filters:
        query = wq.And([query, *parsed.filters])
    return Repair(query=query, ranked=query, partial=most, words=len(words), within=within)
