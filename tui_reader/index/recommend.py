"""Papers like a set of liked papers ("For you", similar papers): a profile of weighted terms
made from the liked papers' text, searched as one BM25 query over titles and abstracts.

Two ways to make the profile (benchmarks/recommend.py measures both on the 74,728-paper
corpus; the better one, "centroid", serves):

* "key_terms": Whoosh's Bo1 key terms of the liked papers' text run together (what the
  similar-papers pane used): a long abstract outweighs a short one, and words frequent in the
  collection but repeated in one paper win;
* "centroid": a Rocchio centroid of the liked papers' tf-idf vectors, each vector of unit
  length (every liked paper counts the same), its heaviest terms as the query.

Each recommendation says why: the profile terms it shares (the heaviest two or three, as the
liked papers wrote them) and the liked paper whose vector it is closest to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import log, sqrt

from whoosh import query

from .schema import analyzers, fast_analyses

RANKER = "centroid"  # the winner of benchmarks/recommend.py
PROFILE_TERMS = 40  # terms of the profile query of several liked papers
SIMILAR_TERMS = 25  # ... of one paper (the similar-papers pane)
WHY_TERMS = 3  # shared terms a recommendation shows
CATEGORY_COUNT = 3  # a paper's arXiv category weighs as a word it wrote this many times
QUERY_FIELDS = ("title", "abstract")


@dataclass
class Liked:
    """A liked paper: its id, title, text (title and abstract) and arXiv categories."""

    id: str
    title: str
    text: str
    categories: tuple[str, ...] = ()


CATEGORY = "category:"  # a profile term that is a category (field `category`), not a word


@dataclass
class Profile:
    """What the liked papers are about: weighted terms (index terms of the abstract field, or
    CATEGORY + a category), each liked paper's tf-idf vector, and a readable word for each
    term."""

    terms: list[tuple[str, float]]
    vectors: dict[str, dict[str, float]] = field(default_factory=dict)  # liked id -> vector
    words: dict[str, str] = field(default_factory=dict)  # term -> a word the papers wrote

    def query(self) -> query.Query:
        """The profile as one query over titles, abstracts (and categories), each term
        boosted by its weight."""
        return query.Or([
            query.Term("category", term[len(CATEGORY):], boost=weight)
            if term.startswith(CATEGORY) else query.Term(f, term, boost=weight)
            for term, weight in self.terms
            for f in (("category",) if term.startswith(CATEGORY) else QUERY_FIELDS)])


@dataclass
class Reason:
    """Why a paper is recommended: the profile words it shares (heaviest first, as written)
    and the id of the liked paper it is closest to."""

    terms: list[str]
    like: str | None


def terms_of(text: str, categories: Iterable[str] = (), category_count: int = 1) -> Counter:
    """The index terms of a text (abstract analysis: stemmed, stop words out) with their
    counts, and its categories as CATEGORY terms (counted `category_count` times each)."""
    fast = fast_analyses().get("abstract")
    if fast is not None:
        counts = Counter(fast.words(text)[0])
    else:
        counts = Counter(t.text for t in analyzers()["abstract"](text, removestops=True))
    for c in categories:
        counts[CATEGORY + c.lower()] = category_count
    return counts


def written(texts: Iterable[str], terms: set[str]) -> dict[str, str]:
    """A word the texts wrote for each of these terms (its first occurrence, lowercased)."""
    analyzer = analyzers()["abstract"]
    words: dict[str, str] = {}
    for text in texts:
        for token in analyzer(text, chars=True, removestops=True):
            if token.text in terms and token.text not in words:
                words[token.text] = text[token.startchar:token.endchar].lower()
        if len(words) == len(terms):
            break
    return words


def tfidf(counts: Counter, doc_frequency, documents: int) -> dict[str, float]:
    """A unit-length tf-idf vector of term counts: (1 + log tf) * log(N / df), terms the
    collection does not have left out."""
    vector = {}
    for term, count in counts.items():
        df = doc_frequency(term)
        if df:
            vector[term] = (1 + log(count)) * log((documents + 1) / df)
    norm = sqrt(sum(w * w for w in vector.values())) or 1.0
    return {t: w / norm for t, w in vector.items()}


def centroid_profile(liked: list[Liked], doc_frequency, documents: int,
                     number: int = PROFILE_TERMS,
                     category_count: int = CATEGORY_COUNT) -> Profile:
    """The Rocchio centroid of the liked papers' tf-idf vectors, its `number` heaviest terms
    (`doc_frequency(term)`: of a CATEGORY term too; a category counts as a word written
    `category_count` times)."""
    vectors, total = {}, Counter()
    for paper in liked:
        vectors[paper.id] = tfidf(terms_of(paper.text, paper.categories, category_count),
                                  doc_frequency, documents)
        total.update(vectors[paper.id])
    top = total.most_common(number)
    heaviest = top[0][1] if top else 1.0
    words = {t for t, _ in top if not t.startswith(CATEGORY)}
    return Profile([(t, w / heaviest) for t, w in top], vectors,
                   written((p.text for p in liked), words))


def key_terms_profile(liked: list[Liked], key_terms, doc_frequency, documents: int,
                      number: int = PROFILE_TERMS) -> Profile:
    """The Bo1 key terms of the liked papers' text run together (`key_terms(text, number)`)."""
    text = "\n".join(p.text for p in liked)
    profile = centroid_profile(liked, doc_frequency, documents, number)
    profile.terms = list(key_terms(text, number))
    profile.words = written((p.text for p in liked), {t for t, _ in profile.terms})
    return profile


