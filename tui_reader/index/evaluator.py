"""Evaluating parsed queries on the index's current searcher: pages in each sort, document
sets and masks, term expansions (the fast evaluator where it knows the query, Whoosh's
matchers otherwise), and what a search returns (`Found`, `Match`)."""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import TYPE_CHECKING

from whoosh import query, sorting

from ..models import SORTS, one_for_each
from . import whoosh_internals as internals

if TYPE_CHECKING:
    from .paper_index import PaperIndex

# Each sort: the fast path's order, and Whoosh's (None: by score)
_SORT_ORDERS = one_for_each(SORTS, {
    "relevance": ("relevance", None),
    "date": ("-date", sorting.FieldFacet("date", reverse=True)),
    "upvotes": ("-upvotes", sorting.FieldFacet("upvotes", reverse=True)),
    "title": ("title_sort", sorting.FieldFacet("title_sort")),
    # the papers of `rising` first (the store's order, Evaluator), then by upvotes
    "rising": ("-upvotes", sorting.FieldFacet("upvotes", reverse=True)),
})


@dataclass
class Match:
    """A paper id found by a query, with its score."""

    id: str
    score: float | None


@dataclass
class Found:
    """A page of what a query found, and how: corrected, or partial matches."""

    total: int
    matches: list[Match]
    terms: dict[str, set[str]] = dataclass_field(default_factory=dict)  # matched, by field
    corrected: str | None = None  # nothing matched the query as typed: results of this text
    partial: int = 0  # no paper has all the words: these have this many of them
    words: int = 0  # of this many


class Evaluator:
    """Pages, document sets and term expansions of queries on the current searcher: the
    fast evaluator where it knows the query, Whoosh's matchers otherwise."""

    def __init__(self, paper_index: "PaperIndex", rising: list[str] = ()):
        self.searcher = paper_index.searcher()
        self.reader = self.searcher.reader()
        self.fast = paper_index._fast(self.searcher)
        # the documents of the papers `rising` names, the fastest rising first (sort "rising")
        self.rising = paper_index.documents_of(self.searcher, rising) if rising else []

    def page(self, q: query.Query, sort: str, offset: int, limit: int,
             within: set[int] | None = None) -> tuple[int, list[Match]]:
        if sort == "rising" and self.rising:
            return self._rising_page(q, offset, limit, within)
        s = self.searcher
        q = q.normalize()
        fast_order, sortedby = _SORT_ORDERS[sort]
        if self.fast is not None:
            page = self.fast.page(q, fast_order, offset, limit, within=within)
            if page is not None:
                total, hits = page
                return total, [Match(s.stored_fields(d)["id"], score) for d, score in hits]
        results = s.search(q, limit=offset + limit, sortedby=sortedby, terms=False,
                           scored=sort == "relevance", filter=within)
        return len(results), [Match(hit["id"], hit.score if sort == "relevance" else None)
                              for hit in results[offset:offset + limit]]

    def _rising_page(self, q: query.Query, offset: int, limit: int,
                     within: set[int] | None) -> tuple[int, list[Match]]:
        """A page in the order of `rising`: its papers that match first, then the others
        by upvotes."""
        docs = self.docs(q)
        if within is not None:
            docs &= within
        s = self.searcher
        lead = [d for d in self.rising if d in docs]
        shown = [Match(s.stored_fields(d)["id"], None) for d in lead[offset:offset + limit]]
        rest = limit - len(shown)
        if rest > 0 and len(docs) > len(lead):
            _, more = self.page(q, "upvotes", max(0, offset - len(lead)), rest,
                                within=docs - set(lead))
            shown += more
        return len(docs), shown

    def docs(self, q: query.Query) -> set[int]:
        q = q.normalize()
        found = self.fast.docs(q) if self.fast is not None else None
        if found is None:
            found = set(self.searcher.docs_for_query(q))
        return found

    def mask(self, q: query.Query, within: set[int] | None = None):
        """The documents `q` matches (only those `within`, when given), as a numpy mask over
        all documents."""
        import numpy as np

        q = q.normalize()
        found = self.fast.mask(q) if self.fast is not None else None
        if found is None:
            found = np.zeros(self.searcher.doc_count_all(), dtype=bool)
            docs = self.docs(q)
            found[np.fromiter(docs, np.int64, len(docs))] = True
        if within is not None:
            kept = np.zeros_like(found)
            kept[np.fromiter(within, np.int64, len(within))] = True
            found &= kept
        return found

    def expand(self, q: query.Query) -> list:
        """The index terms a multi-term query stands for."""
        found = self.fast.expand(q) if self.fast is not None else None
        if found is None:
            found = sorted({t for sub, _ in _leaves(self.searcher)
                            for t in internals.query_terms(q, sub.reader())})
        return found


def _leaves(searcher) -> list:
    return [(searcher, 0)] if searcher.is_atomic() else list(searcher.leaf_searchers())
