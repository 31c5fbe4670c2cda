"""The Library as the app uses it: one call at a time.

The app calls the Library from the UI thread and from worker threads (search as you type,
pages of the list, similar papers, counts). SQLite connections are per thread in the store, but
the index shares one Whoosh searcher, which is not made for concurrent use; so every call goes
through one lock. Calls are short (a page of results, one paper), so the UI never waits long.
"""

from __future__ import annotations

import functools
import threading
from typing import Any


class LibraryGate:
    """A proxy of a Library whose methods run one at a time (attributes pass through)."""

    def __init__(self, library: Any):
        self._library = library
        self._lock = threading.RLock()
        self._shut = False

    def shut(self) -> None:
        """No more calls (the app is ending): waits for the one running, so the library can
        be closed while worker threads are still about; later calls raise RuntimeError."""
        with self._lock:
            self._shut = True

    @property
    def library(self) -> Any:
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
