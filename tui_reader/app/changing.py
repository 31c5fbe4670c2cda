"""Changing the user's data from the main screen: bookmarks, read state, notes, marking a list
read, deleting a saved search, and undoing any of them (undo.py keeps what to revert); and
moving to the next or previous unread paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import work
from textual.message import Message

from ..models import PaperView, counted
from .gate import guarded
from .text import one_line
from .undo import UndoStack
from .views import SAVED, view_label
from .widgets.paper_list import PAGE, Listing

CONFIRM_OVER = 50  # marking more papers read than this asks first


def quoted(title: str) -> str:
    """A title (or name) in quotes, on one line."""
    return f"“{one_line(title)}”"


class Changing:
    """The MainScreen's part of changing the user's data (a mixin: MainScreen provides
    `library`, `papers`, `view`, `searches`, `sidebar`, `ask`, `changed`, `need_paper`,
    `run_search`, `refresh_counts`, `open_view` and `say`)."""

    undo_stack: UndoStack

    @dataclass
    class MarkedAllRead(Message):
        """The papers of a list that were unread are read now."""

        ids: list[str]

    @dataclass
    class FoundUnread(Message):
        """The next (or previous) unread paper of the list shown as `generation` is at
        `index` (None: there is none)."""

        generation: int
        index: int | None
        step: int

    # -- one paper -------------------------------------------------------------------------
    @guarded("Bookmarking")
    def action_bookmark(self) -> None:
        paper = self.need_paper()
        if paper is None:
            return
        updated = self.library.bookmark(paper.id, not paper.bookmarked)
        self.undo_stack.record(f"the bookmark of {quoted(paper.readable_title)}",
                               partial(self.library.bookmark, paper.id, paper.bookmarked))
        self.changed(updated)
        self.notify(("Bookmarked: " if updated.bookmarked else "Bookmark removed: ")
                    + one_line(updated.readable_title), markup=False, timeout=2)

    @guarded("Marking read")
    def action_toggle_read(self) -> None:
        paper = self.need_paper()
        if paper is None:
            return
        self._stop_read_timer()
        self.library.mark_read(paper.id, not paper.read)
        self.undo_stack.record(f"marking {quoted(paper.readable_title)} "
                               + ("unread" if paper.read else "read"),
                               partial(self.library.mark_read, paper.id, paper.read))
        self.changed(paper.model_copy(update={"read": not paper.read}))

    def save_note(self, paper: PaperView, text: str) -> None:
        """Save the note of a paper (the note editor calls this; an error stays there)."""
        before = self.library.paper(paper.id).note
        updated = self.library.note(paper.id, text)
        if (updated.note or "") != (before or ""):
            self.undo_stack.record(f"the note change of {quoted(paper.readable_title)}",
                                   partial(self.library.note, paper.id, before or ""))
        self.changed(updated)

    # -- the whole list --------------------------------------------------------------------
    def action_mark_all_read(self) -> None:
        """Mark every paper of the list shown read (asks first when there are many)."""
        listing, total = self.papers.listing, self.papers.total
        if listing is None or not total:
            self.notify("No papers here to mark read.", severity="warning", timeout=2)
            return
        if total <= CONFIRM_OVER:
            self._mark_all_read(listing, total)
            return
        from .screens.confirm import Confirm

        question = Text(f"Mark all {counted(total, 'paper')} of this list read?")
        self.app.push_screen(Confirm(question, yes="Mark read"),
                             lambda yes: yes and self._mark_all_read(listing, total))

    @work(thread=True, exclusive=True, group="mark-all-read", exit_on_error=False,
          description="Marking the list read")
    def _mark_all_read(self, listing: Listing, total: int) -> None:
        rows = self.ask(listing, 0, total).rows
        ids = [row.paper.id for row in rows if not row.paper.read]
        self.library.mark_read_many(ids)
        self.post_message(self.MarkedAllRead(ids))

    def on_changing_marked_all_read(self, message: MarkedAllRead) -> None:
        ids = message.ids
        self.undo_stack.record(f"marking {counted(len(ids), 'paper')} read",
                               partial(self.library.mark_read_many, ids, False))
        self.say(f"Marked {counted(len(ids), 'paper')} read (z undoes).")
        self.after_change()

    # -- saved searches --------------------------------------------------------------------
    def action_delete_search(self) -> None:
        if not self.view.startswith(SAVED):
            self.notify("Open a saved search first (in the sidebar); d deletes it.",
                        severity="warning", timeout=3)
            return
        from .screens.confirm import Confirm, naming

        name = view_label(self.view)
        self.app.push_screen(Confirm(naming("Delete the saved search", name)),
                             partial(self._delete_search, name))

    @guarded("Deleting the saved search")
    def _delete_search(self, name: str, yes: bool | None) -> None:
        if not yes:
            return
        search = next((s for s in self.searches if s.name == name), None)
        self.library.delete_search(name)
        if search is not None:
            self.undo_stack.record(f"deleting the saved search {quoted(name)}",
                                   partial(self.library.save_search, search.name,
                                           search.query, search.sort))
        self.searches = [s for s in self.searches if s.name != name]
        self.sidebar.set_searches(self.searches)
        self.notify(f"Deleted the saved search {quoted(name)}.", markup=False, timeout=2)
        self.open_view("all")
        self.refresh_counts()

    # -- undo ------------------------------------------------------------------------------
    @guarded("Undoing")
    def action_undo(self) -> None:
        """Revert the latest change to the user's data."""
        change = self.undo_stack.undo()
        if change is None:
            self.say("Nothing to undo.")
            return
        self.say(f"Undone: {change.what}.")
        self.after_change()

    def after_change(self) -> None:
        """Many papers or a saved search changed: show the list, its paper and the views
        anew (the cursor stays)."""
        self.searches = self.library.saved_searches()
        self.sidebar.set_searches(self.searches)
        self.sidebar.set_current(self.view)
        self.run_search(0, keep_cursor=True)
        self.refresh_counts()

    # -- unread papers ---------------------------------------------------------------------
    def action_next_unread(self) -> None:
        self._seek_unread(1)

    def action_previous_unread(self) -> None:
        self._seek_unread(-1)

    def _seek_unread(self, step: int) -> None:
        papers = self.papers
        if papers.listing is None or not papers.total:
            return
        self._find_unread(papers.generation, papers.listing, papers.total, papers.cursor, step,
                          papers.loaded_pages())

    @work(thread=True, exclusive=True, group="seek-unread", exit_on_error=False,
          description="Looking for an unread paper")
    def _find_unread(self, generation: int, listing: Listing, total: int, cursor: int,
                     step: int, pages: dict[int, list]) -> None:
        index = cursor + step
        while 0 <= index < total:
            page = index // PAGE
            if page not in pages:  # the list has not fetched it: fetch it here
                pages[page] = self.ask(listing, page * PAGE, PAGE).rows
            rows = pages[page]
            if index % PAGE < len(rows) and not rows[index % PAGE].paper.read:
                break
            index += step
        else:
            index = None
        self.post_message(self.FoundUnread(generation, index, step))

    def on_changing_found_unread(self, message: FoundUnread) -> None:
        if message.generation != self.papers.generation:
            return  # the list changed meanwhile
        if message.index is None:
            where = "after" if message.step > 0 else "before"
            self.say(f"No unread paper {where} this one.")
            return
        self.papers.cursor = message.index
