"""The main screen: search box, views, the list of papers, the detail pane, the footer.

The screen is the controller: it asks the Library (through the app) for listings in workers,
applies only the latest answer, and turns keys into Library calls. Searching (searching.py),
showing a paper (reading.py) and importing (importing.py) are its parts in their own modules.
"""

from __future__ import annotations

import webbrowser
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...models import SORTS, VIEWS, PaperView, SavedSearch
from ..gate import ReaderLibrary, guarded
from ..changing import Changing
from ..facets import Faceting
from ..folding import SidebarFold
from ..importing import BackgroundImport, ImportBar
from ..live import Live
from ..marking import Marking, Marks
from ..navigation import Navigation
from ..outside_editor import OutsideEditor
from ..position import Place, Positions
from ..reading import Reading
from ..searching import Outcome, Searching
from ..starting import Starting
from ..tagging import Tagging
from ..text import one_line
from ..undo import UndoStack
from ..views import SAVED, view_label
from ..widgets.detail import DetailPane, SimilarList, paper_link
from ..widgets.paper_list import Listing, PaperList
from ..widgets.search_box import SearchBox, Suggestion
from ..widgets.sidebar import ViewList
from .note_editor import NoteEditor, rescue_note

if TYPE_CHECKING:
    from ..app import ReaderApp


