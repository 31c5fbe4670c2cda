"""The on-disk Whoosh index of a data dir: opening, probing, writing, and searching it.

The index is derived data: the store holds everything needed to rebuild it.
"""

from __future__ import annotations

import functools
import json
import mmap
import os
import shutil
import threading
import time
import weakref
from collections.abc import Iterable
from pathlib import Path

from whoosh import index, query
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from . import integrity, whoosh_internals as internals
from .corrections import repair
from .evaluator import Evaluator, Found, Match
from .query_language import parse
from .recommend import (CATEGORY_COUNT, PROFILE_TERMS, RANKER, SIMILAR_TERMS, Liked, Profile,
                        rank)
from .schema import INDEX_FORMAT, TEXT_FIELDS, add_documents, make_schema

WRITER_LIMIT_MB = 16  # postings a writer keeps in memory before it spills them to disk
FORMAT_FILE = "FORMAT"  # holds INDEX_FORMAT
CHECKED_FILE = "CHECKED"  # where the checks at start are in their pass over the files
VERIFY_EVERY_START_BYTES = 32 << 20  # a smaller index's checksums are checked at every start
VERIFY_EVERY = 24 * 3600  # ... a bigger one's in a pass begun at most once a day,
VERIFY_PART_BYTES = 64 << 20  # ... this much of it a start (0.1 s when cached) ...
VERIFY_PART_SECONDS = 0.25  # ... or what is read in this time (from a slow disk)

class IndexBusy(Exception):
    """Another process holds the index writer (another import is running)."""


_PREAD = hasattr(os, "pread")  # POSIX
_DONTNEED = getattr(mmap, "MADV_DONTNEED", None) if hasattr(mmap.mmap, "madvise") else None


class _MappedFile(StructFile):
    """A terms file: a StructFile reading a memory map (a read is a slice, not a system
    call; term_walks reads keys from it), but for term lookups (`internals.scattered_reads`:
    a few bytes at random places), read with `pread` from the file `fd`: a page read through
    the map stays in the process's resident memory with 64 KB around it (130 MB for the
    lookups of one "similar papers" at a million papers)."""

    def __init__(self, mapped: mmap.mmap, name: str, fd: int):
        super().__init__(mapped, name=name)
        internals.read_arrays_as_bytes(self)  # arrays are read with frombytes
        self._fd = fd
        self._close_fd = weakref.finalize(self, os.close, fd)

    def get(self, position: int, length: int) -> bytes:
        if internals.reading_scattered() and _PREAD:
            return os.pread(self._fd, length, position)
        return self.file[position:position + length]

    def close(self):
        super().close()
        self._close_fd()


