"""The query language: any text a person types or pastes, made a Whoosh query.

Plain words must all match, each in any field; stop words, punctuation, apostrophes and a
`word:` that is not a field name are text, never errors, and accents fold. For those who want
it: fields (`author:hinton`), "phrases", prefix* and wild?cards, fuzzy~ words, ranges
(`year:2023..2025`, `upvotes:>10`), AND, OR, NOT, `-word`, parentheses (README, "Searching").
A query of plain words also says how to rank: the paper whose title it is first, then papers
with the words in a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dataclass_field

from whoosh import query as wq
from whoosh.support.charset import accent_map

from ..models import paper_id, tag_name
from .schema import (FIELD_ALIASES, FIELD_BOOSTS, NUMERIC_FIELDS, STEMMED_FIELDS, TEXT_FIELDS,
                     analyzers, has_positions, schema)
from .expansions import SPELLING_FIELD, DamerauFuzzyTerm, TypedPrefix
from .query_ranges import QueryError, numeric, term_range

MAX_QUERY_CHARS = 1000  # longer queries take seconds to parse: a clear message instead
MAX_FUZZY_EDITS = 2  # word~N: larger N build huge automata (seconds) and match nearly anything
MAX_FUZZY_CHARS = 40  # longer words are matched exactly (their automata take a second each)
FUZZY_PREFIX = 1  # word~ keeps its first letter: fifteen times faster, as people type it
MIN_PREFIX = 2  # letters a wildcard needs before it (`a*` would expand to a tenth of all words)
PREFIX_FIELDS = ("title", "abstract", "author", "org", "note")  # where word* looks
TYPED_FIELDS = ("title", "abstract", "author")  # where the word being typed is a prefix
TYPED_MIN = 3  # letters of the word being typed before it counts
STEM_CUT_MIN = 3  # letters a start cut to its stem keeps (_stemmed_start)
# letters of the word being typed from which the stems of the title words it starts count:
# a shorter start stands for so many words that walking them costs more than their stems add
TYPED_WRITTEN_FROM = 5
PHRASE_FIELDS = ("title", "abstract", "author", "org", "note")  # where "a phrase" looks
# Ranking of plain words: the words in a row in the title, in the abstract (a bonus for each
# word, about what a word found in a title scores); the exact title above all.
TITLE_PHRASE_BOOST = 20.0
ABSTRACT_PHRASE_BOOST = 20.0
ABSTRACT_PHRASE_WORDS = 3
EXACT_TITLE_BOOST = 100.0
# A word that is a paper's first author's name (papers are cited "Vaswani et al."): about
# what a word found in a title scores, so the person's own papers with the other words lead.
FIRST_AUTHOR_BOOST = 15.0

_ALIASES = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}
EXACT_FIELDS = ("id", "arxiv", "tag")  # a word is one term, as written (id and tag: lowercased)
KNOWN_FIELDS = set(TEXT_FIELDS) | set(NUMERIC_FIELDS) | set(EXACT_FIELDS) | set(_ALIASES)
_TOO_FUZZY = (f"fuzzy search allows at most {MAX_FUZZY_EDITS} edits: word~1 or"
              f" word~{MAX_FUZZY_EDITS}")
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<phrase>"(?P<ptext>[^"]*)(?:"|$)(?:~(?P<slop>\d+))?)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<field>[A-Za-z_]+):(?=[^\s:])
  | (?P<neg>-(?=[^\s\-]))
  | (?P<word>[^\s"()]+)
""", re.VERBOSE)
_RANGE = re.compile(r"([\[{])\s*(\S*?)\s+TO\s+(\S*?)\s*([\]}])", re.IGNORECASE)
_EDGE_PUNCTUATION = ".,;:!?'\"`´‘’“”«»[]{}<>|&=+/\\"
_BOOST = re.compile(r"\^(\d+(?:\.\d+)?)$")
_FUZZY = re.compile(r"~(\d*)(?:/(\d+))?$")
_ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$",
                       re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Word:
    """A plain word at the top level of a query: what corrections and partial matches use."""

    text: str  # as typed, without edge punctuation
    query: wq.Query
    prefix: bool = False  # the word being typed (matched as a prefix)
    span: tuple[int, int] | None = None  # where the query's text holds it (punctuation and all)


