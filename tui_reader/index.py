"""The Whoosh full-text index: schema, writing, query parsing, highlighting, suggestions.

The index is derived data: the store holds everything needed to rebuild it.
"""

from __future__ import annotations

import functools
import itertools
import mmap
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import columns, fields, index, qparser, query, sorting
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StandardAnalyzer, StemmingAnalyzer
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import LockError

from .models import Highlight, Paper

TEXT_FIELDS = ("title", "abstract", "author", "org", "category", "note")
FIELD_BOOSTS = {"title": 3.0, "abstract": 1.0, "author": 1.5, "org": 1.0, "category": 1.0,
                "note": 1.5}
FIELD_ALIASES = {"author": ["authors", "by"], "org": ["organization", "organisation"],
                 "category": ["cat", "categories"], "arxiv": ["arxiv_id"]}
NUMERIC_FIELDS = ("year", "upvotes", "date")
KNOWN_FIELDS = set(TEXT_FIELDS) | set(NUMERIC_FIELDS) | {"id", "arxiv"} | {
    alias for aliases in FIELD_ALIASES.values() for alias in aliases}
SORTS = ("relevance", "date", "upvotes", "title")
SIMILAR_TERMS = 12  # key terms of a paper's abstract that find its similar papers
MAX_QUERY_CHARS = 1000  # longer queries take seconds to parse: a clear message instead
MAX_FUZZY_EDITS = 2  # word~N: larger N build huge automata (seconds) and match nearly anything
MAX_FUZZY_CHARS = 40  # longer words are matched exactly (their automata take a second each)
WRITER_LIMIT_MB = 96  # postings a writer keeps in memory before it spills them to disk

_TOO_FUZZY = (f"fuzzy search allows at most {MAX_FUZZY_EDITS} edits: word~1 or"
              f" word~{MAX_FUZZY_EDITS}")
_FIELD_PREFIX = re.compile(r'(?<![\w"])([A-Za-z_]+):')
_DOTTED_RANGE = re.compile(r"\b(year|upvotes|date):([\w-]*)\.\.([\w-]*)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMERIC_VALUE = re.compile(
    r"\b(year|upvotes|date):(?:[<>]=?)?(\d+|\[\s*\d*\s+TO\s+\d*\s*[\]}]|\{\s*\d*\s+TO\s+\d*\s*[\]}])",
    re.IGNORECASE)
_NUMERIC_USE = re.compile(r"\b(year|upvotes|date):")
_FUZZY = re.compile(r"(?<![\s\"])~(\d+)")  # word~N, whatever the word (not a phrase's ~N)
_SURROGATE = re.compile("[\ud800-\udfff]")


class IndexBusy(Exception):
    """Another process holds the index writer (another import is running)."""


class QueryError(ValueError):
    """A query the parser cannot use; the message is for the user."""


def make_schema() -> fields.Schema:
    """The schema of the paper index."""
    text = StemmingAnalyzer()
    names = StandardAnalyzer(stoplist=None)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        arxiv=fields.ID,
        title=fields.TEXT(analyzer=text, field_boost=FIELD_BOOSTS["title"]),
        abstract=fields.TEXT(analyzer=text),
        author=fields.TEXT(analyzer=names, field_boost=FIELD_BOOSTS["author"]),
        org=fields.TEXT(analyzer=names),
        category=fields.KEYWORD(lowercase=True, commas=True, scorable=True),
        note=fields.TEXT(analyzer=text, field_boost=FIELD_BOOSTS["note"]),
        year=fields.NUMERIC(int, bits=32),
        date=fields.NUMERIC(int, bits=32, sortable=True),
        upvotes=fields.NUMERIC(int, bits=32, sortable=True),
        title_sort=fields.COLUMN(columns.VarBytesColumn()),  # for sorting only: no terms
        spell=fields.TEXT(analyzer=RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter(),
                          phrase=False),  # title words as written: "did you mean"
    )


