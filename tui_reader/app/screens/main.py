"""The main screen: search box, views, the list of papers, the detail pane, the footer.

The screen is the controller: it asks the Library (through the app) for listings in workers,
applies only the latest answer, and turns keys into Library calls.
"""

from __future__ import annotations

import functools
import time
import webbrowser
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from ...models import Highlight, ImportReport, PaperView, SavedSearch
from ..safe import SafeInput
from ..text import one_line
from ..widgets.detail import DetailPane, SimilarList, paper_link
from ..widgets.paper_list import PAGE, Listing, PaperList, Row
from ..importing import BackgroundImport, ImportBar
from ..widgets.sidebar import SAVED, VIEWS, ViewList, view_label

if TYPE_CHECKING:
    from ..app import ReaderApp

SORTS = ("relevance", "date", "upvotes", "title")
SORT_LABELS = {
    "relevance": "by relevance",
    "date": "newest first",
    "upvotes": "most upvoted first",
    "title": "by title",
}
EMPTY_VIEWS = {
    "all": "No papers yet. Import dumps with: tui-reader import PATH...\n"
           "(files or folders of Hugging Face Daily Papers pages or arXiv JSONL)",
    "bookmarks": "No bookmarks yet — press b on a paper to bookmark it.",
    "notes": "No notes yet — press n on a paper to write one.",
    "unread": "Nothing unread: every paper has been read.\n"
              "Press r on a paper to mark it unread again.",
    "new": "No new papers: no import has added any yet.\n"
           "Import more with: tui-reader import PATH...",
}


@dataclass
class Outcome:
    """The first page of a listing (or why there is none); a search that found nothing as
    typed shows the results of `corrected` (the text searched instead) or papers with
    `partial` of its `partial_of` words."""

    total: int = 0
    rows: list[Row] = field(default_factory=list)
    corrected: str | None = None
    partial: int = 0
    partial_of: int = 0
    error: str | None = None


class SearchDone(Message):
    def __init__(self, token: int, listing: Listing, outcome: Outcome, keep_cursor: bool) -> None:
        super().__init__()
        self.token = token
        self.listing = listing
        self.outcome = outcome
        self.keep_cursor = keep_cursor


class SimilarDone(Message):
    def __init__(self, paper_id: str, papers: list[PaperView]) -> None:
        super().__init__()
        self.paper_id = paper_id
        self.papers = papers


class DetailLoaded(Message):
    def __init__(self, paper_id: str, paper: PaperView | None, title: Highlight | None,
                 abstract: Highlight | None) -> None:
        super().__init__()
        self.paper_id = paper_id
        self.paper = paper
        self.title = title
        self.abstract = abstract


class PaperChanged(Message):
    def __init__(self, paper: PaperView) -> None:
        super().__init__()
        self.paper = paper


class CountsDone(Message):
    def __init__(self, counts: dict[str, int | None], searches: list[SavedSearch],
                 last_import: tuple[int, int] | None) -> None:
        super().__init__()
        self.counts = counts
        self.searches = searches
        self.last_import = last_import


class ImportDone(Message):
    def __init__(self, report: ImportReport | None, error: str | None = None) -> None:
        super().__init__()
        self.report = report
        self.error = error


class LibraryFailed(Message):
    """A Library call in a worker failed: the user is told, the app goes on."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error


def guarded(what: str):
    """Run an action; a failing Library call becomes a notification, not a crash."""

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


class Suggestion(Static):
    """How a search that found nothing as typed was repaired: the results of a correction,
    with "search instead" for the text as typed (a click or ctrl+t), or partial matches."""

    class Instead(Message):
        """Search for exactly what was typed."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.instead = False  # a correction is shown: the text as typed can be searched

    def set(self, listing: Listing | None = None, outcome: Outcome | None = None) -> None:
        text = None
        if listing is not None and outcome is not None and outcome.total:
            if outcome.corrected:
                text = Text("Showing results for ")
                text.append(f"“{one_line(outcome.corrected)}”", "bold")
                text.append(" · search instead for ")
                text.append(f"“{one_line(listing.query)}”", "bold underline")
                text.append("  (ctrl+t or click)", "dim")
            elif outcome.partial:
                text = Text(f"No paper has all {outcome.partial_of} words: "
                            f"showing papers with {outcome.partial} of them")
        self.instead = bool(text is not None and outcome.corrected)
        self.display = text is not None
        if text is not None:
            self.update(text)

    def on_click(self, event: events.Click) -> None:
        if self.instead:
            event.stop()
            self.post_message(self.Instead())