@dataclass
class ParsedQuery:
    """A query: what a paper must match, and (for plain words) how to rank and repair it."""

    text: str
    query: wq.Query
    words: list[Word] = dataclass_field(default_factory=list)  # plain words, in order
    negations: list[wq.Query] = dataclass_field(default_factory=list)
    plain: bool = False  # only plain words and negations: ranking by the words
    # the rest of the top level, kept as is when the words are corrected: fields, ranges,
    # "phrases", groups, word~ and word*
    filters: list[wq.Query] = dataclass_field(default_factory=list)

    def correctable(self) -> bool:
        """Whether the query has plain words (beside any filters) that a correction or
        partial matches can work on."""
        return any(w.query is not None for w in self.words)

    def with_words_text(self, words: list[Word]) -> str:
        """The query's text with these words in place of its words (the rest as written)."""
        text = self.text
        for typed, fix in sorted(zip(self.words, words), reverse=True,
                                 key=lambda pair: pair[0].span or (-1, -1)):
            if fix is typed:
                continue
            start, end = typed.span or (0, len(text))
            text = text[:start] + text[start:end].replace(typed.text, fix.text, 1) + text[end:]
        return text

    def ranked(self) -> wq.Query:
        """The query with what ranks a paper higher among its matches (plain words only)."""
        if not self.plain:
            return self.query
        tokens = [t for w in self.words if not w.prefix for t in title_tokens(w.text)]
        boosts: list[wq.Query] = [wq.Term("id", paper_id(self.text), boost=EXACT_TITLE_BOOST)]
        if len(tokens) >= 2:
            boosts.append(wq.ConstantScoreQuery(wq.Phrase("title", tokens),
                                                score=TITLE_PHRASE_BOOST * len(tokens)))
        if len(tokens) >= ABSTRACT_PHRASE_WORDS:  # two words in a row: in most abstracts
            boosts.append(wq.ConstantScoreQuery(wq.Phrase("abstract", tokens),
                                                score=ABSTRACT_PHRASE_BOOST * len(tokens)))
        names = {t for w in self.words if not w.prefix for t in analyse("author", w.text)}
        boosts += [wq.ConstantScoreQuery(wq.Term("first_author", name), score=FIRST_AUTHOR_BOOST)
                   for name in sorted(names)]
        return wq.AndMaybe(self.query, wq.Or(boosts))

    def with_words(self, words: list[Word]) -> wq.Query:
        """What a paper must match with these words in place of the query's."""
        return _all_of([w.query for w in words] + self.filters
                       + [wq.Not(n) for n in self.negations])