class _Storage(FileStorage):
    """The index folder, its terms files (.trm) read through a memory map (when the fast
    paths are on): a term lookup is a binary search of a dozen small reads (a fuzzy term,
    thousands), each a seek and a read system call on a plain file.

    The pages a search reads through a map stay mapped into the process (64 KB around each
    read), counted in its resident memory though the kernel's page cache holds them: at a
    million papers, 200 MB of terms files after a few searches. `release_pages` lets them go
    (the next read maps them again from the cache)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._maps: weakref.WeakSet = weakref.WeakSet()

    def open_file(self, name: str, **kwargs):
        if name.endswith(".trm") and internals.SUPPORTED:
            with open(internals.file_path(self, name), "rb") as f:
                try:
                    mapped = _MappedFile(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ),
                                         name, os.dup(f.fileno()))
                except ValueError:  # an empty file cannot be mapped
                    pass
                else:
                    self._maps.add(mapped)
                    return mapped
        return super().open_file(name, **kwargs)

    def release_pages(self) -> None:
        """Unmap the pages of the terms files read so far (they stay in the page cache;
        where madvise is missing, they stay mapped)."""
        if not _DONTNEED:
            return
        for mapped in list(self._maps):
            try:
                mapped.file.madvise(_DONTNEED)
            except (ValueError, OSError):  # closed meanwhile
                pass

    def lock(self, name: str):
        """Whoosh's lock on `name`, its file made 0600 (Whoosh's own would be 0777 less the
        umask: executable)."""
        os.close(os.open(os.path.join(self.folder, name), os.O_WRONLY | os.O_CREAT, 0o600))
        return super().lock(name)


def _lets_pages_go(method):
    """A search of the index, after which the pages of the terms files it mapped are let go
    (_Storage.release_pages: a millisecond)."""
    @functools.wraps(method)
    def searching(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        finally:
            self.release_pages()
    return searching


class PaperIndex:
    """The on-disk Whoosh index of a data dir, with a reusable searcher."""

    # FastSearch for the queries it knows, the fast writer (False: Whoosh alone)
    fast_search = internals.SUPPORTED
    fast_paths_problem = internals.PROBLEM  # why they are off (None: they are on)

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._searcher = None
        self._fast_searcher = None
        self._documents: tuple[tuple, list[int]] | None = None  # documents_of, remembered
        self.recreated = False  # the index on disk was unreadable and started anew
        self._facets = None  # the FacetCounter (facets.py: numpy), made when first asked
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

    def _create(self):
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        created = _Storage(str(self.path)).create_index(make_schema())
        self._stamp()
        return created

    def _stamp(self) -> None:
        """Say which version of the index's content this is (FORMAT_FILE)."""
        stamp = self.path / FORMAT_FILE
        stamp.write_text(INDEX_FORMAT)
        os.chmod(stamp, 0o600)

    def probe(self) -> int:
        """Count the documents, after checking the schema and reading a little of every
        segment (stored fields, terms, postings): raises when the index is unusable."""
        expected = {name: type(f) for name, f in make_schema().items()}
        try:
            stamp = (self.path / FORMAT_FILE).read_text().strip()
        except OSError:
            stamp = None
        if {name: type(f) for name, f in self.ix.schema.items()} != expected \
                or stamp != INDEX_FORMAT:
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

    def verify(self, read_unsealed: bool = True) -> list[str]:
        """What is wrong with the index's files (integrity.verify), one line each."""
        return integrity.verify(self.ix, read_unsealed)

    def verify_at_start(self) -> list[str]:
        """The checks of the index's files at a start, in a bounded time: below
        VERIFY_EVERY_START_BYTES every checksum; above it, every file's size, and the
        checksums of VERIFY_PART_BYTES of the files (or what VERIFY_PART_SECONDS reads), going
        on where the last start stopped, in a pass over all of them begun at most once every
        VERIFY_EVERY seconds (a million papers' 4 GB read at one start took minutes)."""
        if self.size() < VERIFY_EVERY_START_BYTES:
            return self.verify(read_unsealed=False)
        stamp = self.path / CHECKED_FILE
        try:
            state = json.loads(stamp.read_text())
            begun, cursor = float(state["begun"]), state["cursor"]
        except (OSError, ValueError, KeyError, TypeError):  # none yet, or of an older release
            begun, cursor = 0.0, None
        due = cursor is not None or time.time() - begun > VERIFY_EVERY
        problems, resume = integrity.verify_part(
            self.ix, cursor, VERIFY_PART_BYTES if due else 0, VERIFY_PART_SECONDS)
        if due and not problems:
            state = {"begun": begun if cursor is not None else time.time(), "cursor": resume}
            try:
                integrity.write_private(stamp, json.dumps(state))
            except OSError:
                pass
        return problems

    def size(self) -> int:
        """Bytes of the index's files (a file another process's commit removes meanwhile
        counts for none)."""
        total = 0
        for entry in os.scandir(self.path):
            try:
                if entry.is_file():
                    total += entry.stat().st_size
            except FileNotFoundError:
                pass
        return total

    def mark_damaged(self, reason: str) -> None:
        """Remember that a read met damage: the next start (or `repair`) rebuilds the index."""
        integrity.mark_damaged(self.path, reason)

    def damage(self) -> str | None:
        """Why the index was marked damaged, or None."""
        return integrity.damage_mark(self.path)

    def ids(self) -> list[str]:
        """The paper id of every document (a paper twice is there twice)."""
        with self.ix.searcher() as s:
            return [fields["id"] for fields in s.all_stored_fields()]

    def writer_free(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds until no writer (an import, a rebuild, a note) holds
        the index in any process; False when one still does."""
        from ..locks import wait_unlocked

        return wait_unlocked(self.path / "MAIN_WRITELOCK", timeout)

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
        lock = _Storage(str(self.path)).lock("MAIN_WRITELOCK")
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
            self._stamp()
        finally:
            lock.release()

    def close(self) -> None:
        with self._lock:
            self._fast_searcher = None
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    # -- writing -------------------------------------------------------------------------
    @property
    def writer_class(self) -> type:
        """The fast writer of writing.py, Whoosh's own when the fast paths are off."""
        from .writing import FastSegmentWriter
        return FastSegmentWriter if self.fast_search else SegmentWriter

    def writer(self, *, timeout: float = 5.0, limitmb: int = WRITER_LIMIT_MB):
        """A writer (see `writer_class`); IndexBusy when another holds the lock."""
        try:
            # Segments as separate files: a compound segment file is read through Whoosh's
            # BufferFile, which copies each part into memory (the whole index, per searcher).
            return self.writer_class(self.ix, timeout=timeout, limitmb=limitmb, compound=False)
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

    def merge(self, everything: bool = False, progress=None) -> int:
        """Merge the segments the tiered policy says are due (`everything`: all into one);
        the number of merges. Searches go on meanwhile (merging.py)."""
        from .merging import merge_due
        return merge_due(self, everything, progress)

    def segment_count(self) -> int:
        """How many segments the index has (each search pays a little for each)."""
        return len(internals.segments(self.ix))

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
        """The FastSearch of this searcher (its caches live as long as the searcher), or None
        (the fast paths are off)."""
        from .fast_search import FALLBACK, FastSearch
        if not self.fast_search:
            return None
        with self._lock:
            if self._fast_searcher is None or self._fast_searcher.searcher is not searcher:
                try:
                    self._fast_searcher = FastSearch(searcher)
                except FALLBACK:
                    return None
            return self._fast_searcher

    def warm_up(self) -> None:
        """Open the searcher and read what every search and facet count needs (not to be
        paid by the first key press)."""
        searcher = self.searcher()
        fast = self._fast(searcher)
        if fast is not None:
            fast.warm_up()
        self._facet_counter().warm_up(searcher)

    def release_pages(self) -> None:
        """Let go of the pages of the terms files that searches mapped (_Storage)."""
        storage = getattr(self.ix, "storage", None)
        if isinstance(storage, _Storage):
            storage.release_pages()

    def prepare_facets(self) -> None:
        """Read the facet values of segments not read yet, so that each is kept in a file
        beside its segment (facets.py): a reader's start then reads files, not columns."""
        self._facet_counter().warm_up(self.searcher())

    def documents_of(self, searcher, ids: list[str]) -> list[int]:
        """The document numbers of these paper ids in `searcher` (in their order, ids not
        indexed left out), remembered for the same ids and searcher (the rising papers'
        order is asked again at each page)."""
        key = (searcher, tuple(ids))
        with self._lock:
            if self._documents is not None and self._documents[0] == key:
                return self._documents[1]
        fast = self._fast(searcher)
        found = fast.document_numbers("id", ids) if fast is not None else None
        if found is None:
            found = [d for d in (searcher.document_number(id=i) for i in ids) if d is not None]
        with self._lock:
            self._documents = (key, found)
        return found

    @_lets_pages_go
    def find(self, text: str, sort: str, offset: int, limit: int, *, typing: bool = False,
             repair_empty: bool = True, rising: list[str] = ()) -> Found:
        """A page of the papers a query finds, with the total and the terms it matched.
        `typing`: the last word is being typed (a prefix). `repair_empty`: when nothing is
        found, correct unknown words or show partial matches (corrections.py: the plain words,
        within the filters). `rising`: the ids sort "rising" puts first, in its order
        (store.rising_ids). Raises QueryError for a query that cannot be used."""
        parsed = parse(text, typing=typing)
        evaluator = Evaluator(self, rising)
        ranked = parsed.ranked()
        total, matches = evaluator.page(ranked, sort, offset, limit)
        found = Found(total=total, matches=matches, terms={})
        used = ranked
        if total == 0 and repair_empty:
            fixed = repair(parsed, evaluator)
            if fixed is not None:
                used = fixed.ranked
                found.total, found.matches = evaluator.page(fixed.ranked, sort, offset, limit,
                                                            within=fixed.within)
                found.corrected, found.partial, found.words = (fixed.corrected, fixed.partial,
                                                               fixed.words)
        found.terms = self.matched_terms(used)
        return found

    @_lets_pages_go
    def facets(self, text: str, *, typing: bool = False, repair_empty: bool = True
               ) -> tuple[int, dict[str, list[tuple[object, int]]]]:
        """(how many papers a query finds, their counts by facet: facets.py), of the papers
        `find` gives (a correction or partial matches when nothing matches as typed)."""
        parsed = parse(text, typing=typing)
        evaluator = Evaluator(self)
        mask = evaluator.mask(parsed.query)
        if not mask.any() and repair_empty:
            fixed = repair(parsed, evaluator)
            if fixed is not None:
                mask = evaluator.mask(fixed.query, fixed.within)
        return int(mask.sum()), self._facet_counter().counts(evaluator.searcher, mask)

    def facets_of(self, paper_ids: list[str]) -> tuple[int, dict[str, list[tuple[object, int]]]]:
        """(how many of these papers are indexed, their counts by facet)."""
        searcher = self.searcher()
        counter = self._facet_counter()
        mask = counter.mask_of(searcher, paper_ids)
        return int(mask.sum()), counter.counts(searcher, mask)

    def _facet_counter(self):
        if self._facets is None:
            from .facets import FacetCounter
            self._facets = FacetCounter()
        return self._facets

    def matched_terms(self, q: query.Query) -> dict[str, set[str]]:
        """The index terms a query matches, by field (for highlighting), negations excluded."""
        searcher = self.searcher()
        reader = searcher.reader()
        fast = self._fast(searcher)
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

    @_lets_pages_go
    def similar(self, paper_id: str, text: str, limit: int = 5, *,
                categories: Iterable[str] = (), ranker: str = RANKER,
                number: int = SIMILAR_TERMS, category_count: int = CATEGORY_COUNT
                ) -> list[str]:
        """Ids of the papers most like this one (`text`: its title and abstract), by the
        profile of `number` terms `ranker` makes of it (recommend.py)."""
        s = self.searcher()
        docnum = s.document_number(id=paper_id)
        if docnum is None:
            return []
        if ranker == "centroid":
            liked = [Liked(paper_id, "", text, tuple(categories))]
            _, matches = self.recommend(liked, {paper_id}, limit, number=number, ranker=ranker,
                                        category_count=category_count)
            return [m.id for m in matches]
        fast = self._fast(s)
        key_terms = fast.key_terms("abstract", text, number) if fast is not None else None
        if key_terms is None:
            key_terms = s.key_terms_from_text("abstract", text, numterms=number)
        q = query.Or([query.Term(field, word, boost=weight)
                      for word, weight in key_terms for field in ("title", "abstract")])
        if fast is not None:
            page = fast.page(q, "relevance", 0, limit + 1)
            if page is not None:
                return [s.stored_fields(d)["id"] for d, _ in page[1] if d != docnum][:limit]
        hits = s.search(q, limit=limit + 1, mask=query.Term("id", paper_id))
        return [h["id"] for h in hits][:limit]

    @_lets_pages_go
    def recommend(self, liked: list[Liked], excluded: set[str], limit: int, *,
                  number: int = PROFILE_TERMS, ranker: str = RANKER,
                  category_count: int = CATEGORY_COUNT) -> tuple[Profile, list[Match]]:
        """The profile of the liked papers (`ranker`: "centroid" or "key_terms", see
        recommend.py) and the `limit` papers that match it best, `excluded` ids left out."""
        s = self.searcher()
        profile, ranked = rank(s, self._fast(s), liked, excluded, limit, number=number,
                               ranker=ranker, category_count=category_count)
        return profile, [Match(i, score) for i, score in ranked]

    def doc_count(self) -> int:
        """Documents in the index now: from the table of contents of its latest generation,
        leaving the shared searcher alone (an import thread asks this while the app's search
        may be using that searcher)."""
        try:
            return sum(segment.doc_count() for segment in internals.segments(self.ix))
        except Exception:  # the generation changed while it was read: ask a searcher
            return self.searcher().doc_count()


