"""The list of papers: a Line API widget that renders only the rows on screen.

A DataTable or ListView of 75,000 rows takes seconds to mount; this list keeps the total, the
pages of rows it has fetched (lazily, by offset, in a worker) and an LRU cache of rendered lines,
as toolong does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...models import Highlight, PaperView
from ..text import highlighted, one_line

WHY_TITLE_MIN = 50  # cells a row keeps for its title before why it is there
WHY_MAX = 40  # cells of why at most
PAGE = 50  # rows fetched at a time: a tall terminal shows about 45; the rest as it scrolls
MAX_PAGES = 128
TITLE_ROOM = 50  # cells the titles keep: a narrower list leaves the upvotes to the detail pane
VOTES = 8  # the upvotes column: " ▲1234  "
MIN_TITLE = 30  # cells of a title kept beside its tags (long tags give way to it)


class _Pages(OrderedDict):
    """Fetched pages of rows by page number, the least recently used dropped first."""

    def get(self, page: int, default=None):
        if page in self:
            self.move_to_end(page)
            return self[page]
        return default

    def put(self, page: int, rows: list) -> None:
        self[page] = rows
        self.move_to_end(page)
        while len(self) > MAX_PAGES:
            self.popitem(last=False)


@dataclass(frozen=True)
class Listing:
    """What the list shows: a view of the library or a query, in a sort order.

    `view` is one of models.VIEWS, "foryou:TAG", "saved:NAME" or "tag:NAME"; a non-blank
    `query` is searched (in the whole library), a blank one browses the view. `typing`: the
    query's last word is still being typed (a prefix); `exact`: no correction, no partial
    matches when nothing matches.
    """

    view: str = "all"
    query: str = ""
    sort: str = "date"
    typing: bool = False
    exact: bool = False


@dataclass
class Row:
    """One paper of the list, with its title highlighted for the query (and, "For you", why
    it is there)."""

    paper: PaperView
    title: Highlight
    why: str = ""


Fetcher = Callable[[Listing, int, int], tuple[int, list[Row]]]


class PaperList(ScrollView, can_focus=True):
    """The papers of a listing, one line each, fetched a page at a time."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown,space", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("home,g", "first", "First paper", show=False, id="list.first"),
        Binding("end,G", "last", "Last paper", show=False, id="list.last"),
        Binding("enter", "select", "Read the abstract", show=False, id="list.select"),
    ]

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--cursor-blurred",
        "paper-list--mark",
        "paper-list--marked",
        "paper-list--unread",
        "paper-list--read",
        "paper-list--meta",
        "paper-list--match",
        "paper-list--empty",
    }

    DEFAULT_CSS = """
    PaperList {
        background: $surface;
        overflow-x: hidden;
        & > .paper-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .paper-list--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .paper-list--mark { color: $warning; }
        & > .paper-list--marked { color: $accent; text-style: bold; }
        & > .paper-list--unread { text-style: bold; }
        & > .paper-list--read { color: $text-muted; }
        & > .paper-list--meta { color: $text-muted; }
        & > .paper-list--match { color: $accent; text-style: bold underline; }
        & > .paper-list--empty { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another paper (or the list changed under it)."""

        paper_list: PaperList
        index: int
        row: Row | None

        @property
        def control(self) -> PaperList:
            return self.paper_list

    @dataclass
    class Selected(Message):
        """Enter on a paper."""

        paper_list: PaperList
        row: Row

        @property
        def control(self) -> PaperList:
            return self.paper_list

    def __init__(self, fetch: Fetcher | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.fetch = fetch
        self.listing: Listing | None = None
        self.total = 0
        self.generation = 0
        self.empty_message = ""
        self._pages = _Pages()
        self._pending: set[int] = set()
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._announced: tuple[int, int, str | None] | None = None
        self.marked: set[str] = set()  # the ids of the papers marked (✓, app/marking.py)

    # -- data ------------------------------------------------------------------------------
    def show(self, listing: Listing, total: int, first_page: list[Row], *,
             empty_message: str = "", keep_cursor: bool = False) -> None:
        """Show a new listing whose first page is known; `keep_cursor`: on the same paper
        when it is on that page, else at the same row."""
        page = self._pages.get(self.cursor // PAGE) if keep_cursor else None
        kept = page[self.cursor % PAGE].paper.id if page and self.cursor % PAGE < len(page) \
            else None
        self.generation += 1
        self.listing = listing
        self.total = total
        self.empty_message = empty_message
        self._pages.clear()
        self._pending.clear()
        self._lines.clear()
        self._pages.put(0, first_page)
        self._update_virtual_size()
        old = self.cursor
        self._announced = None
        if keep_cursor and total:
            index = self.index_of(kept) if kept else None
            self.cursor = index if index is not None else min(old, total - 1)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.cursor = 0
        self.refresh()

    def _update_virtual_size(self) -> None:
        height = self.total if self.total else len(self._empty_lines())
        self.virtual_size = Size(self.scrollable_content_region.width or self.size.width, height)

    def row(self, index: int) -> Row | None:
        """The row at `index`, if its page is loaded (its fetch starts otherwise)."""
        if not 0 <= index < self.total:
            return None
        page = self._pages.get(index // PAGE)
        if page is None:
            self._request(index // PAGE)
            return None
        offset = index % PAGE
        return page[offset] if offset < len(page) else None

    @property
    def current(self) -> Row | None:
        return self.row(self.cursor)

    def loaded_pages(self) -> dict[int, list[Row]]:
        """The pages of rows fetched so far, by page number (a copy)."""
        return dict(self._pages)

    def index_of(self, paper_id: str) -> int | None:
        """Where a paper is among the loaded rows."""
        for page_no, page in self._pages.items():
            for offset, row in enumerate(page):
                if row.paper.id == paper_id:
                    return page_no * PAGE + offset
        return None

    def update_paper(self, paper: PaperView) -> None:
        """A paper's bookmark, note or read state changed: redraw its rows."""
        changed = False
        for page in self._pages.values():
            for row in page:
                if row.paper.id == paper.id:
                    row.paper = paper
                    changed = True
        if changed:
            self._lines.clear()
            self.refresh()

    def show_marks(self, marked: set[str]) -> None:
        """Show ✓ on these papers (the marked ones) and on no others."""
        self.marked = marked
        self._lines.clear()
        self.refresh()

    def _request(self, page: int) -> None:
        if page in self._pending or self.fetch is None or self.listing is None:
            return
        self._pending.add(page)
        self._fetch_page(self.generation, self.listing, page)

    @work(thread=True, group="paper-pages")
    def _fetch_page(self, generation: int, listing: Listing, page: int) -> None:
        assert self.fetch is not None
        try:
            total, rows = self.fetch(listing, page * PAGE, PAGE)
        except Exception as exc:  # the page stays "…"; the user is told once
            rows = []
            try:
                self.app.call_from_thread(self.notify, f"Loading papers failed: {exc}",
                                          severity="error", markup=False)
            except RuntimeError:  # the app is closing
                pass
        self.post_message(self._PageLoaded(generation, page, rows))

    @dataclass
    class _PageLoaded(Message):
        """Page `page` of the listing shown as `generation` (stale when it is not current)."""

        generation: int
        page: int
        rows: list[Row]

    def on_paper_list__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        self._pending.discard(message.page)
        self._pages.put(message.page, message.rows)
        self._lines.clear()
        self.refresh()
        if self.cursor // PAGE == message.page:
            self._announce()

    # -- cursor ----------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.total - 1)) if self.total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        row = self.current
        key = (self.generation, self.cursor, row.paper.id if row else None)
        if key == self._announced:
            return
        if row is None and self.total and self.cursor // PAGE not in self._pages:
            return  # announced when its page arrives
        self._announced = key
        self.post_message(self.Highlighted(self, self.cursor, row))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if not height:
            return
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.total - 1

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.total:
            return
        index = offset.y + round(self.scroll_offset.y)
        if 0 <= index < self.total:
            self.focus()
            self.cursor = index
            if event.chain > 1:
                self.action_select()

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._lines.clear()
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        """The theme or the styles changed: rendered lines are stale."""
        super().notify_style_update()
        self._lines.clear()

    # -- rendering -------------------------------------------------------------------------
    def _empty_lines(self) -> list[str]:
        return ["", *self.empty_message.splitlines()] if self.empty_message else [""]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        index = y + round(self.scroll_offset.y)
        base = self.rich_style
        if not self.total:
            lines = self._empty_lines()
            if index >= len(lines):
                return Strip.blank(width, base)
            text = Text("  " + one_line(lines[index]), style=self._style("empty"),
                        no_wrap=True, end="")
            return self._strip(text, width, base)
        if index >= self.total:
            return Strip.blank(width, base)
        selected = index == self.cursor
        key = (self.generation, index, width, selected, self.has_focus)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        row = self.row(index)
        if row is None:
            text = Text("     …", style=self._style("meta"), end="")
            if selected:
                text.style = self._cursor_style()
            return self._strip(text, width, base)
        strip = self._strip(self.render_row(row, selected, width), width, base)
        self._lines[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        """A component style without its background (the row's cursor shows through),
        its colour blended as the theme means it."""
        full = self.get_component_rich_style(f"paper-list--{name}")
        return self.get_component_rich_style(f"paper-list--{name}", partial=True) + Style(
            color=full.color)

    def _cursor_style(self) -> Style:
        return self.get_component_rich_style(
            "paper-list--cursor" if self.has_focus else "paper-list--cursor-blurred")

    def render_row(self, row: Row, selected: bool = False, width: int | None = None) -> Text:
        """One paper as a line: bookmark mark, unread dot, ✓ when marked, date, upvotes, title,
        tags (the upvotes left out where the title would have fewer than TITLE_ROOM of the
        `width` cells; for you, why it is there; the title cut to leave the tags and the why
        room)."""
        paper = row.paper

        style = self._style
        meta = style("meta")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("★" if paper.bookmarked else " ", style("mark"))
        text.append("●" if not paper.read else " ", meta)
        if paper.id in self.marked:
            text.append("✓", style("marked"))
        else:
            text.append(" ")
        text.append((paper.published.isoformat() if paper.published else "").ljust(10), meta)
        if width is None or width - len(text) - VOTES >= TITLE_ROOM:
            votes = f"▲{paper.upvotes}" if paper.upvotes is not None else ""
            text.append(f" {votes:>5}  ", meta)
        else:
            text.append("  ")
        title = highlighted(row.title, style("match"), style("read" if paper.read else "unread"),
                            single_line=True, italic=paper.italics("title"))
        tags = Text("  " + " ".join("#" + t for t in paper.tags) if paper.tags else "", meta)
        why = Text(f"  · {one_line(row.why)}" if row.why else "", meta)
        why.truncate(WHY_MAX, overflow="ellipsis")
        if width and (tags or why):
            room = width - text.cell_len - tags.cell_len - why.cell_len
            least = WHY_TITLE_MIN - text.cell_len if why else MIN_TITLE
            title.truncate(max(least, room), overflow="ellipsis")
        text.append_text(title)
        text.append_text(tags)
        text.append_text(why)
        if selected:
            text.style = self._cursor_style()
        return text

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [Segment(s.text, base + s.style if s.style else base, s.control)
                    for s in text.render(self.app.console)]
        return Strip(segments, width).adjust_cell_length(width, base)

    def rendered_lines(self) -> list[str]:
        """The text of the rows on screen (for tests and screenshots in words)."""
        height = self.scrollable_content_region.height
        return [self.render_line(y).text.rstrip() for y in range(height)]
