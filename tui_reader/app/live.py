"""Live updates: what another process changes while the reader is open (the command line's
bookmark, note, tag or saved search, an import) shows within about two seconds, no key pressed.

Every LOOK_EVERY seconds the screen asks the Library what changed (`Library.changes`: two
SQLite pragmas when nothing did; the index is not looked at: a search reopens it when another
process committed to it). When papers were stored, or another process changed the user's data,
the reader refreshes what it shows: the views' counts and saved searches, the list (the cursor
stays on its paper) and the paper of the detail pane (its bookmark, note and read state; the
pane is not scrolled back). The reader's own changes are shown already and refresh nothing.
While the user types a search the refresh waits for a pause (the box is never touched), and
it comes at most every REFRESH_EVERY seconds (an import stores papers batch after batch).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import work
from textual.message import Message

from ..models import LibraryVersion, PaperView, SavedSearch
from .text import one_line
from .views import SAVED, view_label
from .widgets.paper_list import Row

LOOK_EVERY = 0.5  # seconds between two looks at the store
REFRESH_EVERY = 1.5  # seconds at least between two refreshes


class Live:
    """The MainScreen's part of live updates (a mixin: MainScreen provides `library`,
    `papers`, `detail`, `search_box`, `typed_at`, `view`, `searches`, `run_search`,
    `refresh_counts`, `changed`, `open_view` and the search tokens `_token`, `_applied`)."""

    _live_version: LibraryVersion | None = None
    _live_due = False  # a change was seen and is not shown yet
    _live_shown_at = 0.0  # time.monotonic() of the latest refresh
    _live_token = -1  # the search the latest refresh started
    _live_paper: str | None = None  # the paper under the cursor when it started

    @dataclass
    class Reread(Message):
        """The paper of the detail pane, as the store has it now."""

        paper: PaperView

    def start_live(self) -> None:
        """Look at the store from now on (called when the screen is mounted)."""
        try:
            self._live_version = self._raw_library().version()
        except Exception:  # the store cannot answer: the reader works, without live updates
            return
        self.set_interval(LOOK_EVERY, self.look, name="live updates")

    def _raw_library(self):
        """The Library itself: a look reads two pragmas on this thread's own SQLite
        connection and must not wait for a search holding the gate."""
        return self.library.library

    def look(self) -> None:
        """Ask the store what changed; refresh when something did and the user is not typing."""
        if self._live_version is None:
            return
        try:
            self._live_version, changed = self._raw_library().changes(self._live_version)
        except Exception:  # the store is busy or going away: the next look asks again
            return
        self._live_due = self._live_due or bool(changed)
        now = time.monotonic()
        typing = (self.focused is self.search_box
                  and now - self.typed_at < self.reader.typing_pause)
        if self._live_due and not typing and now - self._live_shown_at >= REFRESH_EVERY:
            self._live_due = False
            self._live_shown_at = now
            self.live_refresh()

    def live_refresh(self) -> None:
        """Show the library as it is now: counts, saved searches, the list, the detail pane."""
        row = self.papers.current
        self._live_paper = row.paper.id if row else None
        self.run_search(0, keep_cursor=True)
        self._live_token = self._token
        self.refresh_counts()
        if self.detail.paper is not None:
            self._reread(self.detail.paper.id)

    @work(thread=True, exclusive=True, group="live", exit_on_error=False,
          description="Reading the paper again")
    def _reread(self, paper_id: str) -> None:
        try:
            paper = self.library.paper(paper_id)
        except LookupError:  # gone from the store: the list's refresh shows what is there
            return
        self.post_message(self.Reread(paper))

    def on_live_reread(self, message: Reread) -> None:
        shown = self.detail.paper
        if shown is not None and shown.id == message.paper.id:
            self.changed(message.paper, counts=False)

    def follow_saved_search(self, before: list[SavedSearch]) -> None:
        """The saved searches changed (elsewhere: the reader's own changes are there already):
        the one that is open follows, to All papers when it was deleted, to its new query
        when that changed."""
        if not self.view.startswith(SAVED):
            return
        now = next((s for s in self.searches if SAVED + s.name == self.view), None)
        was = next((s for s in before if SAVED + s.name == self.view), None)
        if now is None:
            self.notify(f"The saved search “{one_line(view_label(self.view))}” was deleted"
                        " elsewhere.", markup=False, timeout=4)
            self.open_view("all")
        elif was is not None and now.query != was.query:
            self.open_view(self.view)

    def kept_in_place(self, row: Row | None) -> bool:
        """Whether this highlight is a refresh's that kept the cursor on its paper: the
        detail pane stays as it is (scrolled, with its similar papers; the paper re-read)."""
        if self._live_paper is None or self._applied != self._live_token:
            return False
        paper_id, self._live_paper = self._live_paper, None
        return row is not None and row.paper.id == paper_id
