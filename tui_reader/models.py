"""The records that flow through tui-reader: papers, their sources, user data, search results."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime
from typing import Annotated, NamedTuple, TypeVar

from pydantic import BaseModel, BeforeValidator, Field

from .latex import italics, readable

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
# What no text may bring to a terminal: C0 controls but tab and newline, DEL, C1 controls
# (U+009B is a CSI), bidi embeddings, overrides and isolates.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The built-in views of the papers (every paper, bookmarked, with a note, unread, added by the
# latest import, unread papers like the bookmarked ones) and the sort orders, in the order the
# reader offers them.
VIEWS = ("all", "bookmarks", "notes", "unread", "new", "foryou")
SORTS = ("relevance", "date", "upvotes", "title", "rising")
# What the papers of a list are counted by (facets), and how many values of each are given
FACETS = ("year", "org", "category", "tag")
FACET_TOP = 10
# A tag: lowercase letters, digits and - _ . / (spaces become -), a letter or digit first
_TAG_DROPPED = re.compile(r"[^\w\-./]+")
MAX_TAG_CHARS = 40

T = TypeVar("T")


def facet_filter(facet: str, value: int | str) -> str:
    """The part of a query that keeps the papers with this value of a facet (`year:2025`,
    `org:"AI at Meta"`, `category:cs.CL`, `tag:ml`)."""
    text = str(value).replace('"', " ")
    if facet == "org" or not text or any(c.isspace() or c in "()" for c in text):
        return f'{facet}:"{text}"'
    return f"{facet}:{text}"


def one_for_each(names: tuple[str, ...], values: dict[str, T]) -> dict[str, T]:
    """`values` (what a part makes of each of VIEWS or SORTS) in the order of `names`; every map
    from view or sort names is made with it, so a view or sort added to the declaration above
    and forgotten in one of them stops the program at import (ValueError), never later."""
    missing, unknown = set(names) - set(values), set(values) - set(names)
    if missing or unknown:
        raise ValueError(f"not one value for each of {names}: "
                         f"missing {sorted(missing)}, unknown {sorted(unknown)}")
    return {name: values[name] for name in names}


def normalise_title(title: str) -> str:
    """The form of a title two dumps agree on: casefolded, non-alphanumerics collapsed to one space."""
    return _NON_ALNUM.sub(" ", title.casefold()).strip()


def paper_id(title: str) -> str:
    """A short, stable id of a paper: the first 12 hex digits of the SHA-1 of its normalised title."""
    return hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:12]


def tag_name(text: str) -> str:
    """A tag as the library keeps it: casefolded, spaces as `-`, other punctuation dropped, a
    letter or digit first (`+x`, `-x` and `#x` are never part of the name); "" when nothing
    is left."""
    words = CONTROL_CHARACTERS.sub("", text).casefold().split()
    name = _TAG_DROPPED.sub("", "-".join(words)).lstrip("-./_")
    return name[:MAX_TAG_CHARS].rstrip("-./")


def path_text(path: str | os.PathLike) -> str:
    """A file's path as text that every terminal, file and database takes: the bytes of a name
    that are not UTF-8 as backslash escapes (`bad\\xff.json`), any other name as it is."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class Source(BaseModel):
    """Where a paper was seen: a dump file and the paper's position (0-based) in it."""

    path: str
    position: int
    format: str = ""
    captured: date | None = None  # the day of the capture (ingest: ParsedDump.captured)
    upvotes: int | None = None  # the upvotes the capture showed


class UpvoteCount(BaseModel):
    """The upvotes of a paper on the day of one capture."""

    date: date
    upvotes: int


class Paper(BaseModel):
    """One paper, merged from every dump it was seen in."""

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = Field(default_factory=list)
    authors_count: int | None = None
    organization: str | None = None
    published: date | None = None
    year_inferred: bool = False  # the year of `published` was inferred, not printed in the dump
    upvotes: int | None = None
    arxiv_id: str | None = None
    url: str | None = None
    categories: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    # its upvotes capture by capture, oldest first (from the sources: store/papers.py)
    upvote_history: list[UpvoteCount] = Field(default_factory=list)

    @property
    def readable_title(self) -> str:
        """The title as shown and indexed: its LaTeX as text (`title` keeps the source)."""
        return readable(self.title)

    @property
    def readable_abstract(self) -> str:
        """The abstract as shown and indexed: its LaTeX as text (`abstract` keeps the source)."""
        return readable(self.abstract)

    def italics(self, field: str = "title") -> list[tuple[int, int]]:
        """The spans of the readable title (or abstract) that the source sets in italics."""
        return italics(self.title if field == "title" else self.abstract)

    @classmethod
    def from_title(cls, title: str, **fields) -> "Paper":
        """A paper whose id is derived from its title."""
        return cls(id=paper_id(title), title=title, **fields)

    def merged_with(self, newer: "Paper") -> "Paper":
        """This paper enriched by `newer` (the same paper seen again): the richest value of each field."""
        published, inferred = self.published, self.year_inferred
        if newer.published and (published is None or (inferred and not newer.year_inferred)):
            published, inferred = newer.published, newer.year_inferred
        categories = list(dict.fromkeys([*self.categories, *newer.categories]))
        return Paper(
            id=self.id,
            title=self.title or newer.title,
            abstract=max(self.abstract, newer.abstract, key=len),
            authors=max(self.authors, newer.authors, key=len),
            authors_count=max(filter(None, [self.authors_count, newer.authors_count]), default=None),
            organization=self.organization or newer.organization,
            published=published,
            year_inferred=inferred,
            upvotes=newer.upvotes if newer.upvotes is not None else self.upvotes,
            arxiv_id=self.arxiv_id or newer.arxiv_id,
            url=self.url or newer.url,
            categories=categories,
            sources=self.sources + [s for s in newer.sources if s not in self.sources],
        )


