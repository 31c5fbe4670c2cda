"""The Library: the one facade the app and the CLI use (ingest -> store and index)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from . import paths
from .checking import Checking, IndexDamaged
from .discovering import Discovering
from .importing import STALE_RETRIES, ImportProgress, Importing, IndexFeeder
from . import index as text_index  # Whoosh is imported when the index is first used
from .latex import readable
from .locks import FileLock, is_locked
from .models import (SORTS, VIEWS, FacetCounts, Highlight, ImportReport, LibraryVersion, Paper,
                     PaperView, SavedSearch, SearchHit, SearchResult, tag_name)
from .store import Store, StoreError

__all__ = ["Library", "ImportProgress", "StoreError", "SORTS", "VIEWS"]

NOTE_INDEX_WAIT = 1.0  # seconds a note waits for the index writer (else written at next start)


def _tag_names(names: Iterable[str]) -> list[str]:
    """Tag names as the library keeps them (models.tag_name), each once; ValueError for a
    name that has nothing of a tag."""
    found = []
    for name in names:
        tag = tag_name(name)
        if not tag:
            raise ValueError(f"{name!r} is not a tag name: letters, digits, - _ . / only")
        found.append(tag)
    return list(dict.fromkeys(found))


def _as_indexed(query: str) -> str:
    """A query's LaTeX read as titles and abstracts are indexed (`\\textit{Can}`: Can); an
    over-long query is left for the parser to refuse."""
    return readable(query, ties=False) if len(query) <= text_index.MAX_QUERY_CHARS else query


class UnknownPaper(LookupError):
    """No paper (or more than one) matches the id the user gave."""


class Library(Importing, Checking, Discovering):
    """The papers and the user's data of one data dir."""

    def __init__(self, data_dir: str | Path | None = None, *,
                 progress: Callable[[int, int], None] | None = None, mend_index: bool = True,
                 defer_checks: bool = False):
        """Open (or make) the library of a data dir. A damaged store is repaired (store/repair.py);
        an unusable index is rebuilt from the store, `progress(done, total)` meanwhile
        (`mend_index` False: left for `check` to find). `notices`: a sentence for the user
        about each thing start-up found and did.

        `defer_checks`: the index is opened and checked by `open_index` (or by the first use
        of `index`, which waits for it), and the daily whole-file check of a big store by
        `check_store`: the reader calls them in the background once its first screen, from
        the store, is shown (their notices come then).

        A library that cannot be written (a read-only mount, a CD, another user's files) is
        opened read-only: `read_only` is the notice that says so (else None), nothing is
        repaired or rebuilt, and a change raises ReadOnly."""
        self.root = paths.data_dir(data_dir)
        writable = paths.writable(self.root)
        self.read_only = None if writable else (
            f"the library in {self.root} is read-only: you can read and search it, but"
            " changes cannot be saved")
        self._import_lock = FileLock(paths.import_lock_path(self.root))
        self._import_holder: tuple[int, int] | None = None  # (thread, depth) holding it
        self._import_guard = threading.Lock()
        self.store = Store(paths.store_path(self.root), backup=paths.backup_path(self.root),
                           read_only=not writable, deep_check_later=defer_checks)
        self.notices = [n for n in (self.store.recovered, self.read_only) if n]
        self.index_rebuilt = False
        self._feeder: IndexFeeder | None = None  # the running import's index writer
        self._feeder_lock = threading.Lock()
        self._index: text_index.PaperIndex | None = None
        self._index_opening = threading.RLock()  # held while the index is opened and checked
        self._index_ready = threading.Event()  # set once it has been
        self._mend_index = writable and mend_index
        if not defer_checks:
            self.open_index(progress)

    @property
    def index(self) -> text_index.PaperIndex:
        """The search index, opened and checked (`open_index`) at its first use."""
        if self._index_ready.is_set():
            return self._index
        return self.open_index()

    @index.setter
    def index(self, index: text_index.PaperIndex) -> None:
        self._index = index
        self._index_ready.set()

    def open_index(self, progress: Callable[[int, int], None] | None = None
                   ) -> text_index.PaperIndex:
        """Open the index and check it as a start does (Importing._check_index: the papers it
        lacks written, rebuilt when unusable, `progress(done, total)` meanwhile); once. Other
        threads wait for it; returns the index."""
        with self._index_opening:
            if self._index is None:
                self._index = text_index.PaperIndex(paths.index_path(self.root))
                try:
                    if self._mend_index:
                        self._check_index(progress)
                finally:
                    self._index_ready.set()
            return self._index

    def check_store(self) -> None:
        """The whole-file check of the store that the open left for later (`defer_checks`);
        a damaged file is said in `notices` (the next start repairs it)."""
        try:
            found = self.store.deep_check()
        except StoreError as exc:  # a damaged page met: the next start checks and repairs
            found = f"{exc}: start tui-reader again to repair it"
        if found:
            self.notices.append(found)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.store.close()

    def _views(self, papers: list[Paper]) -> list[PaperView]:
        ids = [p.id for p in papers]
        flags, tags = self.store.user_flags(ids), self.store.tags_of(ids)
        # Papers from the store are valid already: no second validation (a tenth of a search)
        return [PaperView.model_construct(**dict(p), bookmarked=flags[p.id][0],
                                          note=flags[p.id][1], read=flags[p.id][2],
                                          tags=tags.get(p.id, []))
                for p in papers]

    def resolve(self, ref: str) -> str:
        """The id of the paper an id, id prefix or arXiv id names; UnknownPaper otherwise."""
        found = self.store.resolve_id(ref.strip())
        if not found:
            raise UnknownPaper(f"no paper with the id {ref!r}")
        if len(found) > 1 and ref not in found:
            raise UnknownPaper(f"the id {ref!r} is ambiguous: {', '.join(found[:5])}")
        return ref if ref in found else found[0]

    def paper(self, ref: str) -> PaperView:
        """One paper with its sources, bookmark, note and read state."""
        paper = self.store.paper(self.resolve(ref))
        return self._views([paper])[0]

    def browse(self, view: str = "all", *, sort: str = "date", offset: int = 0,
               limit: int = 100) -> tuple[int, list[PaperView]]:
        """A page of a view: all, bookmarks, notes, unread, new or foryou (ranked: `sort`
        does not apply)."""
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r} (views: {', '.join(VIEWS)})")
        if view == "foryou":
            found = self.recommend(offset=offset, limit=limit)
            return found.total, [r.paper for r in found.results]
        total, papers = self.store.browse(view, sort if sort in SORTS else "date", offset, limit)
        return total, self._views(papers)

    def search(self, text: str, *, sort: str = "relevance", offset: int = 0,
               limit: int = 50, typing: bool = False, repair: bool = True,
               fragments: bool = True, sources: bool = False) -> SearchResult:
        """Search the index; errors come back in the result, never raised. `typing`: the
        last word is still being typed (matched as a prefix). `repair`: when nothing
        matches, show the results of a correction of unknown words, else partial matches
        (the result says which). `fragments`: each hit with the part of its abstract that
        matched, highlighted (a list of titles needs none). `sources`: each hit with its
        sources and upvote history, as `paper` gives them (one store query for the page).
        LaTeX in the query is read as it is in titles and abstracts, which are indexed as read
        (`\\textit{Can}`: Can)."""
        if sort not in SORTS:
            return SearchResult(query=text, sort=sort,
                                error=f"unknown sort {sort!r} (sorts: {', '.join(SORTS)})")
        if not text.strip() or (typing and text_index.too_short_to_search(text)):
            total, papers = self.browse("all", sort="date" if sort == "relevance" else sort,
                                        offset=offset, limit=limit)
            return SearchResult(query=text, sort=sort, total=total, hits=[
                SearchHit(paper=p, title=Highlight(text=p.readable_title),
                          fragment=text_index.fragment(p.readable_abstract)) for p in papers])
        try:
            wanted = _as_indexed(text)
            rising = self.store.rising_ids() if sort == "rising" else []
            found = self._fresh(lambda: self.index.find(wanted, sort, offset, limit,
                                                        typing=typing, repair_empty=repair,
                                                        rising=rising))
        except (text_index.QueryError, IndexDamaged) as exc:
            return SearchResult(query=text, sort=sort, error=str(exc))
        except Exception as exc:  # Whoosh on odd input
            return SearchResult(query=text, sort=sort, error=f"cannot run this query ({exc})")
        matches, terms = found.matches, found.terms
        papers = self.store.papers([m.id for m in matches])
        views = {v.id: v for v in self._views([papers[m.id] for m in matches if m.id in papers])}
        if sources:
            self.store.add_sources(list(views.values()))
        hits = [SearchHit(paper=views[m.id], score=m.score,
                          title=text_index.highlight(views[m.id].readable_title,
                                                     terms.get("title", set()), "title"),
                          fragment=text_index.fragment(views[m.id].readable_abstract,
                                                       terms.get("abstract", set()))
                          if fragments else Highlight(text=""))
                for m in matches if m.id in views]
        return SearchResult(query=text, sort=sort, total=found.total, hits=hits,
                            terms={f: sorted(t) for f, t in terms.items()},
                            corrected=found.corrected, partial=found.partial,
                            partial_of=found.words)

    def typed_as_written(self, text: str) -> bool:
        """Whether `search(text, typing=True)` is `search(text)`: its last word is no prefix
        (the text ends with a space, the word is a phrase or a field's value...)."""
        return text_index.typed_as_written(_as_indexed(text))

    def facets(self, text: str = "", *, view: str = "all", tag: str | None = None,
               typing: bool = False, repair: bool = True) -> FacetCounts:
        """The papers a search shows (`search` with these options), or a view's papers when
        the query is blank (the view foryou with a `tag`: For you of that tag), counted by
        year, organisation, category and tag; errors come back in the result."""
        blank = not text.strip() or (typing and text_index.too_short_to_search(text))
        if blank and view not in VIEWS:
            raise ValueError(f"unknown view {view!r} (views: {', '.join(VIEWS)})")
        try:
            if blank and view != "all":
                total, counts = self._fresh(self.index.facets_of, self._view_ids(view, tag))
            else:
                total, counts = self._fresh(lambda: self.index.facets(
                    _as_indexed(text) if not blank else "*", typing=typing,
                    repair_empty=repair))
        except (text_index.QueryError, IndexDamaged) as exc:
            return FacetCounts(query=text, error=str(exc))
        except Exception as exc:  # Whoosh on odd input
            return FacetCounts(query=text, error=f"cannot run this query ({exc})")
        return FacetCounts(query=text, total=total, counts=counts)

    def _view_ids(self, view: str, tag: str | None = None) -> list[str]:
        """The ids of every paper of a view (For you, of a `tag` when given: as ranked, from
        the index)."""
        if view == "foryou":
            return self.recommended_ids(tag)
        return self.store.view_ids(view)

    def warm_up(self) -> None:
        """Prepare the index for searching (a reader calls this in the background at start:
        the first key press then finds it ready)."""
        self._fresh(self.index.warm_up)

    def _fresh(self, read, *args):
        """`read(*args)` on the index, again on a new searcher when it fails: another process's
        commit may have removed the files of segments this searcher had not opened yet (it
        then reads the new generation). The last failure is raised; damage as IndexDamaged
        (the index is marked for a rebuild)."""
        for attempt in range(STALE_RETRIES):
            try:
                return read(*args)
            except text_index.QueryError:
                raise
            except Exception as exc:
                if attempt == STALE_RETRIES - 1:
                    if isinstance(exc, text_index.DAMAGE):
                        raise self._index_damaged(exc) from exc
                    raise
                self.index.close()  # the next read opens the index's current generation
                time.sleep(0.02 * (attempt + 1))

    def highlight(self, text: str, terms: Iterable[str], field: str = "abstract") -> Highlight:
        """`text` with the index terms of `field` that a search matched (SearchResult.terms)
        marked, for a detail pane: no query is parsed again."""
        return text_index.highlight(text, set(terms), field)

    def similar(self, ref: str, limit: int = 5) -> list[PaperView]:
        """The papers most like this one."""
        paper = self.store.paper(self.resolve(ref))
        ids = [i for i in self._fresh(lambda: self.index.similar(
                   paper.id, f"{paper.readable_title}\n{paper.readable_abstract}", limit,
                   categories=paper.categories)) if i != paper.id]
        papers = self.store.papers(ids)
        return self._views([papers[i] for i in ids if i in papers])

    # -- user data -----------------------------------------------------------------------
    def bookmark(self, ref: str, on: bool = True) -> PaperView:
        """Bookmark a paper (or remove the bookmark)."""
        paper = self.store.paper(self.resolve(ref))
        self.store.set_bookmark(paper.id, paper.title, on)
        return self._views([paper])[0]

    def note(self, ref: str, text: str) -> PaperView:
        """Set the note of a paper (blank text removes it); the index learns it for note:word."""
        paper = self.store.paper(self.resolve(ref))
        self.store.set_note(paper.id, paper.title, text)
        self._index_user_data([paper])
        return self._views([paper])[0]

    def _index_user_data(self, papers: list[Paper]) -> None:
        """Write the index documents of papers whose note or tags changed (pending in the
        store), or give them to the running import's writer."""
        docs = self.documents(papers)
        with self._feeder_lock:
            if self._feeder is not None:  # an import holds the index writer: it writes these
                for doc in docs:
                    self._feeder.queue(doc)
                return
        self._index_now(docs)

    def _index_now(self, docs: list[dict]) -> None:
        """Write these documents if the index is free within NOTE_INDEX_WAIT seconds.
        Otherwise (another process imports, the index is damaged, the disk is full) the user's
        change is saved all the same and its documents stay pending: the next start writes
        them. While another process imports, the index is not written at all: its helper
        writer's segment is not in the index yet, and a commit here would clean its files
        away."""
        if self._import_holder is None and is_locked(paths.import_lock_path(self.root)):
            return
        try:
            self.index.write(docs, timeout=NOTE_INDEX_WAIT)
        except Exception:
            return
        self.store.index_done([doc["id"] for doc in docs])

    def tag(self, refs: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()
            ) -> list[PaperView]:
        """Add and remove tags on papers (ids, id prefixes or arXiv ids; tag names as typed,
        made `tag_name`s); every paper is resolved first (UnknownPaper: nothing changes).
        Returns the papers whose tags changed, with their tags now."""
        ids = list(dict.fromkeys(self.resolve(ref) for ref in refs))
        added, removed = _tag_names(add), _tag_names(remove)
        papers = self.store.papers(ids)
        changed = self.store.change_tags([(i, papers[i].title) for i in ids if i in papers],
                                         [t for t in added if t not in removed], removed)
        if not changed:
            return []
        touched = [papers[i] for i in ids if i in changed]
        self._index_user_data(touched)
        return self._views(touched)

    def known(self, ids: Iterable[str]) -> list[str]:
        """Those of these paper ids that are in the library, in their order (an import in
        another process may have replaced or removed the others)."""
        ids = list(ids)
        found = self.store.papers(ids)
        return [i for i in dict.fromkeys(ids) if i in found]

    def tags_of(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """The tags of these papers (ids as the store has them; untagged ones left out)."""
        return self.store.tags_of(list(ids))

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of its papers, the most used first, then by name."""
        return self.store.tag_counts()

    def mark_read(self, ref: str, read: bool = True) -> None:
        """Mark a paper read (or unread); not kept in a read-only library (said at start)."""
        if self.read_only:
            return
        paper = self.store.paper(self.resolve(ref))
        self.store.set_read(paper.id, paper.title, read)

    def mark_read_many(self, ids: Iterable[str], read: bool = True) -> int:
        """Mark these papers (ids as the store has them) read or unread at once; how many
        of them are in the store."""
        papers = self.store.papers(list(dict.fromkeys(ids)))
        self.store.set_read_many([(p.id, p.title) for p in papers.values()], read)
        return len(papers)

    def bookmarks(self) -> list[PaperView]:
        """Bookmarked papers, newest bookmark first (papers gone from the store keep their title)."""
        return self._user_papers([(b.paper_id, b.title) for b in self.store.bookmarks()])

    def notes(self) -> list[PaperView]:
        """Papers with notes, newest note first."""
        return self._user_papers([(n.paper_id, n.title) for n in self.store.notes()])

    def _user_papers(self, refs: list[tuple[str, str]]) -> list[PaperView]:
        papers = self.store.papers([i for i, _ in refs])
        return self._views([papers.get(i) or Paper(id=i, title=title) for i, title in refs])

    def saved_searches(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        return self.store.saved_searches()

    def save_search(self, name: str, query: str, sort: str = "relevance") -> SavedSearch:
        """Keep a query under a name (an existing name is replaced)."""
        name = name.strip()
        if not name:
            raise ValueError("a saved search needs a name")
        search = SavedSearch(name=name, query=query, sort=sort)
        self.store.save_search(search)
        return search

    def delete_search(self, name: str) -> bool:
        """Forget a saved search; False when there was none of that name."""
        return self.store.delete_search(name)

    def count(self, query: str) -> int:
        """How many papers a query finds as it is (0 for a query that cannot be used)."""
        return self.search(query, limit=1, repair=False, fragments=False).total

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A setting's value, or `default`."""
        return self.store.setting(key, default)

    def set_setting(self, key: str, value: str) -> None:
        """Set a setting (kept with the user's data, backed up; not kept in a read-only
        library, as said at start)."""
        if not self.read_only:
            self.store.set_setting(key, value)

    def version(self) -> LibraryVersion:
        """Where the library is now, for `changes` (two pragmas and a row: cheap)."""
        papers, user = self.store.data_versions()
        return LibraryVersion(papers, user, self.store.generation())

    def changes(self, since: LibraryVersion) -> tuple[LibraryVersion, frozenset[str]]:
        """What changed since `since` (a `version`): "papers" when papers were stored (an
        import, of this process too), "user" when another process changed the user's data
        (a bookmark, note, tag, saved search, read state: this process's own changes are
        not counted). Two pragmas when nothing changed; no look at the index (a search
        reopens it when another process committed to it). SQLite's data versions are per
        connection: one thread asks, always the same."""
        papers, user = self.store.data_versions()
        generation, elsewhere = since.generation, False
        if user != since.user:
            generation, elsewhere = self.store.changed_elsewhere(since.generation)
        changed = {"papers"} if papers != since.papers else set()
        if elsewhere:
            changed.add("user")
        return LibraryVersion(papers, user, generation), frozenset(changed)

    def stats(self) -> dict[str, int]:
        """Counts: papers, sources (files), bookmarks, notes, saved_searches, read."""
        return self.store.counts()

    def fast_paths_off(self) -> str | None:
        """Why the index's fast paths are off (the installed Whoosh is not the release they
        were written for: plain Whoosh serves), or None when they are on."""
        return self.index.fast_paths_problem if not self.index.fast_search else None

    def last_import(self) -> tuple[int, int] | None:
        """(new, updated) of the latest import that added papers."""
        return self.store.last_import()

    def is_empty(self) -> bool:
        return self.store.is_empty()

    def import_samples_if_new(self) -> ImportReport | None:
        """A library that never imported anything imports the bundled sample dumps."""
        if not self.is_empty():
            return None
        return self.import_paths([paths.sample_dumps()])

