"""The schema of the paper index, its analysers, and the document of a paper."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from whoosh import columns, fields
from whoosh.analysis import (CharsetFilter, LowercaseFilter, RegexTokenizer,
                             StemFilter, StopFilter)
from whoosh.support.charset import accent_map

from ..models import Paper

TEXT_FIELDS = ("title", "abstract", "author", "org", "category", "note")
FIELD_BOOSTS = {"title": 3.0, "abstract": 1.0, "author": 1.5, "org": 1.0, "category": 1.0,
                "note": 1.5}
FIELD_ALIASES = {"author": ["authors", "by"], "org": ["organization", "organisation"],
                 "category": ["cat", "categories"], "arxiv": ["arxiv_id"], "tag": ["tags"]}
NUMERIC_FIELDS = ("year", "upvotes", "date")
STEMMED_FIELDS = ("title", "abstract", "note")  # their terms are stems (_text_analyzer)
# The version of what the index holds (analysis, fields): an index on disk of another version
# is rebuilt from the store at start. 2: accents folded ("Tulu" finds "TÜLU"). 3: the first
# author's name in a field of its own (a surname ranks the papers the person wrote first).
# 4: titles and abstracts as read, their LaTeX as text (`\\textit{word}` finds "word").
# 5: the user's tags (tag:x), each paper's facet values in a column (facets.py).
INDEX_FORMAT = "5"
MIN_WORD = 2  # shorter tokens are not indexed in title, abstract and note


def _text_analyzer():
    """Title, abstract, note: words lowercased, accents folded, stop words out, stemmed."""
    return (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter(minsize=MIN_WORD) | StemFilter())


def _names_analyzer():
    """Authors and organisations: every word kept as written (lowercased, accents folded)."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def make_schema() -> fields.Schema:
    """The schema of the paper index."""
    text = _text_analyzer()
    names = _names_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        arxiv=fields.ID,
        title=fields.TEXT(analyzer=text, field_boost=FIELD_BOOSTS["title"]),
        abstract=fields.TEXT(analyzer=text),
        author=fields.TEXT(analyzer=names, field_boost=FIELD_BOOSTS["author"]),
        first_author=fields.TEXT(analyzer=names, phrase=False),  # ranking only
        org=fields.TEXT(analyzer=names),
        category=fields.KEYWORD(lowercase=True, commas=True, scorable=True),
        note=fields.TEXT(analyzer=text, field_boost=FIELD_BOOSTS["note"]),
        tag=fields.KEYWORD(commas=True, scorable=True),  # names as models.tag_name makes them
        year=fields.NUMERIC(int, bits=32),
        date=fields.NUMERIC(int, bits=32, sortable=True),
        upvotes=fields.NUMERIC(int, bits=32, sortable=True),
        title_sort=fields.COLUMN(columns.VarBytesColumn()),  # for sorting only: no terms
        facets=fields.COLUMN(columns.VarBytesColumn()),  # for facets only (facet_value)
        spell=fields.TEXT(analyzer=RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter()
                          | CharsetFilter(accent_map),
                          phrase=False),  # title words as written: corrections, fuzzy words' stems
    )


FIELD_SEPARATOR, VALUE_SEPARATOR = "\x1e", "\x1f"  # control characters: never in a value


def facet_value(paper: Paper, tags: Iterable[str]) -> bytes:
    """The `facets` column of a paper: its id, year, organisation, categories and tags
    (facets.py)."""
    return FIELD_SEPARATOR.join([paper.id, str(paper.published.year) if paper.published else "",
                                 paper.organization or "", VALUE_SEPARATOR.join(paper.categories),
                                 VALUE_SEPARATOR.join(tags)]).encode("utf-8")


def paper_document(paper: Paper, note: str | None, tags: Iterable[str] = ()) -> dict:
    """The Whoosh document of a paper with the user's note and tags (text comes from the
    store, so nothing big is stored): its title and abstract as they are shown (LaTeX as
    text), so that the words found and the spans highlighted are the ones a reader sees."""
    title = paper.readable_title
    tags = list(tags)
    doc = {
        "id": paper.id,
        "title": title,
        "abstract": paper.readable_abstract,
        "author": "; ".join(paper.authors),
        "first_author": paper.authors[0] if paper.authors else "",
        "org": paper.organization or "",
        "category": ",".join(paper.categories),
        "note": note or "",
        "tag": ",".join(tags),
        "date": int(paper.published.strftime("%Y%m%d")) if paper.published else 0,
        "upvotes": paper.upvotes or 0,
        "title_sort": title.casefold()[:80].encode("utf-8"),
        "spell": title,
        "facets": facet_value(paper, tags),
    }
    if paper.published:
        doc["year"] = paper.published.year
    if paper.arxiv_id:
        doc["arxiv"] = paper.arxiv_id
    return doc


def add_documents(writer, docs: Iterable[dict], new_ids: set[str] | frozenset,
                  gone: set[str] | frozenset = frozenset()) -> int:
    """Add documents to a writer: `add_document` for ids known to be new, else replace; the
    documents of `gone` ids (papers replaced by others) are deleted."""
    for paper_id in gone:
        writer.delete_by_term("id", paper_id)
    count = 0
    for doc in docs:
        if doc["id"] in new_ids:
            writer.add_document(**doc)
        else:
            writer.update_document(**doc)
        count += 1
    return count


@functools.cache
def schema() -> fields.Schema:
    """One schema of this version, for analysis (not for writing: writers take their own)."""
    return make_schema()


@functools.cache
def analyzers() -> dict:
    """The analyser of each text field but category (a keyword field)."""
    return {name: schema()[name].analyzer for name in TEXT_FIELDS if name != "category"}


@functools.cache
def fast_analyses() -> dict:
    """The fields' analysis without Token objects (writing.FastAnalysis), where it is exact."""
    from .writing import FastAnalysis
    found = {name: FastAnalysis.for_field(schema()[name]) for name in TEXT_FIELDS
             if name != "category"}
    return {name: fast for name, fast in found.items() if fast is not None}


@functools.cache
def has_positions(field: str) -> bool:
    """Whether a field keeps word positions (phrases need them)."""
    fieldobj = schema()[field]
    return bool(fieldobj.format and fieldobj.format.supports("positions"))