def paper_document(paper: Paper, note: str | None) -> dict:
    """The Whoosh document of a paper (text comes from the store, so nothing big is stored)."""
    doc = {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "author": "; ".join(paper.authors),
        "org": paper.organization or "",
        "category": ",".join(paper.categories),
        "note": note or "",
        "date": int(paper.published.strftime("%Y%m%d")) if paper.published else 0,
        "upvotes": paper.upvotes or 0,
        "title_sort": paper.title.casefold()[:80].encode("utf-8"),
        "spell": paper.title,
    }
    if paper.published:
        doc["year"] = paper.published.year
    if paper.arxiv_id:
        doc["arxiv"] = paper.arxiv_id
    return doc


def _rewrite(text: str) -> str:
    """Our friendlier syntax in Whoosh's terms: `year:2023..2025` and ISO dates."""
    text = _ISO_DATE.sub(lambda m: m.group(1) + m.group(2) + m.group(3), text)
    return _DOTTED_RANGE.sub(lambda m: f"{m.group(1)}:[{m.group(2)} TO {m.group(3)}]", text)


def _check(text: str) -> None:
    """Raise QueryError for what Whoosh would silently drop: unknown fields, bad numbers."""
    outside_quotes = re.sub(r'"[^"]*"', " ", text)
    for name in _FIELD_PREFIX.findall(outside_quotes):
        if name.lower() not in KNOWN_FIELDS:
            raise QueryError(
                f"unknown field '{name}' (fields: title, abstract, author, org, category, note,"
                " year, date, upvotes)")
    if any(int(n) > MAX_FUZZY_EDITS for n in _FUZZY.findall(outside_quotes)):
        raise QueryError(_TOO_FUZZY)
    uses = len(_NUMERIC_USE.findall(outside_quotes))
    if uses != len(_NUMERIC_VALUE.findall(outside_quotes)):
        raise QueryError("year, date and upvotes take a number or a range, e.g. year:2024,"
                         " year:2023..2025, upvotes:>10, date:2024-05-01..2024-06-30")
    if outside_quotes.count("(") != outside_quotes.count(")"):
        raise QueryError("unbalanced parentheses")


def add_documents(writer, docs: Iterable[dict], new_ids: set[str] | frozenset) -> int:
    """Add documents to a writer: `add_document` for ids known to be new, else replace."""
    count = 0
    for doc in docs:
        if doc["id"] in new_ids:
            writer.add_document(**doc)
        else:
            writer.update_document(**doc)
        count += 1
    return count


class _FuzzyTermPlugin(qparser.FuzzyTermPlugin):
    """`word~`: words one edit away that start with the same letter (`~2`: two edits;
    `~1/3`: the first three letters as typed). Whoosh's default (any first letter) walks the
    whole term list of every field: seconds on a big collection, against ~15x less."""

    def create(self, parser, match):
        node = super().create(parser, match)
        if not match.group("prefix"):
            node.prefixlength = FUZZY_PREFIX
        return node


FUZZY_PREFIX = 1

_FAST_SORTS = {"relevance": "relevance", "date": "-date", "upvotes": "-upvotes",
               "title": "title_sort"}


def _repair(q: query.Query) -> query.Query:
    """What Whoosh would fail on when searching, made searchable: a fuzzy prefix longer than
    its word (word~1/9), a phrase on a field without positions (category); QueryError for
    fuzziness that would take seconds (more than MAX_FUZZY_EDITS, however the quotes fell)."""
    if isinstance(q, query.FuzzyTerm):
        if q.maxdist > MAX_FUZZY_EDITS:
            raise QueryError(_TOO_FUZZY)
        if len(q.text) > MAX_FUZZY_CHARS:  # nobody misspells a word this long
            return query.Term(q.fieldname, q.text, boost=q.boost)
        if q.prefixlength > len(q.text):
            q = q.copy()
            q.prefixlength = len(q.text)
        return q
    if isinstance(q, query.Phrase):
        if not _POSITIONS.get(q.fieldname, True):
            return query.And([query.Term(q.fieldname, w) for w in q.words], boost=q.boost)
        return q
    return q if q.is_leaf() else q.apply(_repair)


_POSITIONS = {name: bool(f.format and f.format.supports("positions"))
              for name, f in make_schema().items()}


@dataclass
class Match:
    """A paper id found by a query, with its score."""

    id: str
    score: float | None


