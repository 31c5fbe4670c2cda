"""No dead ends: when all the words of a query find nothing, unknown words are corrected (the
close word that finds the most), else the papers with the most of the words are shown.

Candidates for a word come from the words of titles as written (the `spell` field), the
abstracts' terms and the authors' names: one edit away (a swap of neighbours is one edit)
for words of up to five letters, two for longer ones, the first letter kept, plus the words
one edit away at the first letter.
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import dataclass

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
    """A correction of `parsed` that finds papers, else its partial matches, else None."""
    if not parsed.plain:
        return None
    corrected = _correct(parsed, evaluator)
    if corrected is not None:
        return corrected
    return _partial(parsed, evaluator)


def _frequency(evaluator, word: Word) -> int:
    return len(evaluator.docs(word.query))


def _correct(parsed: ParsedQuery, evaluator) -> Repair | None:
    words = [w for w in parsed.words if w.query is not None]
    if len(words) > MAX_WORDS:
        return None
    frequencies = [_frequency(evaluator, w) if not w.prefix else RARE + 1 for w in words]
    suspects = [i for i, f in enumerate(frequencies) if f == 0]
    if not suspects:
        suspects = [i for i, f in enumerate(frequencies) if f <= RARE]
    if not suspects:
        return None
    suspects = suspects[:MAX_SUSPECTS]
    fixed = list(words)
    for i in suspects:
        context = [fixed[j] for j in range(len(words))
                   if j != i and (j not in suspects or fixed[j] is not words[j])]
        best, best_key = None, None
        for distance, candidate in _candidates(words[i].text, evaluator):
            count = len(evaluator.docs(parsed.with_words(context + [candidate])))
            if count and (best_key is None or (-distance, count) > best_key):
                best, best_key = candidate, (-distance, count)
        if best is not None:
            fixed[i] = best
    if all(f is w for f, w in zip(fixed, words)):
        return None
    query = parsed.with_words(fixed)
    if not evaluator.docs(query):
        return None
    text = " ".join(w.text for w in fixed)
    again = ParsedQuery(text=text, query=query, words=fixed, negations=parsed.negations,
                        plain=True)
    return Repair(query=query, ranked=again.ranked(), corrected=text)


def _candidates(word: str, evaluator) -> list[tuple[int, Word]]:
    """Words close to `word` in the index with their distance, the closest first, then the
    most frequent: words of titles and authors' names as written, then abstracts' stems."""
    low = analyse("author", word)
    if len(low) != 1 or len(low[0]) < MIN_LETTERS:
        return []
    typed = low[0]
    stems = title_tokens(word)
    maxdist = 1 if len(typed) <= 5 else 2
    reader = evaluator.reader
    found: dict[tuple[str, str], tuple[int, int, int]] = {}
    sources = [("spell", typed, 0), ("author", typed, 0)]
    if stems:
        sources.append(("abstract", stems[0], 1))
    for field, text, rank in sources:
        terms = [t.decode("utf-8") if isinstance(t, bytes) else t
                 for t in evaluator.expand(DamerauFuzzyTerm(field, text, maxdist=maxdist,
                                                            prefixlength=1))]
        terms += [t for t in _first_letter_edits(text) if (field, t) in reader]
        for term in terms:
            distance = osa_distance(text, term, maxdist + 1)
            if distance <= maxdist and term != text:
                key = (field, term)
                found[key] = (rank, distance, -reader.doc_frequency(field, term))
    out: list[tuple[int, Word]] = []
    seen: set[str] = set()
    for field, term in sorted(found, key=lambda key: found[key][1:] + found[key][:1]):
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
            out.append((found[(field, term)][1], candidate))
        if len(out) >= CANDIDATES:
            break
    return out


def _first_letter_edits(word: str) -> list[str]:
    """The word with its first letter replaced, removed, doubled out or swapped."""
    out = [c + word[1:] for c in _LETTERS if c != word[0]]
    out += [word[1:], word[1] + word[0] + word[2:]] if len(word) > 2 else []
    out += [c + word for c in _LETTERS]
    return out


def _partial(parsed: ParsedQuery, evaluator) -> Repair | None:
    words = [w for w in parsed.words if w.query is not None]
    if len(words) < 2:
        return None
    counts: Counter = Counter()
    for w in words:
        counts.update(evaluator.docs(w.query))
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
    return Repair(query=query, ranked=query, partial=most, words=len(words), within=within)
