"""Queries that stand for several index terms, the way people mistype and type.

`DamerauFuzzyTerm` counts a swap of two neighbouring letters as one edit ("protien" is one
edit from "protein"; Whoosh's automata count two; within two edits a swap is found anyway, so
`~2` is Whoosh's), and in a stemmed field also stands for the stems of the title words
within its edits of the word as typed. `TypedPrefix` is the word being typed in the search
box: the words starting with it, at most `TYPED_PREFIX_TERMS` of them (fewer for three or
four letters), the most frequent: three letters would otherwise stand for thousands of words
at every key press.
"""

from __future__ import annotations

from whoosh import query as wq

from . import whoosh_internals as internals

TYPED_PREFIX_TERMS = 64
TYPED_SCORED_POSTINGS = 20_000
SPELLING_FIELD = "spell"  # the words of titles as written (schema.py)
# English endings a word being typed may go on to (with_endings), and how many of its last
# letters may already be one's start
ENDINGS = ("s", "es", "ies", "ed", "er", "ers", "ing", "ings", "ly", "y", "ity", "ities",
           "ion", "ions", "ation", "ations", "ment", "ments", "ness", "al", "ally", "ical",
           "ically", "ive", "ize", "ized", "izing", "ization", "ise", "ised", "ising",
           "isation", "able", "ible", "ance", "ence", "ant", "ent", "ism", "ist", "ous",
           "ful", "ative", "ator", "ic")
ENDING_STARTED = 4
ENDING_KEEPS = 3  # letters of the typed word an ending leaves at least


def osa_distance(a: str, b: str, limit: int = 3) -> int:
    """Edits between two words (insert, delete, replace, swap two neighbours), at most
    `limit` (a larger distance is reported as `limit`)."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) >= limit:
            return limit
        previous2, previous = previous, row
    return min(previous[-1], limit)


def swaps(word: str) -> list[str]:
    """The word with two neighbouring letters swapped, each way."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)
            if word[i] != word[i + 1]]


def with_endings(typed: str) -> set[str]:
    """The words a word being typed may become with one of the common ENDINGS, keeping at
    least ENDING_KEEPS of its letters ("factuali": factuality, factualities...)."""
    return {typed[:at] + ending
            for at in range(max(ENDING_KEEPS, len(typed) - ENDING_STARTED), len(typed) + 1)
            for ending in ENDINGS
            if len(ending) > len(typed) - at and ending.startswith(typed[at:])}


class WrittenWord:
    """A mixin for a query of a stemmed field (before its Whoosh class) that also knows the
    word as typed (`written`: lowercased, accents folded), to find the stems of the title
    words written like it (`SPELLING_FIELD`)."""

    written: str | None = None

    def __eq__(self, other):
        return super().__eq__(other) and self.written == other.written

    def __hash__(self):
        return super().__hash__() ^ hash(self.written)

    def __repr__(self):
        return f"{super().__repr__()[:-1]}, written={self.written!r})"

    def stems(self, words, schema) -> set[bytes]:
        """The terms the field's analyser makes of written words (stop words make none)."""
        analyzer = schema[self.fieldname].analyzer
        return {token.text.encode("utf-8") for word in words
                for token in analyzer(word, mode="query")}


class DamerauFuzzyTerm(WrittenWord, internals.IndexTermsQuery, wq.FuzzyTerm):
    """A fuzzy term whose swapped neighbours count as one edit.

    In a stemmed field, `written` is the word as typed (lowercased, accents folded): the
    term then also stands for the stems of the words written in titles (`SPELLING_FIELD`)
    within its edits of it. A typo often changes the stem: "provign" stays "provign", three
    edits from "prove", the stem of "proving", one swap from what was typed."""

    def __init__(self, fieldname, text, boost=1.0, maxdist=1, prefixlength=1,
                 constantscore=True, written: str | None = None):
        super().__init__(fieldname, text, boost, maxdist, prefixlength, constantscore)
        self.written = written

    def index_terms(self, ixreader):
        field, text, maxdist = self.fieldname, self.text, self.maxdist
        found = {t.encode("utf-8") if isinstance(t, str) else t
                 for t in ixreader.terms_within(field, text, maxdist, prefix=self.prefixlength)}
        found.update(swapped.encode("utf-8") for swapped in self.swapped_forms()
                     if (field, swapped) in ixreader)
        if self.written:
            spelled = set(ixreader.terms_within(SPELLING_FIELD, self.written, maxdist,
                                                prefix=self.prefixlength))
            spelled.update(w for w in self.swapped_forms(self.written)
                           if (SPELLING_FIELD, w) in ixreader)
            found.update(t for t in self.stems(spelled, ixreader.schema)
                         if (field, t) in ixreader)
        return sorted(found)

    def swapped_forms(self, word: str | None = None) -> list[str]:
        """The words one swap away from the term (or `word`) that Whoosh's automaton does
        not find (within two edits it finds them anyway), keeping the first `prefixlength`
        letters."""
        word = self.text if word is None else word
        if self.maxdist != 1:
            return []
        keep = word[:self.prefixlength]
        return [swapped for swapped in swaps(word) if swapped.startswith(keep)]

class TypedPrefix(WrittenWord, internals.IndexTermsQuery, wq.Prefix):
    """The word being typed: the most frequent words starting with it, fewer for a short
    start (`TYPED_PREFIX_TERMS` from five letters on); past `flat_above` postings the fast
    search finds its papers without scoring them.

    In a stemmed field, `written` is the word as typed: the prefix then also stands for the
    stems of the most frequent title words starting with it (a stem can be shorter than the
    start: "factuali" is the start of "factuality", indexed as "factual"), or where neither
    finds a word, for the stems of what it may become with a common ending
    (`with_endings`)."""

    flat_above = TYPED_SCORED_POSTINGS

    def __init__(self, fieldname, text, boost=1.0, written: str | None = None):
        super().__init__(fieldname, text, boost)
        self.written = written

    @property
    def limit(self) -> int:
        return TYPED_PREFIX_TERMS >> max(0, 5 - len(self.text))

    def index_terms(self, ixreader):
        field = self.fieldname
        texts = list(ixreader.expand_prefix(field, self.text))
        if len(texts) > self.limit:
            texts = sorted(texts, key=lambda t: -ixreader.doc_frequency(field, t))[:self.limit]
        if self.written:
            spelled = sorted(ixreader.expand_prefix(SPELLING_FIELD, self.written),
                             key=lambda t: -ixreader.doc_frequency(SPELLING_FIELD, t))
            texts += self.written_terms([w.decode("utf-8") for w in spelled[:self.limit]],
                                        bool(texts), ixreader.schema,
                                        lambda t: (field, t) in ixreader)
        return texts

    def written_terms(self, spelled: list[str], found: bool, schema, held) -> list[bytes]:
        """The field's terms (`held`: whether the field holds one) that are stems of the
        `spelled` title words starting with the word as typed, or where neither they nor
        the prefix (`found`) give one, stems of the typed word with an ending; those the
        prefix finds left out."""
        start = self.text.encode("utf-8")

        def new_stems(words) -> list[bytes]:
            return [t for t in sorted(self.stems(words, schema))
                    if not t.startswith(start) and held(t)]
        return new_stems(spelled) or ([] if found else new_stems(with_endings(self.written)))
