"""The reader's start: the first screen comes from the store alone (a page of the newest
papers). What it does not need starts once that page is shown: the search index is opened and
checked (Library.open_index, as a start does: Whoosh is imported then), a big store's daily
whole-file check is done (Library.check_store), the index is warmed up (then what the start
built is frozen out of the garbage collector's walks: memory.py), and the views are counted
(COUNT queries over every paper). Nothing before the first paint grows with
the collection. A search typed meanwhile waits for the index (Library.index), the list and the
detail pane do not.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message

from .memory import freeze_survivors


class Starting:
    """The MainScreen's part of the start (a mixin: MainScreen provides `library`, whose gate
    gives the Library itself as `library.library`, `refresh_counts`, and `reader`, the
    app, which tells the library's notices)."""

    _started = False  # the work after the first screen has been started

    @dataclass
    class IndexOpened(Message):
        """The index was opened and checked, and the store (the library's notices say what
        they found and did: a rebuild)."""

    def listing_applied(self) -> None:
        """A listing (or why there is none) was shown: the first time, once it is painted,
        the index opens and the views are counted."""
        if self._started:
            return
        self._started = True
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self._open_index()
        self.refresh_counts()

    @work(thread=True, group="warm-up", exit_on_error=False,
          description="Preparing the search index")
    def _open_index(self) -> None:
        # Outside the gate: a paper shown meanwhile does not wait for them, a search waits for
        # the index (or opens it, the first call that needs it: a similar paper's lookup)
        library = self.library.library
        library.open_index()
        library.check_store()  # (SQLite's own connection of this thread)
        self.post_message(self.IndexOpened())
        self.library.warm_up()
        if self.reader.freeze_start:
            freeze_survivors()

    def on_starting_index_opened(self, message: IndexOpened) -> None:
        self.reader.tell_notices()
