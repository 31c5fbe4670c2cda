"""The Library as the app uses it: one call at a time.

The app calls the Library from the UI thread and from worker threads (search as you type,
pages of the list, similar papers, counts). SQLite connections are per thread in the store, but
the index shares one Whoosh searcher, which is not made for concurrent use; so every call goes
through one lock. Calls are short (a page of results, one paper), so the UI never waits long.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..models import (FacetCounts, Highlight, ImportReport, LibraryVersion, PaperView,
                      Recommendations, SavedSearch, SearchResult)

if TYPE_CHECKING:  # the reader does not import the Library's parts (it is given one)
    from ..importing import ImportProgress


class ReaderLibrary(Protocol):
    """What the reader uses of a Library (tui_reader.library.Library)."""

    root: Path
    notices: list[str]

    def paper(self, ref: str) -> PaperView: ...

    def browse(self, view: str = "all", *, sort: str = "date", offset: int = 0,
               limit: int = 100) -> tuple[int, list[PaperView]]: ...

    def search(self, text: str, *, sort: str = "relevance", offset: int = 0, limit: int = 50,
               typing: bool = False, repair: bool = True,
               fragments: bool = True) -> SearchResult: ...

    def typed_as_written(self, text: str) -> bool: ...

    def count(self, query: str) -> int: ...

    def facets(self, text: str = "", *, view: str = "all", tag: str | None = None,
               typing: bool = False, repair: bool = True) -> FacetCounts: ...

    def open_index(self) -> object: ...

    def check_store(self) -> None: ...

    def warm_up(self) -> None: ...

    def highlight(self, text: str, terms: Iterable[str],
                  field: str = "abstract") -> Highlight: ...

    def similar(self, ref: str, limit: int = 5) -> list[PaperView]: ...

    def recommend(self, tag: str | None = None, *, offset: int = 0,
                  limit: int = 20) -> Recommendations: ...

    def bookmark(self, ref: str, on: bool = True) -> PaperView: ...

    def note(self, ref: str, text: str) -> PaperView: ...

    def tag(self, refs: Iterable[str], add: Iterable[str] = (),
            remove: Iterable[str] = ()) -> list[PaperView]: ...

    def tags(self) -> list[tuple[str, int]]: ...

    def known(self, ids: Iterable[str]) -> list[str]: ...

    def tags_of(self, ids: Iterable[str]) -> dict[str, list[str]]: ...

    def mark_read(self, ref: str, read: bool = True) -> None: ...

    def mark_read_many(self, ids: Iterable[str], read: bool = True) -> int: ...

    def saved_searches(self) -> list[SavedSearch]: ...

    def save_search(self, name: str, query: str, sort: str = "relevance") -> SavedSearch: ...

    def delete_search(self, name: str) -> bool: ...

    def setting(self, key: str, default: str | None = None) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...

    def last_import(self) -> tuple[int, int] | None: ...

    def is_empty(self) -> bool: ...

    def version(self) -> LibraryVersion: ...

    def changes(self, since: LibraryVersion) -> tuple[LibraryVersion, frozenset[str]]: ...

    def import_samples_if_new(self) -> ImportReport | None: ...

    def import_paths(self, inputs: Iterable[str | Path], *, year: int | None = None,
                     progress: Callable[[ImportProgress], None] | None = None
                     ) -> ImportReport: ...


class LibraryGate:
    """A proxy of a Library whose methods run one at a time (attributes pass through)."""

    def __init__(self, library: ReaderLibrary):
        self._library = library
        self._lock = threading.RLock()
        self._shut = False

    def shut(self) -> None:
        """No more calls (the app is ending): waits for the one running, so the library can
        be closed while worker threads are still about; later calls raise RuntimeError."""
        with self._lock:
            self._shut = True

    @property
    def library(self) -> ReaderLibrary:
        """The library itself, for calls that must not wait for the gate (an import)."""
        return self._library

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._library, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                if self._shut:
                    raise RuntimeError("the reader has closed the library")
                return attr(*args, **kwargs)

        return call


def guarded(what: str):
    """Run a screen's action; a failing Library call becomes a notification, not a crash."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # the store or the index said no: tell, go on
                self.notify(f"{what} failed: {exc}", severity="error", markup=False, timeout=8)
                return None

        return wrapper

    return decorate