def reason(profile: Profile, text: str) -> Reason:
    """Why a paper of this text matches the profile."""
    counts = terms_of(text)
    weights = dict(profile.terms)
    shared = sorted((t for t in counts if t in weights and t in profile.words),
                    key=lambda t: (-weights[t], t))

    def closeness(liked_id: str) -> float:
        vector = profile.vectors[liked_id]
        return sum(vector[t] for t in counts.keys() & vector.keys())

    like = max(profile.vectors, default=None, key=closeness)
    return Reason([profile.words.get(t, t) for t in shared[:WHY_TERMS]], like)


def rank(searcher, fast, liked: list[Liked], excluded: set[str], limit: int, *,
         number: int = PROFILE_TERMS, ranker: str = RANKER,
         category_count: int = CATEGORY_COUNT) -> tuple[Profile, list[tuple[str, float]]]:
    """The profile of the liked papers (`ranker`: "centroid" or "key_terms") and the (id,
    score) of the `limit` papers of `searcher` that match it best, `excluded` ids left out;
    `fast`: its FastSearch (None: Whoosh's own search)."""
    documents = searcher.doc_count()

    def doc_frequency(term: str) -> int:
        where, text = (("category", term[len(CATEGORY):]) if term.startswith(CATEGORY)
                       else ("abstract", term))
        if fast is not None:
            return fast.doc_frequency(where, text)
        return searcher.doc_frequency(where, text)

    if ranker == "key_terms":
        def key_terms(text: str, count: int) -> list[tuple[str, float]]:
            found = fast.key_terms("abstract", text, count) if fast is not None else None
            return found if found is not None else searcher.key_terms_from_text(
                "abstract", text, numterms=count)
        profile = key_terms_profile(liked, key_terms, doc_frequency, documents, number)
    else:
        profile = centroid_profile(liked, doc_frequency, documents, number, category_count)
    if not profile.terms or limit <= 0:
        return profile, []
    q, wanted = profile.query(), limit + len(excluded)
    page = fast.page(q, "relevance", 0, wanted) if fast is not None else None
    if page is not None:
        ranked = ((searcher.stored_fields(d)["id"], score) for d, score in page[1])
    else:
        ranked = ((hit["id"], hit.score) for hit in searcher.search(q, limit=wanted, terms=False))
    scores: dict[str, float] = {}
    for paper_id, score in ranked:
        if paper_id not in excluded and paper_id not in scores:
            scores[paper_id] = score
            if len(scores) >= limit:
                break
    return profile, list(scores.items())
