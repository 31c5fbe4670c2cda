"""Moving between the views and back a level: a view opened as it was left (its search, sort
and paper), `]`/`[` to the next and previous view, escape and `q` back a level, and the open
view followed when its tag goes (here or in another process)."""

from __future__ import annotations

from textual.widgets import Input

from .gate import guarded
from .position import Place
from .text import one_line
from .views import SAVED, fixed_query, view_ids, view_label


class Navigation:
    """The MainScreen's part that opens views and steps back (a mixin: MainScreen provides
    `library`, `reader`, the widgets, the state: view, query_text, typing, exact, sort,
    searches, positions, marks, `_restore`, and `run_search`, `enter_search`, `show_paper`,
    `clear_marks`, `fold_views`)."""

    @guarded("Opening the view")
    def open_view(self, view: str) -> None:
        """Show a view as it was left (its search, sort and paper): a built-in one, "For you:
        TAG", a saved search or a tag (with its own query; its sort order at first)."""
        if view not in self.view_ids():
            return
        search = next((s for s in self.searches if SAVED + s.name == view), None)
        query = search.query if search else fixed_query(view)
        kept = self.positions.places.get(view)
        place = kept or Place(sort=search.sort if search else "date" if query else "relevance")
        self.view, self.sort = view, place.sort
        self.sidebar.set_current(view)
        self.show_query(place.query if query is None else query)
        self._restore = (self._token, place)
        self.positions.view = view
        self.positions.save(self.library, self.view_ids())

    @property
    def tags(self) -> list[str]:
        """The tags' names, the most used first (the sidebar's, which lists them)."""
        return self.sidebar.tags

    def view_ids(self) -> list[str]:
        """Every view, in the sidebar's order."""
        return view_ids([s.name for s in self.searches], self.tags)

    def show_tags(self, tags: list[tuple[str, int]]) -> None:
        """The tags and their counts are these now: a tag's view (or its For you) that is
        open while its tag went (here or elsewhere) gives way to All papers."""
        self.sidebar.set_tags(tags)
        if self.view not in self.view_ids():
            self.notify(f"{one_line(view_label(self.view))}: no paper has this tag now.",
                        markup=False, timeout=4)
            self.open_view("all")

    def listing_shown(self, token: int) -> None:
        """The answer of search `token` is shown: the paper where its view was left is
        highlighted again."""
        if self._restore is None or token < self._restore[0]:
            return
        start, place = self._restore
        self._restore = None
        papers = self.papers
        if token != start or place.paper is None:
            return
        index = papers.index_of(place.paper)
        if index is None and place.row < papers.total:
            index = place.row  # not on the first page: its row, fetched as it is shown
        if index is not None:
            papers.cursor = index

    def show_query(self, query: str) -> None:
        """Show the results of `query` (blank: the view's papers), its words complete."""
        self.query_text = query
        self.typing = self.exact = False
        with self.prevent(Input.Changed):
            self.search_box.value = query
        self.search_box.remove_class("-error")
        self.run_search(0)

    def _move_view(self, step: int) -> None:
        views = self.view_ids()
        index = views.index(self.view) if self.view in views else 0
        self.open_view(views[(index + step) % len(views)])

    def action_next_view(self) -> None:
        self._move_view(1)

    def action_previous_view(self) -> None:
        self._move_view(-1)

    def action_back(self) -> None:
        """Escape: back a level (never into the search box)."""
        self.step_back()

    async def action_back_or_quit(self) -> None:
        """q: back a level; quit from the top level (All papers, no search)."""
        if not self.step_back():
            await self.reader.action_quit()

    def step_back(self) -> bool:
        """Back a level: the sidebar shown over the list folded; a similar paper shown to the
        list's; from the search box (its query entered and kept) to the list; the marks
        cleared; from the detail pane or the sidebar to the list; from a search to its
        view's papers; from a view to All papers. False at the top level: nothing to go back
        to."""
        if self.views_shown:
            self.fold_views()
        elif self.detail.pinned:
            self.detail.pinned = False
            row = self.papers.current
            self.show_paper(row.paper if row else None)
        elif self.focused is self.search_box:
            self.enter_search()
            self.papers.focus()
        elif self.marks:
            self.clear_marks()
        elif self.focused is not self.papers:
            self.papers.focus()
        elif self.view != "all":
            self.open_view("all")
        elif self.query_text:
            self.show_query("")
        else:
            return False
        return True