class SearchBox(SafeInput):
    """The search box.

    Enter is handled at once, while the box handles the key (not by a message handled later),
    and a key that reaches the box after enter moved the focus away (typed quickly, already on
    its way) goes on to where the focus is now: "enter b" bookmarks the first result.
    """

    async def action_submit(self) -> None:
        screen = self.screen
        if isinstance(screen, MainScreen):
            screen.submit_search()
        else:
            await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if not self.has_focus and focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused._forward_event(events.Key(event.key, event.character))
            return
        await super()._on_key(event)


class MainScreen(BackgroundImport, Screen):
    """The reader."""

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("ctrl+t", "search_as_typed", "Search as typed", id="search-as-typed"),
        Binding("escape", "back", "Back", show=False, id="back"),
        Binding("b", "bookmark", "Bookmark", id="bookmark"),
        Binding("n", "note", "Note", id="note"),
        Binding("s", "save_search", "Save search", id="save-search"),
        Binding("S", "cycle_sort", "Sort", id="sort"),
        Binding("r", "toggle_read", "Read/unread", show=False, id="toggle-read"),
        Binding("o", "open_link", "Open in browser", show=False, id="open"),
        Binding("y", "copy", "Copy title and link", show=False, id="copy"),
        Binding("right_square_bracket", "next_view", "Next view", show=False, id="next-view"),
        Binding("left_square_bracket", "previous_view", "Previous view", show=False,
                id="previous-view"),
        Binding("d", "delete_search", "Delete the open saved search", show=False,
                id="delete-search"),
        *[Binding(str(n), f"similar({n})", "Go to a similar paper (1-5)", show=False,
                  id=f"similar-{n}") for n in range(1, 6)],
        Binding("i", "import_dumps", "Import files, folders or a pasted page", show=False,
                id="import"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "all"
        self.query_text = ""
        self.typing = False  # the query's last word is being typed in the search box
        self.exact = False  # the query is searched as typed, never corrected
        self.sort = "relevance"
        self.listing: Listing | None = None
        self.outcome: Outcome | None = None
        self.last_import: tuple[int, int] | None = None
        self.searches: list[SavedSearch] = []
        self._token = 0
        self._applied = 0
        self._read_timer: Timer | None = None
        self.importing = False

    @property
    def reader(self) -> "ReaderApp":
        return self.app  # type: ignore[return-value]

    @property
    def library(self):
        return self.reader.library

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="search-bar"):
            yield SearchBox(placeholder="Search papers   (try: diffusion, \"language models\", "
                                    "author:hinton, year:2024)", id="search")
        with Horizontal(id="body"):
            yield ViewList(id="sidebar")
            with Vertical(id="main"):
                with Vertical(id="status-bar"):
                    yield Static(id="status")
                    yield Suggestion(id="suggestion")
                yield PaperList(self.fetch, id="papers")
                yield DetailPane(id="detail")
        yield ImportBar(id="import-bar")
        yield Footer()

    @property
    def papers(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def sidebar(self) -> ViewList:
        return self.query_one("#sidebar", ViewList)

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    def on_mount(self) -> None:
        self.papers.focus()
        self.query_one("#suggestion", Suggestion).set()
        self.searches = self.library.saved_searches()
        self.sidebar.set_searches(self.searches)
        if self.reader.import_samples and self.library.is_empty():
            self.importing = True
            self.papers.empty_message = "Importing the bundled sample papers…"
            self._set_status(Text("Importing the bundled sample papers…"))
            self.notify("A new library: importing the bundled sample papers…", timeout=4)
            self._import_samples()
        else:
            self.run_search(0)
        self.refresh_counts()

    # -- fetching --------------------------------------------------------------------------
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
                           rows=[Row(h.paper, h.title) for h in result.hits])
        view = "all" if listing.view.startswith(SAVED) else listing.view
        total, papers = self.library.browse(view, sort=listing.sort, offset=offset, limit=limit)
        return Outcome(total=total, rows=[Row(p, Highlight(text=p.title)) for p in papers])

    def run_search(self, delay: float | None = None, keep_cursor: bool = False) -> None:
        """Show the current listing: start a search (after `delay`, the debounce)."""
        self._token += 1
        delay = self.reader.debounce if delay is None else delay
        self._search(self._token, self.current_listing(), delay, keep_cursor)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, token: int, listing: Listing, delay: float, keep_cursor: bool) -> None:
        worker = get_current_worker()
        if delay > 0:
            time.sleep(delay)
        if worker.is_cancelled:
            return
        try:
            outcome = self.ask(listing, 0, PAGE)
        except Exception as exc:  # e.g. the store is locked: shown like a query error
            outcome = Outcome(error=f"the library cannot answer: {exc}")
        if worker.is_cancelled:
            return
        self.post_message(SearchDone(token, listing, outcome, keep_cursor))
        if not self.incomplete(listing, outcome):
            return
        # Nothing found while the last word was a prefix: once the typing pauses (a key typed
        # meanwhile starts a new search, which cancels this one), search again with the word
        # complete, which corrects a typo ("did you mean").
        time.sleep(self.reader.suggestion_delay)
        if worker.is_cancelled:
            return
        listing = replace(listing, typing=False)
        try:
            outcome = self.ask(listing, 0, PAGE)
        except Exception:  # the search as typed is shown already
            return
        if outcome.total and not worker.is_cancelled:
            self.post_message(SearchDone(token, listing, outcome, keep_cursor))

    @staticmethod
    def incomplete(listing: Listing, outcome: Outcome) -> bool:
        """Whether a search found nothing only while its last word was being typed."""
        query = listing.query
        return (listing.typing and not listing.exact and not outcome.total
                and not outcome.error and bool(query.strip()) and not query[-1].isspace())

    def on_search_done(self, message: SearchDone) -> None:
        if message.token != self._token:
            return  # a newer search is on its way
        self._applied = message.token
        outcome, listing = message.outcome, message.listing
        box = self.search_box
        suggestion = self.query_one("#suggestion", Suggestion)
        if outcome.error:
            box.add_class("-error")
            suggestion.set()
            self.refresh_bindings()
            error = Text("⚠ ", style="bold red")
            error.append(one_line(outcome.error), "red")
            self._set_status(error)
            return
        box.remove_class("-error")
        self.listing, self.outcome = listing, outcome
        self.typing, self.exact = listing.typing, listing.exact  # the latest search is shown
        self.papers.show(listing, outcome.total, outcome.rows,
                         empty_message=self.empty_message(listing),
                         keep_cursor=message.keep_cursor)
        suggestion.set(listing, outcome)
        self.refresh_bindings()
        self.update_status()

    def empty_message(self, listing: Listing) -> str:
        if listing.query.strip():
            exactly = " as typed" if listing.exact else ""
            return (f"No papers match “{one_line(listing.query)}”{exactly}.\n"
                    "Fewer words, a prefix (transform*) or a typo allowance (protien~) "
                    "find more; ? shows the search syntax.")
        if self.importing:
            return "Importing the bundled sample papers…"
        return EMPTY_VIEWS.get(listing.view, "Nothing here.")

    # -- status line -----------------------------------------------------------------------
    def _set_status(self, text: Text) -> None:
        self.query_one("#status", Static).update(text)

    def update_status(self) -> None:
        listing, outcome = self.listing, self.outcome
        if listing is None or outcome is None:
            return
        text = Text()
        text.append(one_line(view_label(listing.view) if not listing.query.strip()
                             or listing.view.startswith(SAVED) else "Search"), "bold")
        text.append(" · ")
        noun = "result" if listing.query.strip() else "paper"
        text.append(f"{outcome.total:,} {noun}{'' if outcome.total == 1 else 's'}")
        if listing.view == "new" and not listing.query.strip() and self.last_import:
            new, updated = self.last_import
            text.append(f" added by the latest import ({updated:,} updated)", "dim")
        text.append(" · ")
        text.append(SORT_LABELS.get(listing.sort, listing.sort))
        text.append("  (S sorts)", "dim")
        self._set_status(text)

    # -- events ----------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_text:
            return
        self.query_text = event.value
        self.typing, self.exact = True, False
        if self.view != "all":
            self.view = "all"
            self.sidebar.set_current("all")
        self.run_search()

    @guarded("Searching")
    def submit_search(self) -> None:
        """Enter: to the results, the first one highlighted.

        A search still pending (typed within the debounce) runs here and now, so that the keys
        after enter act on this query's results; one that found nothing only because its last
        word was being typed runs again with the word complete (which corrects a typo).
        """
        if self.search_box.value != self.query_text:  # its Changed message is still on its way
            self.query_text = self.search_box.value
            self.typing, self.exact = True, False
            if self.view != "all":
                self.view = "all"
                self.sidebar.set_current("all")
        listing, outcome = self.current_listing(), self.outcome
        if listing != self.listing or self._applied != self._token or outcome is None:
            outcome = self._search_now(listing)
        if self.incomplete(listing, outcome):
            outcome = self._search_now(replace(listing, typing=False))
        if self.search_box.has_class("-error") or not outcome.total:
            return  # stay in the box: fix the query
        self.papers.focus()
        self.papers.cursor = 0

    def _search_now(self, listing: Listing) -> Outcome:
        """Search and show the results at once (in the UI thread)."""
        self._token += 1
        outcome = self.ask(listing, 0, PAGE)
        self.on_search_done(SearchDone(self._token, listing, outcome, False))
        return outcome

    def action_search_as_typed(self) -> None:
        """Search for exactly what was typed instead of the correction shown."""
        if self._instead():
            self.exact = True
            self.run_search(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search_as_typed":  # in the footer only while a correction is shown
            return self._instead()
        return True

    def _instead(self) -> bool:
        """Whether a correction is shown (the text as typed can be searched instead)."""
        return any(suggestion.instead for suggestion in self.query(Suggestion))

    def on_suggestion_instead(self, message: Suggestion.Instead) -> None:
        self.action_search_as_typed()

    def on_paper_list_highlighted(self, message: PaperList.Highlighted) -> None:
        self.detail.pinned = False
        self.show_paper(message.row.paper if message.row else None)

    def on_paper_list_selected(self, message: PaperList.Selected) -> None:
        self.detail.focus()

    def on_option_list_option_selected(self, message: ViewList.OptionSelected) -> None:
        if message.option_list.id == "sidebar" and message.option.id:
            self.open_view(message.option.id)

    def on_similar_list_chosen(self, message: SimilarList.Chosen) -> None:
        self.action_similar(message.number)

    def on_counts_done(self, message: CountsDone) -> None:
        self.last_import = message.last_import
        if [s.model_dump() for s in message.searches] != [s.model_dump() for s in self.searches]:
            self.searches = message.searches
            self.sidebar.set_searches(message.searches)
        self.sidebar.set_counts(message.counts)
        self.update_status()

    def on_similar_done(self, message: SimilarDone) -> None:
        self.detail.show_similar(message.paper_id, message.papers)

    def on_import_done(self, message: ImportDone) -> None:
        self.importing = False
        if message.error:
            self.notify(f"The sample import failed: {message.error}", severity="error",
                        markup=False)
        elif message.report is not None:
            self.notify(f"Imported the samples: {message.report.summary()}", markup=False,
                        timeout=5)
        self.run_search(0)
        self.refresh_counts()

    # -- showing a paper -------------------------------------------------------------------
    def show_paper(self, paper: PaperView | None, *, pinned: bool = False) -> None:
        """Show a paper in the detail pane at once, then load the rest of it in a worker.

        The UI never waits for the Library here (a search may hold it): the sources, the
        highlights and the similar papers arrive from `_load_detail`. After a moment in the
        pane, the paper becomes read.
        """
        self._stop_read_timer()
        detail = self.detail
        detail.pinned = pinned
        if paper is None:
            self.workers.cancel_group(self, "detail")  # the last paper's similar papers too
            message = "Nothing to show." if self.papers.total == 0 else "…"
            detail.show(None, empty=message)
            return
        detail.show(paper)
        detail.similar_waiting()
        query = self.listing.query if self.listing is not None else ""
        self._load_detail(paper.id, query, self.reader.similar_delay)

    @work(thread=True, exclusive=True, group="detail")
    def _load_detail(self, paper_id: str, query: str, delay: float) -> None:
        worker = get_current_worker()
        library = self.library
        try:
            full = library.paper(paper_id)
        except LookupError:  # no longer in the store (a bookmark of a removed paper)
            full = None
        except Exception as exc:
            self.post_message(LibraryFailed("Loading the paper", exc))
            return
        title = abstract = None
        if full is not None and query.strip() and not worker.is_cancelled:
            try:
                title = library.highlight(full.title, query, "title")
                abstract = library.highlight(full.abstract, query, "abstract")
            except Exception:  # highlights are a nicety
                title = abstract = None
        if worker.is_cancelled:
            return
        self.post_message(DetailLoaded(paper_id, full, title, abstract))
        if delay > 0:
            time.sleep(delay)
        if worker.is_cancelled:
            return
        try:
            papers = library.similar(paper_id, 5)
        except Exception:  # a paper gone from the index has no neighbours
            papers = []
        if not worker.is_cancelled:
            self.post_message(SimilarDone(paper_id, papers))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        detail = self.detail
        if detail.paper is None or detail.paper.id != message.paper_id:
            return
        paper = message.paper or detail.paper
        detail.show(paper, message.title, message.abstract, keep_scroll=True)
        delay = self.reader.read_delay
        if not paper.read and delay is not None:
            self._stop_read_timer()
            self._read_timer = self.set_timer(delay, partial(self._read_after_delay, paper.id))

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _read_after_delay(self, paper_id: str) -> None:
        self._read_timer = None
        paper = self.detail.paper
        if paper is None or paper.id != paper_id or paper.read:
            return
        self._mark_read(paper.model_copy(update={"read": True}))

    @work(thread=True, group="mark-read")
    def _mark_read(self, paper: PaperView) -> None:
        try:
            self.library.mark_read(paper.id, True)
        except Exception as exc:
            self.post_message(LibraryFailed("Marking the paper read", exc))
            return
        self.post_message(PaperChanged(paper))

    def on_library_failed(self, message: LibraryFailed) -> None:
        self.notify(f"{message.what} failed: {message.error}", severity="error", markup=False,
                    timeout=8)

    def on_paper_changed(self, message: PaperChanged) -> None:
        current = self.detail.paper
        if current is not None and current.id == message.paper.id:
            self.changed(current.model_copy(update={"read": message.paper.read}))
        else:
            self.changed(message.paper)

    def changed(self, paper: PaperView, counts: bool = True) -> None:
        """A paper's user data changed: redraw it wherever it is shown."""
        self.papers.update_paper(paper)
        detail = self.detail
        if detail.paper is not None and detail.paper.id == paper.id:
            detail.paper = paper.model_copy(update={"sources": detail.paper.sources})
            detail.query_one("#detail-meta", Static).update(detail.metadata(detail.paper))
            detail.show_note(detail.paper)
        if counts:
            self.refresh_counts()

    @property
    def current_paper(self) -> PaperView | None:
        """The paper the keys act on: the one in the detail pane."""
        return self.detail.paper

    def _need_paper(self) -> PaperView | None:
        paper = self.current_paper
        if paper is None:
            self.notify("No paper is highlighted.", severity="warning", timeout=2)
        return paper

    # -- counts and imports ----------------------------------------------------------------
    def refresh_counts(self) -> None:
        self._counts()

    @work(thread=True, exclusive=True, group="counts")
    def _counts(self) -> None:
        try:
            self._count_views(get_current_worker())
        except Exception as exc:
            self.post_message(LibraryFailed("Counting the views", exc))

    def _count_views(self, worker) -> None:
        library = self.library
        counts: dict[str, int | None] = {}
        for view, _ in VIEWS:
            counts[view] = library.browse(view, limit=0)[0]
        searches = library.saved_searches()
        for search in searches:
            if worker.is_cancelled:
                return
            counts[SAVED + search.name] = library.count(search.query)
        if not worker.is_cancelled:
            self.post_message(CountsDone(counts, searches, library.last_import()))

    @work(thread=True, exclusive=True, group="import")
    def _import_samples(self) -> None:
        try:
            report = self.library.import_samples_if_new()
        except Exception as exc:  # shown to the user, never a crash
            self.post_message(ImportDone(None, str(exc) or type(exc).__name__))
            return
        self.post_message(ImportDone(report))

    # -- views -----------------------------------------------------------------------------
    @guarded("Opening the view")
    def open_view(self, view: str) -> None:
        """Show a view: a built-in one (the search box is cleared) or a saved search."""
        if view.startswith(SAVED):
            search = next((s for s in self.searches if SAVED + s.name == view), None)
            if search is None:
                return
            self.query_text, self.sort = search.query, search.sort
        elif view in dict(VIEWS):
            self.query_text = ""
        else:
            return
        self.view = view
        self.typing = self.exact = False
        with self.prevent(Input.Changed):
            self.search_box.value = self.query_text
        self.search_box.remove_class("-error")
        self.sidebar.set_current(view)
        self.run_search(0)

    def _move_view(self, step: int) -> None:
        views = self.sidebar.view_ids()
        index = views.index(self.view) if self.view in views else 0
        self.open_view(views[(index + step) % len(views)])

    def action_next_view(self) -> None:
        self._move_view(1)

    def action_previous_view(self) -> None:
        self._move_view(-1)

    # -- actions ---------------------------------------------------------------------------
    def action_focus_search(self) -> None:
        self.search_box.focus()

    def action_back(self) -> None:
        focused = self.focused
        if self.detail.pinned:
            self.detail.pinned = False
            row = self.papers.current
            self.show_paper(row.paper if row else None)
        elif focused is self.search_box:
            if self.search_box.value:
                self.search_box.value = ""
            else:
                self.papers.focus()
        elif focused is self.papers:
            self.search_box.focus()
        else:
            self.papers.focus()

    @guarded("Bookmarking")
    def action_bookmark(self) -> None:
        paper = self._need_paper()
        if paper is None:
            return
        updated = self.library.bookmark(paper.id, not paper.bookmarked)
        self.changed(updated)
        self.notify(("Bookmarked: " if updated.bookmarked else "Bookmark removed: ")
                    + one_line(updated.title), markup=False, timeout=2)

    def action_note(self) -> None:
        paper = self._need_paper()
        if paper is None:
            return
        from .note_editor import NoteEditor

        self._stop_read_timer()
        self.app.push_screen(NoteEditor(paper, partial(self._save_note, paper.id),
                                        partial(self._rescue_note, paper)))

    def _save_note(self, paper_id: str, text: str) -> None:
        updated = self.library.note(paper_id, text)
        self.changed(updated)

    def _rescue_note(self, paper: PaperView, text: str) -> str:
        """Keep a note the library could not take in a file of the data dir; returns its path."""
        folder = Path(self.library.root) / "unsaved-notes"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{paper.id}-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(f"# {one_line(paper.title)}\n\n{text}\n", encoding="utf-8")
        self.reader.rescued_notes.append(str(path))
        return str(path)

    def action_save_search(self) -> None:
        query = self.query_text.strip()
        if not query:
            self.notify("Type a query first: s saves the current search.", severity="warning",
                        timeout=3)
            return
        if self.listing is None or self.listing.query != self.query_text or (
                self.outcome is not None and self.outcome.error):
            self.notify("This query cannot be used yet; fix it first.", severity="warning",
                        timeout=3)
            return
        from .save_search import SaveSearch

        name = view_label(self.view) if self.view.startswith(SAVED) else query
        existing = {s.name for s in self.searches}
        listing = self.listing
        self.app.push_screen(SaveSearch(query, name, existing),
                             partial(self._save_search, listing))

    @guarded("Saving the search")
    def _save_search(self, listing: Listing, name: str | None) -> None:
        if not name:
            return
        search = self.library.save_search(name, listing.query, listing.sort)
        if all(s.name != search.name for s in self.searches):
            self.searches = [*self.searches, search]
            self.searches.sort(key=lambda s: s.name)
        self.sidebar.set_searches(self.searches)
        self.view = SAVED + search.name
        self.sidebar.set_current(self.view)
        self.update_status()
        self.refresh_counts()
        self.notify(f"Saved the search “{one_line(name)}”.", markup=False, timeout=2)

    def action_delete_search(self) -> None:
        if not self.view.startswith(SAVED):
            self.notify("Open a saved search first (in the sidebar); d deletes it.",
                        severity="warning", timeout=3)
            return
        from .confirm import Confirm

        name = view_label(self.view)
        question = Text("Delete the saved search ")
        question.append(one_line(name), "bold")
        question.append("?")
        self.app.push_screen(Confirm(question), partial(self._delete_search, name))

    @guarded("Deleting the saved search")
    def _delete_search(self, name: str, yes: bool | None) -> None:
        if not yes:
            return
        self.library.delete_search(name)
        self.searches = [s for s in self.searches if s.name != name]
        self.sidebar.set_searches(self.searches)
        self.notify(f"Deleted the saved search “{one_line(name)}”.", markup=False, timeout=2)
        self.open_view("all")
        self.refresh_counts()

    def action_cycle_sort(self) -> None:
        listing = self.current_listing()
        choices = SORTS if listing.query.strip() else SORTS[1:]
        current = listing.sort if listing.sort in choices else choices[0]
        self.sort = choices[(choices.index(current) + 1) % len(choices)]
        self.run_search(0)

    @guarded("Marking read")
    def action_toggle_read(self) -> None:
        paper = self._need_paper()
        if paper is None:
            return
        self._stop_read_timer()
        self.library.mark_read(paper.id, not paper.read)
        self.changed(paper.model_copy(update={"read": not paper.read}))

    def action_open_link(self) -> None:
        paper = self._need_paper()
        if paper is None:
            return
        link = paper_link(paper)
        if not link:
            self.notify("This paper has no link.", severity="warning", timeout=2)
            return
        self._open_in_browser(link)
        self.notify(f"Opening {one_line(link)}", markup=False, timeout=2)

    @work(thread=True, group="browser")
    def _open_in_browser(self, link: str) -> None:
        webbrowser.open(link)

    def action_copy(self) -> None:
        paper = self._need_paper()
        if paper is None:
            return
        link = paper_link(paper)
        self.app.copy_to_clipboard(one_line(paper.title) + (f"\n{link}" if link else ""))
        self.notify("Copied the title and link.", timeout=2)

    def action_similar(self, number: int) -> None:
        papers = self.detail.similar
        if not 1 <= number <= len(papers):
            return
        paper = papers[number - 1]
        index = self.papers.index_of(paper.id)
        if index is not None:
            self.papers.cursor = index
        else:
            self.show_paper(paper, pinned=True)
            self.notify("A similar paper (escape goes back to the list).", timeout=2)

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self.reader.key_sections()))