def parse(text: str, *, typing: bool = False) -> ParsedQuery:
    """Parse what a person typed. `typing`: the last word, not yet followed by a space, is
    being typed and matches as a prefix. Raises QueryError only for the query language used
    wrongly (an unknown number, too much fuzziness, a query too long)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters; at most"
                         f" {MAX_QUERY_CHARS})")
    text = _SURROGATE.sub("\ufffd", text)
    tokens = _tokens(text)
    if typing and tokens and not text[-1:].isspace() and tokens[-1][0] == "word" \
            and tokens[-1][2] is None:
        tokens[-1] = ("typing", *tokens[-1][1:])
    node = _Parser(tokens).parse()
    plain, words, negations, filters = _top_parts(node)
    compiled = _compile(node, None)
    if isinstance(compiled, wq.Not):  # `-word` alone: every paper but those (Whoosh's Not
        compiled = _all_of([compiled])  # alone would count deleted documents too)
    if compiled is None and len(tokens) == 1 and tokens[0][0] == "typing":
        compiled = wq.Every()  # the first letter typed: every paper, until there are two
    if compiled is None and words:  # only stop words: they are searched as written
        compiled = _all_of([_as_written(w.text) for w in words])
    if compiled is None:
        compiled = wq.NullQuery
    return ParsedQuery(text=text, query=compiled, words=words, negations=negations,
                       plain=plain and any(w.query is not None for w in words),
                       filters=filters)


def too_short_to_search(text: str) -> bool:
    """Whether text being typed is one word still too short to search by (`c`, `ne`):
    until it has TYPED_MIN letters every paper matches."""
    words = text.split()
    return len(words) == 1 and not text[-1:].isspace() and len(words[0]) < TYPED_MIN \
        and words[0].isalnum()


def typed_as_written(text: str) -> bool:
    """Whether `text` searched as it is typed (its last word a prefix) is the search of
    `text` as written: the text ends with a space, or its last word is a phrase, a field's
    value... (an unusable query: the same error either way)."""
    if not text.strip():
        return True
    if too_short_to_search(text):
        return False  # as typed: every paper
    try:
        return parse(text, typing=True).query == parse(text).query
    except QueryError:
        return True


# -- tokens and the tree -----------------------------------------------------------------
def _tokens(text: str) -> list[tuple]:
    """(kind, value, field) tuples: word, phrase, range, open, close, op; a word's has its
    span in `text` too."""
    out: list[tuple] = []
    pos, field = 0, None
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        pos = m.end()
        kind = m.lastgroup
        if kind == "space":
            field = None
            continue
        if kind == "field":
            name = m.group("field").lower()
            if name in KNOWN_FIELDS:
                field = _ALIASES.get(name, name)
                if text[pos] in "[{":
                    r = _RANGE.match(text, pos)
                    if r:
                        out.append(("range", r.groups(), field))
                        pos, field = r.end(), None
                continue
            out.append(("word", m.group("field"), None, m.span("field")))  # not a field
            continue
        if kind == "phrase":
            out.append(("phrase", (m.group("ptext"), m.group("slop")), field))
        elif kind == "open":
            out.append(("open", None, field))
        elif kind == "close":
            out.append(("close", None, None))
        elif kind == "neg":
            out.append(("op", "NOT", None))
        elif m.group(0) in ("AND", "OR", "NOT", "&&", "||") and field is None:
            out.append(("op", {"&&": "AND", "||": "OR"}.get(m.group(0), m.group(0)), None))
        else:
            word = m.group(0).lstrip("+")
            if word:
                out.append(("word", word, field, m.span()))
        field = None
    return out


class _Parser:
    """OR of ANDs of (NOT) items; forgiving: stray operators and parentheses are ignored."""

    def __init__(self, tokens: list[tuple]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> tuple | None:
        parts = []
        while self.peek() is not None:
            parts.append(self.parse_or(None))
            if self.peek() is not None:  # a stray ")"
                self.pos += 1
        return _node("and", parts)

    def parse_or(self, field: str | None) -> tuple | None:
        parts = [self.parse_and(field)]
        while (t := self.peek()) is not None and t[:2] == ("op", "OR"):
            self.pos += 1
            parts.append(self.parse_and(field))
        return _node("or", parts)

    def parse_and(self, field: str | None) -> tuple | None:
        parts = []
        while (t := self.peek()) is not None and t[0] != "close" and t[:2] != ("op", "OR"):
            if t[:2] == ("op", "AND"):
                self.pos += 1
                continue
            parts.append(self.parse_not(field))
        return _node("and", parts)

    def parse_not(self, field: str | None) -> tuple | None:
        t = self.peek()
        if t is not None and t[:2] == ("op", "NOT"):
            self.pos += 1
            nxt = self.peek()
            if nxt is None or nxt[0] == "close" or nxt[:2] in (("op", "OR"), ("op", "AND")):
                return None
            inner = self.parse_not(field)
            return ("not", inner) if inner is not None else None
        self.pos += 1
        kind, value, own = t[:3]
        if kind == "open":
            inner = self.parse_or(own or field)
            if (t := self.peek()) is not None and t[0] == "close":
                self.pos += 1
            return inner
        if kind in ("word", "typing", "phrase", "range"):
            return (kind, value, own or field, *t[3:])
        return None  # an operator where an operand belongs


def _node(kind: str, parts: list) -> tuple | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else (kind, parts)


def _top_parts(node) -> tuple[bool, list[Word], list[wq.Query], list[wq.Query]]:
    """The parts of the query's top level: whether it is plain words (and negations) only;
    its plain words, its negations and the rest (its filters)."""
    items = node[1] if node is not None and node[0] == "and" else [node] if node else []
    words, negations, filters, plain = [], [], [], True
    for item in items:
        if item[0] in ("word", "typing") and item[2] is None and _is_plain(item[1]):
            q = _compile(item, None)
            if q is not None or not title_tokens(_clean(item[1])):
                words.append(Word(text=_clean(item[1]), query=q, prefix=item[0] == "typing",
                                  span=item[3] if len(item) > 3 else None))
            continue
        if item[0] == "not":
            q = _compile(item[1], None)
            if q is not None:
                negations.append(q)
            continue
        plain = False
        q = _compile(item, None)
        if q is not None:
            filters.append(q)
    words = [w for w in words if w.query is not None] or words
    return plain, words, negations, filters


def _is_plain(word: str) -> bool:
    word = _clean(word)
    return not (_BOOST.search(word) or _FUZZY.search(word) or "*" in word or "?" in word)


# -- compiling ---------------------------------------------------------------------------
def _compile(node, field: str | None) -> wq.Query | None:
    if node is None:
        return None
    kind = node[0]
    if kind in ("and", "or"):
        parts = [_compile(p, field) for p in node[1]]
        parts = [p for p in parts if p is not None]
        if kind == "or":
            return None if not parts else parts[0] if len(parts) == 1 else wq.Or(parts)
        return _all_of(parts)
    if kind == "not":
        inner = _compile(node[1], field)
        return wq.Not(inner) if inner is not None else None
    value, own = node[1], node[2] or field
    if kind == "range":
        return term_range(own, *value)
    if kind == "phrase":
        return _phrase(value[0], int(value[1]) if value[1] else 1, own)
    return _word(value, own, typing=kind == "typing")


def _all_of(parts: list[wq.Query]) -> wq.Query | None:
    """An AND of the parts; negations alone are subtracted from all papers."""
    parts = [p for p in parts if p is not None]
    if len(parts) > 1:  # `graph *`: every paper with graph (Whoosh would make it every paper)
        parts = [p for p in parts if not isinstance(p, wq.Every)] or parts[:1]
    if not parts:
        return None
    if all(isinstance(p, wq.Not) for p in parts):
        return wq.AndNot(wq.Every(), wq.Or([p.query for p in parts]))
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _clean(word: str) -> str:
    """A word without the punctuation around it: a `?` at either end is punctuation, inside
    a word a wildcard; `*` and `~` stay (syntax)."""
    return word.strip(_EDGE_PUNCTUATION)


def analyse(field: str, text: str) -> list[str]:
    """The terms a field's analyser makes of `text` (stop words removed)."""
    if field == "category":
        return [t.text for t in schema()["category"].analyzer(text.strip(_EDGE_PUNCTUATION))]
    analyzer = analyzers().get(field) or schema()[field].analyzer  # (spell: not a text field)
    return [t.text for t in analyzer(text, mode="query")]