class _MappedFile(StructFile):
    """A StructFile reading a memory map: a read is a slice, not a system call."""

    def __init__(self, mapped: mmap.mmap, name: str):
        super().__init__(mapped, name=name)
        self.is_real = False  # arrays are read with frombytes, not fromfile

    def get(self, position: int, length: int) -> bytes:
        return self.file[position:position + length]


class _Storage(FileStorage):
    """The index folder, its terms files (.trm) read through a memory map: a term lookup is a
    binary search of a dozen small reads (a fuzzy term, thousands), each a seek and a read
    system call on a plain file."""

    def open_file(self, name: str, **kwargs):
        if name.endswith(".trm"):
            with open(self._fpath(name), "rb") as f:
                try:
                    return _MappedFile(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ), name)
                except ValueError:  # an empty file cannot be mapped
                    pass
        return super().open_file(name, **kwargs)


class PaperIndex:
    """The on-disk Whoosh index of a data dir, with a reusable searcher."""

    fast_search = True  # searching.FastSearch for the queries it knows (False: Whoosh alone)

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._searcher = None
        self._fast_searcher = None
        self.recreated = False  # the index on disk was unreadable and started anew
        for attempt in range(3):  # a commit elsewhere may swap the TOC while it is read
            try:
                self.ix = (_Storage(str(self.path)).open_index() if index.exists_in(self.path)
                           else self._create())
                break
            except Exception:
                time.sleep(0.05 * (attempt + 1))
        else:
            self.recreated = True
            self._reset()
        # The schema of this version, not the one on disk (an index of another version is
        # rebuilt at start: the parser must be the one of the new index).
        self.parser = qparser.MultifieldParser(
            list(TEXT_FIELDS), make_schema(), fieldboosts=FIELD_BOOSTS, group=qparser.AndGroup)
        self.parser.add_plugin(_FuzzyTermPlugin())
        self.parser.add_plugin(qparser.GtLtPlugin())
        self.parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))

    def _create(self):
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return _Storage(str(self.path)).create_index(make_schema())

    def probe(self) -> int:
        """Count the documents, after checking the schema and reading a little of every
        segment (stored fields, terms, postings): raises when the index is unusable."""
        expected = {name: type(f) for name, f in make_schema().items()}
        if {name: type(f) for name, f in self.ix.schema.items()} != expected:
            raise ValueError("the index was made by another version of tui-reader")
        with self.ix.searcher() as s:
            for reader, _ in s.reader().leaf_readers():
                last = reader.doc_count_all() - 1
                if last < 0:
                    continue
                reader.stored_fields(0)
                reader.stored_fields(last)
                for field in ("id", "title"):
                    first = next(iter(reader.lexicon(field)), None)
                    if first is not None:
                        reader.postings(field, first).all_ids()
            return s.doc_count()

    def writer_locked(self) -> bool:
        """Whether a writer (an import, a rebuild, a note) holds the index in some process."""
        from .locks import is_locked

        return is_locked(self.path / "MAIN_WRITELOCK")

    def clear(self) -> None:
        """Replace the index with an empty one (before a rebuild)."""
        self.close()
        self._reset()

    def _reset(self, timeout: float = 10.0) -> None:
        """An empty index in place of whatever is there, made while holding the writer lock
        (IndexBusy when another process keeps it); the lock file itself is never deleted."""
        if self.path.exists() and not self.path.is_dir():
            self.path.unlink()
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileStorage(str(self.path)).lock("MAIN_WRITELOCK")
        deadline = time.monotonic() + timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexBusy("another import is running; try again when it has finished")
            time.sleep(0.05)
        try:
            for entry in os.scandir(self.path):
                if entry.name == "MAIN_WRITELOCK":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            self.ix = _Storage(str(self.path)).create_index(make_schema())
        finally:
            lock.release()

    def close(self) -> None:
        with self._lock:
            self._fast_searcher = None
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    # -- writing -------------------------------------------------------------------------
    def writer(self, *, timeout: float = 5.0, limitmb: int = WRITER_LIMIT_MB):
        """A writer (the fast one of `indexing.py`); IndexBusy when another holds the lock."""
        from .indexing import FastSegmentWriter
        try:
            # Segments as separate files: a compound segment file is read through Whoosh's
            # BufferFile, which copies each part into memory (the whole index, per searcher).
            return FastSegmentWriter(self.ix, timeout=timeout, limitmb=limitmb, compound=False)
        except LockError as exc:
            raise IndexBusy("another import is running; try again when it has finished") from exc

    def write(self, docs: Iterable[dict], *, new_ids: set[str] | frozenset = frozenset(),
              timeout: float = 5.0) -> int:
        """Add or replace documents in one writer; ids in `new_ids` are known to be absent.

        Documents must be unique by id (Whoosh's update_document does not see documents
        added by the same writer). Raises IndexBusy when another writer holds the lock.
        """
        writer = self.writer(timeout=timeout)
        with writer:
            return add_documents(writer, docs, new_ids)

    # -- searching -----------------------------------------------------------------------
    def searcher(self):
        """The shared searcher, refreshed when the index changed."""
        with self._lock:
            if self._searcher is not None and not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and misses new deletions.
                self._searcher.close()
                self._searcher = None
            if self._searcher is None:
                self._searcher = self.ix.searcher()
            return self._searcher

    def _fast(self, searcher):
        """The FastSearch of this searcher (its caches live as long as the searcher)."""
        from .searching import FastSearch
        with self._lock:
            if self._fast_searcher is None or self._fast_searcher.searcher is not searcher:
                self._fast_searcher = FastSearch(searcher)
            return self._fast_searcher

    def parse(self, text: str) -> query.Query:
        """Parse the query language (see README); raises QueryError with a message."""
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is too long ({len(text)} characters; at most"
                             f" {MAX_QUERY_CHARS})")
        rewritten = _rewrite(_SURROGATE.sub("\ufffd", text))
        _check(rewritten)
        try:
            q = self.parser.parse(rewritten)
        except IndexError as exc:  # "NOT OR x", "<>": an operator without an operand
            raise QueryError("cannot use this query: an operator (AND, OR, NOT, <, >) has"
                             " nothing to apply to") from exc
        except Exception as exc:  # Whoosh's parser raises many kinds on odd input
            raise QueryError(f"cannot use this query: {exc}") from exc
        q = _repair(q)
        if q is query.NullQuery and re.search(r"\w", text):
            raise QueryError("nothing to search for in this query (only operators or stop words)")
        return q

    def search(self, q: query.Query, sort: str, offset: int, limit: int
               ) -> tuple[int, list[Match]]:
        """A page of matches and the total."""
        s = self.searcher()
        if self.fast_search:
            page = self._fast(s).page(q.normalize(), _FAST_SORTS[sort], offset, limit)
            if page is not None:
                total, hits = page
                return total, [Match(s.stored_fields(d)["id"], score) for d, score in hits]
        sortedby = {
            "relevance": None,
            "date": sorting.FieldFacet("date", reverse=True),
            "upvotes": sorting.FieldFacet("upvotes", reverse=True),
            "title": sorting.FieldFacet("title_sort"),
        }[sort]
        results = s.search(q, limit=offset + limit, sortedby=sortedby,
                           terms=False, scored=sort == "relevance")
        total = len(results)
        return total, [Match(hit["id"], hit.score if sort == "relevance" else None)
                       for hit in results[offset:offset + limit]]

    def suggestion(self, text: str) -> str | None:
        """The query with its unknown plain words replaced by close title words, or None."""
        reader = self.searcher().reader()
        stem = _analyzers()["title"]
        changed = False

        def fix(match: re.Match) -> str:
            nonlocal changed
            word = match.group(0)
            if word in ("AND", "OR", "NOT", "TO"):
                return word
            stems = [t.text for t in stem(word)]
            if not stems or any(reader.frequency(f, s) for f in ("title", "abstract", "author")
                                for s in stems):
                return word
            found = reader.corrector("spell").suggest(word.lower(), limit=1, maxdist=2,
                                                     prefix=1)  # 15x faster than 0
            if found:
                changed = True
                return found[0]
            return word

        # Plain words only: not inside quotes, not after a field prefix, no wildcards.
        parts = re.split(r'("[^"]*"|\S*[:*?~]\S*)', text)
        fixed = "".join(part if i % 2 else re.sub(r"[^\W\d_]{3,}", fix, part)
                        for i, part in enumerate(parts))
        return fixed if changed else None

    def matched_terms(self, q: query.Query) -> dict[str, set[str]]:
        """The index terms a query matches, by field (for highlighting), negations excluded."""
        searcher = self.searcher()
        reader = searcher.reader()
        fast = self._fast(searcher) if self.fast_search else None
        terms: dict[str, set[str]] = {}

        def walk(node: query.Query) -> None:
            if isinstance(node, query.Not):
                return
            if node.is_leaf():
                try:
                    found = fast.existing_terms(node) if fast is not None else None
                    if found is None:
                        found = node.existing_terms(reader, expand=True)
                except Exception:
                    return
                for field, term in found:
                    if field in TEXT_FIELDS:
                        text = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                        terms.setdefault(field, set()).add(text)
                return
            for child in node.children():
                walk(child)

        walk(q)
        return terms

    def similar(self, paper_id: str, text: str, limit: int = 5) -> list[str]:
        """Ids of the papers most like this one (by the key terms of `text`)."""
        s = self.searcher()
        docnum = s.document_number(id=paper_id)
        if docnum is None:
            return []
        fast = self._fast(s) if self.fast_search else None
        key_terms = (fast.key_terms("abstract", text, SIMILAR_TERMS) if fast is not None
                     else s.key_terms_from_text("abstract", text, numterms=SIMILAR_TERMS))
        q = query.Or([query.Term(field, word, boost=weight)
                      for word, weight in key_terms for field in ("title", "abstract")])
        if fast is not None:
            page = fast.page(q, "relevance", 0, limit + 1)
            if page is not None:
                return [s.stored_fields(d)["id"] for d, _ in page[1] if d != docnum][:limit]
        hits = s.search(q, limit=limit + 1, mask=query.Term("id", paper_id))
        return [h["id"] for h in hits][:limit]

    def doc_count(self) -> int:
        """Documents in the index now: from the table of contents of its latest generation,
        leaving the shared searcher alone (an import thread asks this while the app's search
        may be using that searcher)."""
        try:
            return sum(segment.doc_count() for segment in self.ix._segments())
        except Exception:  # the generation changed while it was read: ask a searcher
            return self.searcher().doc_count()


