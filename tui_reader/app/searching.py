"""Search as you type: the main screen's listing asked of the Library in a worker.

Every change of the query or the view starts a search (after the debounce); only the latest
answer is applied. While a query is typed its last word is a prefix; a search that found
nothing so runs again with the word complete once the typing pauses, which corrects a typo.
A search entered (enter, a saved search, a view reopened, a facet chosen) is the query as
written: the same results as `tui-reader search` and the saved search of the same query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import partial

from rich.text import Text
from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from ..models import VIEWS, Highlight, counted
from .discover import for_you_order, for_you_rows, is_for_you
from .gate import guarded
from .reading import wait_in_worker
from .text import one_line
from .views import SAVED, SORT_LABELS, TAG, VIEW_TEXTS, view_label
from .widgets.paper_list import PAGE, Listing, Row
from .widgets.search_box import Suggestion

SAY_FOR = 6.0  # seconds the status line says what a key did


@dataclass
class Outcome:
    """The first page of a listing (or why there is none), with the index terms the search
    matched by field (what the detail pane highlights); a search that found nothing as
    typed shows the results of `corrected` (the text searched instead) or papers with
    `partial` of its `partial_of` words."""

    total: int = 0
    rows: list[Row] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)
    corrected: str | None = None
    partial: int = 0
    partial_of: int = 0
    error: str | None = None
    empty: str = ""  # what the list says when there are no rows (else the view's own words)


class Searching:
    """The MainScreen's part of searching (a mixin: MainScreen provides `library`, `reader`,
    the widgets, the state: view, query_text, typing, exact, sort, listing, outcome,
    last_import, importing, positions, marks, `listing_shown` and `listing_applied`)."""

    _token = 0  # the latest search started
    _correction_keys = False  # whether the footer offers "search as typed"
    typed_at = 0.0  # time.monotonic() of the latest change of the search box
    _applied = 0  # the latest search shown
    _said: str | None = None  # said in the status line for a moment (say)
    _said_timer: Timer | None = None
    _entered = 0  # the search entered whose answer is on its way (0: none)
    _entered_to_list = False  # the focus goes to its results (enter)

    @dataclass
    class Done(Message):
        """The answer of search `token` (stale when a newer search started)."""

        token: int
        listing: Listing
        outcome: Outcome
        keep_cursor: bool

    def current_listing(self) -> Listing:
        query = self.query_text
        sort = self.sort
        if not query.strip() and sort == "relevance":
            sort = "date"
        return Listing(self.view, query, sort, self.typing, self.exact)

    def fetch(self, listing: Listing, offset: int, limit: int) -> tuple[int, list[Row]]:
        """A page of a listing (called by the list, in a worker)."""
        outcome = self.ask(listing, offset, limit)
        return outcome.total, outcome.rows

    def ask(self, listing: Listing, offset: int, limit: int) -> Outcome:
        """Ask the Library for a page of a listing."""
        if listing.query.strip():
            result = self.library.search(listing.query, sort=listing.sort, offset=offset,
                                         limit=limit, typing=listing.typing,
                                         repair=not listing.exact, fragments=False)
            if result.error:
                return Outcome(error=result.error)
            return Outcome(total=result.total, corrected=result.corrected,
                           partial=result.partial, partial_of=result.partial_of,
                           terms=result.terms, rows=[Row(h.paper, h.title) for h in result.hits])
        if is_for_you(listing.view):
            total, rows, empty = for_you_rows(self.library, listing.view, offset, limit)
            return Outcome(total=total, rows=rows, empty=empty)
        view = listing.view if listing.view in VIEWS else "all"  # (saved searches, tags)
        total, papers = self.library.browse(view, sort=listing.sort, offset=offset, limit=limit)
        return Outcome(total=total, rows=[Row(p, Highlight(text=p.readable_title)) for p in papers])

    def run_search(self, delay: float | None = None, keep_cursor: bool = False) -> None:
        """Show the current listing: start a search (after `delay`, the debounce)."""
        self._token += 1
        delay = self.reader.debounce if delay is None else delay
        self._search(self._token, self.current_listing(), delay, keep_cursor)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False,
          description="Searching")
    def _search(self, token: int, listing: Listing, delay: float, keep_cursor: bool) -> None:
        worker = get_current_worker()
        if wait_in_worker(worker, delay):
            return
        try:
            outcome = self.ask(listing, 0, PAGE)
        except Exception as exc:  # e.g. the store is locked: shown like a query error
            outcome = Outcome(error=f"the library cannot answer: {exc}")
        if worker.is_cancelled:
            return
        self.post_message(self.Done(token, listing, outcome, keep_cursor))
        if not self.incomplete(listing, outcome):
            return
        # Nothing found while the last word was a prefix: once the typing pauses (a key typed
        # meanwhile starts a new search, which cancels this one), search again with the word
        # complete, which corrects a typo ("did you mean").
        if wait_in_worker(worker, self.reader.suggestion_delay):
            return
        listing = replace(listing, typing=False)
        try:
            outcome = self.ask(listing, 0, PAGE)
        except Exception:  # the search as typed is shown already
            return
        if outcome.total and not worker.is_cancelled:
            self.post_message(self.Done(token, listing, outcome, keep_cursor))

    @staticmethod
    def incomplete(listing: Listing, outcome: Outcome) -> bool:
        """Whether a search found nothing only while its last word was being typed."""
        query = listing.query
        return (listing.typing and not listing.exact and not outcome.total
                and not outcome.error and bool(query.strip()) and not query[-1].isspace())

    def on_searching_done(self, message: Done) -> None:
        if message.token != self._token:
            return  # a newer search is on its way
        self._applied = message.token
        self.listing_applied()  # (starting.py: the first one starts the index)
        outcome, listing = message.outcome, message.listing
        entered, self._entered = message.token == self._entered, 0
        box = self.search_box
        suggestion = self.query_one("#suggestion", Suggestion)
        if outcome.error:
            box.add_class("-error")
            suggestion.set()
            self.bindings_follow()
            error = Text("⚠ ", style="bold red")
            error.append(one_line(outcome.error), "red")
            self.set_status(error)
            return
        box.remove_class("-error")
        self.listing, self.outcome = listing, outcome
        self.typing, self.exact = listing.typing, listing.exact  # the latest search is shown
        papers = self.papers
        moved = entered and papers.has_focus and papers.cursor != 0  # after enter or escape
        papers.show(listing, outcome.total, outcome.rows,
                    empty_message=outcome.empty or self.empty_message(listing),
                    keep_cursor=message.keep_cursor or moved)
        self.listing_shown(message.token)
        suggestion.set(listing, outcome)
        self.bindings_follow()
        self.update_status()
        if entered and self._entered_to_list:
            if outcome.total and self.search_box.has_focus:
                self.to_results()
            elif not outcome.total and papers.has_focus:
                self.search_box.focus()  # nothing as written: back to the box to fix it

    def empty_message(self, listing: Listing) -> str:
        if listing.query.strip():
            exactly = " as typed" if listing.exact else ""
            return (f"No papers match “{one_line(listing.query)}”{exactly}.\n"
                    "Fewer words, a prefix (transform*) or a typo allowance (protien~) "
                    "find more; ? shows the search syntax.")
        if self.importing:
            return "Importing the bundled sample papers…"
        text = VIEW_TEXTS.get(listing.view)
        return text.empty if text is not None else "Nothing here."

    # -- status line -----------------------------------------------------------------------
    def set_status(self, text: Text) -> None:
        self.query_one("#status", Static).update(text)

    def update_status(self) -> None:
        listing, outcome = self.listing, self.outcome
        if listing is None or outcome is None:
            return
        text = Text()
        text.append(one_line(view_label(listing.view) if not listing.query.strip()
                             or listing.view.startswith((SAVED, TAG)) else "Search"), "bold")
        text.append(" · ")
        text.append(counted(outcome.total, "result" if listing.query.strip() else "paper"))
        if listing.view == "new" and not listing.query.strip() and self.last_import:
            new, updated = self.last_import
            text.append(f" added by the latest import ({updated:,} updated)", "dim")
        if self.marks:  # (marking.py)
            text.append(f" · {len(self.marks):,} marked", "bold")
        text.append(" · ")
        if is_for_you(listing.view) and not listing.query.strip():
            text.append(for_you_order(listing.view))  # ranked: no sort applies
        else:
            text.append(SORT_LABELS.get(listing.sort, listing.sort))
            text.append("  (S sorts)", "dim")
        if self._said:
            text.append("  ")
            text.append(one_line(self._said), "bold")
        self.set_status(text)

    def say(self, words: str) -> None:
        """Say something in the status line, after the listing's summary, for a few seconds."""
        self._said = words
        if self._said_timer is not None:
            self._said_timer.stop()
        self._said_timer = self.set_timer(SAY_FOR, partial(self.say_done, words))
        self.update_status()

    def say_done(self, words: str) -> None:
        """The status line no longer says `words` (unless something else was said since)."""
        if self._said == words:
            self._said = None
            self.update_status()

    # -- enter and "search instead" --------------------------------------------------------
    def query_typed(self, value: str) -> None:
        """The search box holds `value`: the search is as typed, over all papers."""
        self.query_text = value
        self.typed_at = time.monotonic()
        self.typing, self.exact = True, False
        if self.view != "all":
            self.view = self.positions.view = "all"
            self.sidebar.set_current("all")

    @guarded("Searching")
    def enter_search(self, to_list: bool = False) -> None:
        """The query in the search box is entered (enter, or escape out of the box): its
        results as written, the last word complete and no longer a prefix, searched in the
        worker (as typing does) unless those shown are the same. `to_list` (enter): then to
        the list, its first result highlighted: at once when the results shown have some,
        else when the answer has (a cursor moved meanwhile stays on its paper)."""
        if self.search_box.value != self.query_text:  # its Changed message is still on its way
            self.query_typed(self.search_box.value)
        written = replace(self.current_listing(), typing=False)
        shown, outcome = self.listing, self.outcome
        current = (shown is not None and outcome is not None and self._applied == self._token
                   and not self.search_box.has_class("-error"))
        self.typing = False
        if current and (shown == written or (shown == replace(written, typing=True)
                                             and self.library.typed_as_written(written.query))):
            if to_list and outcome.total:
                self.to_results()
            return
        self.run_search(0)
        self._entered, self._entered_to_list = self._token, to_list
        if to_list and current and outcome.total:
            self.to_results()

    def to_results(self) -> None:
        """To the list, its first result highlighted."""
        self.papers.focus()
        self.papers.cursor = 0
        self.read_later()

    def submit_search(self) -> None:
        """Enter: to the results of the query as written, the first one highlighted (in the
        box while there are none: fix the query)."""
        self.enter_search(to_list=True)

    def action_search_as_typed(self) -> None:
        """Search for exactly what was typed instead of the correction shown."""
        if self.correction_shown():
            self.exact = True
            self.run_search(0)

    def bindings_follow(self) -> None:
        """Show or hide the footer's "search as typed" key as a correction comes and goes
        (the footer is rebuilt only then: rebuilding it at every key press took most of the
        key's time)."""
        shown = self.correction_shown()
        if shown != self._correction_keys:
            self._correction_keys = shown
            self.refresh_bindings()

    def correction_shown(self) -> bool:
        """Whether a correction is shown (the text as typed can be searched instead)."""
        return any(suggestion.instead for suggestion in self.query(Suggestion))

    def on_suggestion_instead(self, message: Suggestion.Instead) -> None:
        self.action_search_as_typed()