def title_tokens(text: str) -> list[str]:
    """The terms of `text` in the title (and abstract): lowercased, folded, stemmed."""
    return analyse("title", text)


def _field_query(field: str, terms: list[str]) -> wq.Query | None:
    boost = FIELD_BOOSTS.get(field, 1.0)
    if not terms:
        return None
    if len(terms) == 1:
        return wq.Term(field, terms[0], boost=boost)
    if has_positions(field):
        return wq.Phrase(field, terms, boost=boost)
    return wq.And([wq.Term(field, t) for t in terms], boost=boost)


def _word(raw: str, field: str | None, *, typing: bool = False) -> wq.Query | None:
    if field in NUMERIC_FIELDS:
        return numeric(field, raw.strip(".,;:!?'\""))
    word = _clean(raw)
    if not word:
        return None
    boost = 1.0
    m = _BOOST.search(word)
    if m:
        boost, word = float(m.group(1)), word[:m.start()]
    m = _FUZZY.search(word)
    if m:
        return _fuzzy(word[:m.start()], m.group(1), m.group(2), field, boost)
    if "*" in word or "?" in word:
        return _wildcard(word, field, boost)
    if field in EXACT_FIELDS:
        term = {"id": word.lower(), "tag": tag_name(word)}.get(field, word)
        return wq.Term(field, term, boost=boost) if term else None
    fields = (field,) if field else TEXT_FIELDS
    if field is None and not title_tokens(word):
        return None  # a stop word, or a letter: never a reason to find nothing
    if typing and len(word) < TYPED_MIN:
        return None  # "neural de": the papers of "neural" until the word says more
    parts = [q for f in fields if (q := _field_query(f, analyse(f, word))) is not None]
    if field is None:
        arxiv = _ARXIV_ID.match(word)
        if arxiv:
            parts.append(wq.Term("arxiv", arxiv.group(1), boost=EXACT_TITLE_BOOST))
    if typing:
        parts.extend(_typed_prefixes(word))
    if not parts:
        return None
    q = parts[0] if len(parts) == 1 else wq.Or(parts)
    if boost != 1.0:
        q = q.copy()
        q.boost = boost
    return q