class MainScreen(Navigation, Starting, Searching, Reading, Changing, Tagging, Marking,
                 Faceting, BackgroundImport, Live, OutsideEditor, SidebarFold, Screen):
    """The reader."""

    @dataclass
    class Counted(Message):
        """The number of papers of each view and saved search (None: not known), and of each
        tag."""

        counts: dict[str, int | None]
        searches: list[SavedSearch]
        last_import: tuple[int, int] | None
        tags: list[tuple[str, int]]

    @dataclass
    class Opened(Message):
        """The browser was asked to open `link`; `opened`: whether one could be started."""

        link: str
        opened: bool

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("backslash", "toggle_views", "Views", id="views"),
        Binding("ctrl+t", "search_as_typed", "Search as typed", id="search-as-typed"),
        Binding("escape", "back", "Back", show=False, id="back"),
        Binding("b", "bookmark", "Bookmark", id="bookmark"),
        Binding("n", "note", "Note", id="note"),
        # (t and f: not in the footer, which 80 columns fill; in the help and the palette)
        Binding("t", "tag", "Tags of the paper (of the marked ones, when any)", show=False,
                id="tag"),
        Binding("T", "tag_list", "Tag every paper of the list", show=False, id="tag-list"),
        Binding("v", "toggle_mark", "Mark/unmark the paper (t tags the marked ones)",
                show=False, id="mark"),
        Binding("f", "facets", "Facets: the list counted by year, org, category, tag",
                show=False, id="facets"),
        Binding("E", "note_in_editor", "Note in your editor ($VISUAL or $EDITOR)", show=False,
                id="note-in-editor"),
        Binding("s", "save_search", "Save search", id="save-search"),
        Binding("S", "cycle_sort", "Sort", id="sort"),
        Binding("r", "toggle_read", "Read/unread", show=False, id="toggle-read"),
        Binding("u", "next_unread", "Next unread paper", show=False, id="next-unread"),
        Binding("U", "previous_unread", "Previous unread paper", show=False,
                id="previous-unread"),
        Binding("A", "mark_all_read", "Mark every paper of the list read", show=False,
                id="mark-all-read"),
        Binding("z", "undo", "Undo the last change", show=False, id="undo"),
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
        Binding("q", "back_or_quit", "Back/quit", id="quit"),
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
        self.importing = False
        self.undo_stack = UndoStack()
        self.marks = Marks()
        self.positions = Positions()
        self._restore: tuple[int, Place] | None = None  # where the view opening was left
        self._view_list = ViewList(id="sidebar")

    @property
    def reader(self) -> "ReaderApp":
        return self.app  # type: ignore[return-value]

    @property
    def library(self) -> ReaderLibrary:
        """The app's library, one call at a time (the gate has every method of it)."""
        return cast("ReaderLibrary", self.reader.library)

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="search-bar"):
            yield SearchBox(placeholder="Search papers   (try: diffusion, \"language models\", "
                                    "author:hinton, year:2024)", id="search")
        with Horizontal(id="body"):
            yield self._view_list
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
        """The sidebar of views (also once unmounted: it holds the tags, navigation.py)."""
        return self._view_list

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    def on_mount(self) -> None:
        self.papers.focus()
        self.query_one("#suggestion", Suggestion).set()
        self.searches = self.library.saved_searches()
        self.sidebar.set_searches(self.searches)
        self.sidebar.set_tags(self.library.tags())  # (their views open like the others)
        if self.reader.import_samples and self.library.is_empty():
            self.importing = True
            self.papers.empty_message = "Importing the bundled sample papers…"
            self.set_status(Text("Importing the bundled sample papers…"))
            self.notify("A new library: importing the bundled sample papers…", timeout=4)
            self._import_samples()
        else:
            self.positions = Positions.load(self.library)
            view = self.positions.view
            self.open_view(view if view in self.view_ids() else "all")
        self.start_live()  # (starting.py: the index and the counts once the list is shown)

    # -- events ----------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_text:
            return
        self.query_typed(event.value)
        self.run_search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search_as_typed":  # in the footer only while a correction is shown
            return self.correction_shown()
        return True

    def on_paper_list_highlighted(self, message: PaperList.Highlighted) -> None:
        if not self.kept_in_place(message.row):  # (live.py: a refresh kept the paper)
            self.detail.pinned = False
            self.show_paper(message.row.paper if message.row else None)
        if self._restore is None:  # else: not yet where the view was left
            self.positions.places[self.view] = Place(
                self.query_text, self.sort, message.row.paper.id if message.row else None,
                message.index)

    def on_paper_list_selected(self, message: PaperList.Selected) -> None:
        self.detail.focus()

    def on_option_list_option_selected(self, message: ViewList.OptionSelected) -> None:
        if message.option_list.id == "sidebar" and message.option.id:
            self.open_view(message.option.id)
            self.fold_views()

    def on_similar_list_chosen(self, message: SimilarList.Chosen) -> None:
        self.action_similar(message.number)

    def on_main_screen_counted(self, message: Counted) -> None:
        self.last_import = message.last_import
        if [s.model_dump() for s in message.searches] != [s.model_dump() for s in self.searches]:
            before, self.searches = self.searches, message.searches
            self.sidebar.set_searches(message.searches)
            self.follow_saved_search(before)  # (live.py: changed by another process)
        self.sidebar.set_counts(message.counts)
        self.show_tags(message.tags)  # (navigation.py: a tag's view open when it went)
        self.update_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker failed (the store or the index said no): the user is told, the app goes
        on."""
        if event.state == WorkerState.ERROR:
            self.notify(f"{event.worker.description} failed: {event.worker.error}",
                        severity="error", markup=False, timeout=8)

    # -- counts and the sample import ------------------------------------------------------
    def refresh_counts(self) -> None:
        self._counts()

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False,
          description="Counting the views")
    def _counts(self) -> None:
        worker = get_current_worker()
        library = self.library
        counts: dict[str, int | None] = {}
        for view in VIEWS:
            counts[view] = library.browse(view, limit=0)[0]
        searches = library.saved_searches()
        for search in searches:
            if worker.is_cancelled:
                return
            counts[SAVED + search.name] = library.count(search.query)
        if not worker.is_cancelled:
            self.post_message(self.Counted(counts, searches, library.last_import(),
                                           library.tags()))

    @work(thread=True, exclusive=True, group="import")
    def _import_samples(self) -> None:
        try:
            report = self.library.import_samples_if_new()
        except Exception as exc:  # shown to the user, never a crash
            self.post_message(self.Finished(None, str(exc) or type(exc).__name__, samples=True))
            return
        self.post_message(self.Finished(report, samples=True))

    # -- views (navigation.py) -------------------------------------------------------------
    @guarded("Keeping the position")
    def on_unmount(self) -> None:
        self.positions.view = self.view
        self.positions.save(self.library, self.view_ids())

    # -- actions ---------------------------------------------------------------------------
    def action_focus_search(self) -> None:
        self.search_box.focus()

    def action_note(self) -> None:
        paper = self.need_paper()
        if paper is None:
            return
        self._stop_read_timer()
        self.app.push_screen(NoteEditor(paper, partial(self.save_note, paper),
                                        partial(self._rescue_note, paper)))

    def _rescue_note(self, paper: PaperView, text: str) -> str:
        """Keep a note the library could not take in the data dir (named when the reader ends)."""
        path = str(rescue_note(Path(self.library.root) / "unsaved-notes", paper, text))
        self.reader.rescued_notes.append(path)
        return path

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

    def _save_search(self, listing: Listing, name: str | None) -> None:
        """Save the search under the name given; asks first to replace another saved one."""
        if not name:
            return
        if SAVED + name == self.view or all(s.name != name for s in self.searches):
            self._keep_search(listing, name)
            return
        from .confirm import Confirm, naming

        self.app.push_screen(Confirm(naming("Replace the saved search", name), yes="Replace"),
                             lambda yes: yes and self._keep_search(listing, name))

    @guarded("Saving the search")
    def _keep_search(self, listing: Listing, name: str) -> None:
        search = self.library.save_search(name, listing.query, listing.sort)
        if all(s.name != search.name for s in self.searches):
            self.searches = [*self.searches, search]
            self.searches.sort(key=lambda s: s.name)
        self.sidebar.set_searches(self.searches)
        place = self.positions.places.pop(self.view, None)  # the search is the saved one's now
        self.view = self.positions.view = SAVED + search.name
        if place is not None:
            self.positions.places[self.view] = place
        self.sidebar.set_current(self.view)
        if self.listing is not None and self.listing.query == listing.query:
            self.listing = replace(self.listing, view=self.view)  # the status line names it
        self.update_status()
        self.refresh_counts()
        self.notify(f"Saved the search “{one_line(name)}”.", markup=False, timeout=2)

    def action_cycle_sort(self) -> None:
        listing = self.current_listing()
        choices = SORTS if listing.query.strip() else SORTS[1:]
        current = listing.sort if listing.sort in choices else choices[0]
        self.sort = choices[(choices.index(current) + 1) % len(choices)]
        self.run_search(0)

    def action_open_link(self) -> None:
        paper = self.need_paper()
        if paper is None:
            return
        link = paper_link(paper)
        if not link:
            self.notify("This paper has no link.", severity="warning", timeout=2)
            return
        self._open_in_browser(link)

    @work(thread=True, group="browser", exit_on_error=False, description="Opening the browser")
    def _open_in_browser(self, link: str) -> None:
        try:
            opened = webbrowser.open(link)
        except webbrowser.Error:
            opened = False
        self.post_message(self.Opened(link, opened))

    def on_main_screen_opened(self, message: Opened) -> None:
        if message.opened:
            self.notify(f"Opened {one_line(message.link)} in the browser.", markup=False,
                        timeout=2)
        else:
            self.notify("No browser could be started here: y copies the title and link.",
                        severity="warning", timeout=5)

    def action_copy(self) -> None:
        paper = self.need_paper()
        if paper is None:
            return
        link = paper_link(paper)
        self.app.copy_to_clipboard(one_line(paper.readable_title) + (f"\n{link}" if link else ""))
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