class PaperView(Paper):
    """A paper as the CLI and the app show it: with the user's bookmark and note."""

    bookmarked: bool = False
    note: str | None = None
    read: bool = False
    tags: list[str] = Field(default_factory=list)


class Note(BaseModel):
    """The user's note on a paper, keyed by paper id, with a copy of the title."""

    paper_id: str
    title: str
    text: str
    updated_at: datetime


class Bookmark(BaseModel):
    """A bookmarked paper, keyed by paper id, with a copy of the title."""

    paper_id: str
    title: str
    created_at: datetime


class SavedSearch(BaseModel):
    """A named query the user keeps, with its sort order."""

    name: str
    query: str
    sort: str = "relevance"
    created_at: datetime | None = None


class Recommendation(BaseModel):
    """A paper "For you": its score, the key terms it shares with the liked papers (heaviest
    first) and the liked paper it resembles most."""

    paper: PaperView
    score: float | None = None
    terms: list[str] = Field(default_factory=list)
    like_id: str | None = None
    like_title: str | None = None

    def why(self) -> str:
        """The reason in words: "shares: privacy, federated, tuning", else "like: TITLE"."""
        if self.terms:
            return "shares: " + ", ".join(self.terms)
        return f"like: {self.like_title}" if self.like_title else ""


class Recommendations(BaseModel):
    """A page of "For you" (or "For you: TAG"): papers like the `liked` ones, unread and not
    bookmarked, best first, of `total` (at most RECOMMEND_MAX)."""

    tag: str | None = None
    liked: int = 0
    total: int = 0
    results: list[Recommendation] = Field(default_factory=list)


class Highlight(BaseModel):
    """A text with the character spans a query matched, for the CLI and the app to render."""

    text: str
    spans: list[tuple[int, int]] = Field(default_factory=list)


class SearchHit(BaseModel):
    """One search result: the paper, its score and the highlighted title and abstract fragment."""

    paper: PaperView
    score: float | None = None
    title: Highlight
    fragment: Highlight


class SearchResult(BaseModel):
    """A page of results of one query, with the total, the terms it matched (by field, for
    highlights), and how a query that found nothing as typed was repaired: `corrected` (the
    text whose results these are) or `partial` (the papers have this many of the
    `partial_of` words)."""

    query: str
    sort: str = "relevance"
    total: int = 0
    hits: list[SearchHit] = Field(default_factory=list)
    terms: dict[str, list[str]] = Field(default_factory=dict)
    corrected: str | None = None
    partial: int = 0
    partial_of: int = 0
    error: str | None = None


class FacetCounts(BaseModel):
    """The papers of a list counted by year, organisation, category and tag (FACETS): each
    facet's FACET_TOP most frequent values with their counts, of `total` papers."""

    query: str = ""
    total: int = 0
    counts: dict[str, list[tuple[int | str, int]]] = Field(default_factory=dict)
    error: str | None = None


class LibraryVersion(NamedTuple):
    """Where a library's files were when looked at (Library.version, Library.changes):
    SQLite's data versions of the papers' and the user's file (as one connection sees them)
    and the user data's generation."""

    papers: int
    user: int
    generation: int


class FileReport(BaseModel):
    """What importing one file gave."""

    path: Annotated[str, BeforeValidator(path_text)]  # shown safely, whatever the name's bytes
    format: str | None = None
    papers: int = 0
    new: int = 0
    updated: int = 0
    skipped: bool = False  # unchanged since the last import
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    """What an import gave, file by file, with the totals of the summary line."""

    files: list[FileReport] = Field(default_factory=list)
    distinct: int | None = None  # distinct papers in the files (a paper in two files: one)

    @property
    def papers(self) -> int:
        return sum(f.papers for f in self.files)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.files if f.skipped)

    def summary(self) -> str:
        """The line `tui-reader import` ends with: papers, files, new, updated, failed."""
        papers = self.papers if self.distinct is None else self.distinct
        line = (
            f"{counted(papers, 'paper')} from {counted(len(self.files), 'file')}: {self.new:,} new, "
            f"{self.updated:,} updated; {counted(len(self.failed), 'file')} failed"
        )
        if self.skipped:
            line += f" ({counted(self.skipped, 'unchanged file')} skipped)"
        return line


def counted(n: int, noun: str) -> str:
    """`n` and `noun`, plural unless n is 1: "1 paper", "9,577 papers"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