def _typed_prefixes(word: str) -> list[wq.Query]:
    """A word being typed: the words starting with it (with its stem, so "transforme"
    still finds "transformers", indexed as "transform"), in titles and abstracts also the
    stems of the title words written starting with it (TypedPrefix)."""
    low = analyse("author", word)
    if len(low) != 1 or len(low[0]) < MIN_PREFIX:
        return []
    start = _stemmed_start(low[0])
    written = low[0] if len(low[0]) >= TYPED_WRITTEN_FROM \
        and analyse(SPELLING_FIELD, word) == low else None  # (letters only)
    return [TypedPrefix(f, start, boost=FIELD_BOOSTS[f], written=written)
            if f in STEMMED_FIELDS else TypedPrefix(f, low[0], boost=FIELD_BOOSTS[f])
            for f in TYPED_FIELDS]


def _stemmed_start(start: str) -> str:
    """The start of a word as the stemmed fields hold it: `start` cut to what it shares with
    its stem ("reasoning" is indexed as "reason", "transformer" as "transform"), when that
    keeps STEM_CUT_MIN letters ("cos" is not cut to "co", the stem of "cos": the start of
    "cosine" would stand for a third of a big collection's words)."""
    stem = title_tokens(start)
    if not stem:
        return start
    n = 0
    while n < min(len(start), len(stem[0])) and start[n] == stem[0][n]:
        n += 1
    return start[:n] if n >= STEM_CUT_MIN else start


def _as_written(word: str) -> wq.Query | None:
    """A stop word searched as written: in title words, authors and organisations."""
    low = analyse("author", word)
    if len(low) != 1 or len(low[0]) < 3:
        return None
    return wq.Or([wq.Term("spell", low[0]), wq.Term("author", low[0]), wq.Term("org", low[0])])


def _phrase(text: str, slop: int, field: str | None) -> wq.Query | None:
    fields = (field,) if field else PHRASE_FIELDS
    parts = []
    for f in fields:
        if f in NUMERIC_FIELDS or f in EXACT_FIELDS:
            return _word(text, f)
        terms = analyse(f, text)
        q = _field_query(f, terms)
        if isinstance(q, wq.Phrase) and slop != 1:
            q.slop = min(slop, 100)
        if q is not None:
            parts.append(q)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _fuzzy(word: str, edits: str, prefix: str | None, field: str | None,
           boost: float) -> wq.Query | None:
    maxdist = int(edits) if edits else 1
    if maxdist > MAX_FUZZY_EDITS:
        raise QueryError(_TOO_FUZZY)
    fields = (field,) if field in TEXT_FIELDS else PREFIX_FIELDS
    parts = []
    for f in fields:
        terms = analyse(f, word) if f != "category" else [word.lower()]
        if len(terms) != 1:
            continue
        term = terms[0]
        if len(term) > MAX_FUZZY_CHARS or maxdist == 0:
            parts.append(wq.Term(f, term, boost=boost))
            continue
        length = FUZZY_PREFIX if prefix is None else min(int(prefix), len(term))
        written = analyse(SPELLING_FIELD, word) if f in STEMMED_FIELDS else []
        parts.append(DamerauFuzzyTerm(f, term, boost=boost, maxdist=maxdist,
                                      prefixlength=length,
                                      written=written[0] if len(written) == 1 else None))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _wildcard(word: str, field: str | None, boost: float) -> wq.Query | None:
    literal = word.replace("*", "").replace("?", "")
    if not literal:
        return wq.Every()
    pattern = word.lower()
    if field in EXACT_FIELDS:
        fields: tuple = (field,)
    else:
        fields = (field,) if field else PREFIX_FIELDS
        pattern = pattern.translate(accent_map)
    head = re.match(r"[^*?]*", pattern).group(0)
    if len(head) < MIN_PREFIX:
        raise QueryError(f"a wildcard needs at least {MIN_PREFIX} letters before it"
                         f" ({word!r}); `*` alone finds every paper")
    if pattern.endswith("*") and "*" not in pattern[:-1] and "?" not in pattern:
        stemmed = _stemmed_start(head)  # titles and abstracts hold stems: `reasoning*`
        parts = [wq.Prefix(f, stemmed if f in ("title", "abstract") else head, boost=boost)
                 for f in fields]
    else:
        parts = [wq.Wildcard(f, pattern, boost=boost) for f in fields]
    return parts[0] if len(parts) == 1 else wq.Or(parts)


__all__ = ["QueryError", "ParsedQuery", "Word", "parse", "analyse", "title_tokens",
           "too_short_to_search", "typed_as_written",
           "MAX_QUERY_CHARS", "KNOWN_FIELDS"]