@functools.cache
def _analyzers() -> dict:
    schema = make_schema()
    return {name: schema[name].analyzer for name in TEXT_FIELDS if name != "category"}


@functools.cache
def _fast_analyses() -> dict:
    """The fields' analysis without Token objects (indexing.FastAnalysis), where it is exact."""
    from .indexing import FastAnalysis
    schema = make_schema()
    found = {name: FastAnalysis.for_field(schema[name]) for name in TEXT_FIELDS
             if name != "category"}
    return {name: fast for name, fast in found.items() if fast is not None}


def _spans(text: str, terms: set[str], field: str) -> Iterator[tuple[int, int]]:
    """The spans of the tokens of `text` whose analysed form is in `terms`, lazily."""
    if not terms or not text:
        return iter(())
    fast = _fast_analyses().get(field)
    if fast is not None:
        return fast.spans(text, terms)
    return ((t.startchar, t.endchar)
            for t in _analyzers()[field](text, chars=True, removestops=False, mode="index")
            if t.text in terms)


def highlight(text: str, terms: set[str], field: str = "abstract") -> Highlight:
    """`text` with the spans of the tokens whose analysed form is in `terms`."""
    return Highlight(text=text, spans=list(_spans(text, terms, field)))


def fragment(text: str, terms: set[str] = frozenset(), field: str = "abstract",
             width: int = 240) -> Highlight:
    """The part of `text` around its first match of `terms`, at most `width` characters,
    highlighted (the text is analysed only up to the end of that part)."""
    if len(text) <= width:
        return highlight(text, terms, field)
    spans = _spans(text, terms, field)
    first = next(spans, None)
    start = max(0, first[0] - width // 4) if first else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = []
    for a, b in itertools.chain([first] if first else [], spans):
        if a >= end:
            break
        if a >= start and b <= end:
            inside.append((a + shift, b + shift))
    return Highlight(text=prefix + text[start:end] + suffix, spans=inside)
