"""The detail pane: the highlighted paper in full, its note and the papers most like it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ...models import Highlight, PaperView, counted
from ..hanging import HangingRows
from ..text import clean, highlighted, one_line, plain
from ...upvotes import day, history_text

MAX_AUTHORS = 12
MAX_SOURCES = 6
LABEL_WIDTH = 12  # the metadata's labels, "Organisation" the longest


def paper_link(paper: PaperView) -> str | None:
    """The page of a paper: its URL, else its arXiv abstract page."""
    if paper.url:
        return paper.url
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    return None


class SimilarList(Static):
    """The papers most like the shown one, numbered 1-5; a click (or the number) opens one."""

    @dataclass
    class Chosen(Message):
        """Similar paper `number` (1-5) was clicked."""

        number: int

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.papers: list[PaperView] = []
        self.rows: HangingRows | None = None  # the papers as shown (None: a message)

    def set_papers(self, papers: list[PaperView]) -> None:
        self.papers = papers[:5]
        if not self.papers:
            self.rows = None
            self.update(Text("No similar papers found.", "dim"))
            return
        self.rows = HangingRows(3)
        for number, paper in enumerate(self.papers, 1):
            year = Text(f" {paper.published.year}", "dim") if paper.published else ""
            self.rows.add(Text(f" {number} ", "reverse"), one_line(paper.readable_title), year)
        self.update(self.rows)

    def set_waiting(self) -> None:
        self.papers = []
        self.rows = None
        self.update(Text("…", style="dim"))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.rows is None:
            return
        bottom = 0
        for number, height in enumerate(
                self.rows.heights(self.app.console, self.content_region.width), 1):
            bottom += height
            if offset.y < bottom:  # a wrapped title's every line opens its paper
                event.stop()
                self.post_message(self.Chosen(number))
                return


class DetailPane(VerticalScroll, can_focus=True):
    """Title, metadata, abstract with hits highlighted, sources, note, similar papers."""

    DEFAULT_CSS = """
    DetailPane {
        padding: 0 1;
        & > .detail--match { color: $accent; text-style: bold underline; }
    }
    """
    COMPONENT_CLASSES = {"detail--match"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.paper: PaperView | None = None
        self.pinned = False  # showing a similar paper rather than the list's
        self._note_shown: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-meta")
        yield Static(id="detail-abstract")
        yield Static("Note", id="detail-note-heading", classes="detail-heading")
        # (the note's Markdown widget is mounted with the first note shown: show_note)
        yield Static(id="detail-note-empty")
        yield Static("Similar papers (press 1-5)", id="detail-similar-heading",
                     classes="detail-heading")
        yield SimilarList(id="detail-similar")
        yield Static(id="detail-sources")

    def on_mount(self) -> None:
        self.show(None)

    def show(self, paper: PaperView | None, title: Highlight | None = None,
             abstract: Highlight | None = None, *, empty: str = "",
             keep_scroll: bool = False) -> None:
        """Show a paper (None: the empty state with a hint)."""
        self.paper = paper
        self.set_class(paper is None, "-empty")
        if paper is None:
            self.query_one("#detail-title", Static).update(plain(empty or "No paper selected."))
            for name in ("meta", "abstract", "sources"):
                self.query_one(f"#detail-{name}", Static).update("")
            self.query_one("#detail-similar", SimilarList).set_papers([])
            return
        match = self.get_component_rich_style("detail--match", partial=True)
        title_text = highlighted(title or Highlight(text=paper.readable_title), match, "bold",
                                 single_line=True, italic=paper.italics("title"))
        self.query_one("#detail-title", Static).update(title_text)
        self.query_one("#detail-meta", Static).update(self.metadata(paper))
        abstract_text = (highlighted(abstract or Highlight(text=paper.readable_abstract), match,
                                     italic=paper.italics("abstract"))
                         if paper.abstract else Text("No abstract in the dumps.", "dim"))
        self.query_one("#detail-abstract", Static).update(abstract_text)
        self.query_one("#detail-sources", Static).update(self.sources(paper))
        self.show_note(paper)
        if not keep_scroll:
            self.scroll_home(animate=False)

    def show_note(self, paper: PaperView) -> None:
        """The paper's note as Markdown, or a hint. The Markdown widget (markdown-it) is made
        when the first note is shown: most papers have none, and the first screen needs none."""
        note = clean(paper.note).strip() if paper.note else ""
        empty = self.query_one("#detail-note-empty", Static)
        empty.display = not note
        found = self.query("#detail-note")
        if found:
            found.first().display = bool(note)
        if not note:
            empty.update(Text("No note yet. Press n to write one.", "dim"))
        elif not found:
            from textual.widgets import Markdown

            self._note_shown = note
            self.mount(Markdown(note, id="detail-note"), before=empty)
        elif note != self._note_shown:
            self._note_shown = note
            found.first().update(note)

    def show_similar(self, paper_id: str, papers: list[PaperView]) -> None:
        if self.paper is not None and self.paper.id == paper_id:
            self.query_one("#detail-similar", SimilarList).set_papers(papers)

    def similar_waiting(self) -> None:
        self.query_one("#detail-similar", SimilarList).set_waiting()

    @property
    def similar(self) -> list[PaperView]:
        return self.query_one("#detail-similar", SimilarList).papers

    @staticmethod
    def metadata(paper: PaperView) -> HangingRows:
        """A row per field: its label, and its value wrapping under itself."""
        rows = HangingRows(LABEL_WIDTH)

        def line(label: str, value: Text | str) -> None:
            rows.add(Text(label, "dim"),
                     value if isinstance(value, Text) else plain(value, single_line=True))

        flags = []
        if paper.bookmarked:
            flags.append("★ bookmarked")
        flags.append("read" if paper.read else "unread")
        if paper.note:
            flags.append("has a note")
        line("State", Text(" · ".join(flags)))
        line("Tags", " ".join("#" + t for t in paper.tags) if paper.tags
             else Text("none (t adds one)", "dim"))
        if paper.authors:
            names = ", ".join(one_line(a) for a in paper.authors[:MAX_AUTHORS])
            more = len(paper.authors) - MAX_AUTHORS
            line("Authors", names + (f" and {more} more" if more > 0 else ""))
        elif paper.authors_count:
            line("Authors", counted(paper.authors_count, "author"))
        if paper.organization:
            line("Organisation", paper.organization)
        if paper.published:
            when = paper.published.isoformat()
            if paper.year_inferred:
                when += " (year inferred)"
            line("Published", when)
        if len(paper.upvote_history) > 1:
            line("Upvotes", history_text(paper.upvote_history))
        elif paper.upvotes is not None:
            line("Upvotes", f"▲ {paper.upvotes}")
        if paper.arxiv_id:
            line("arXiv", paper.arxiv_id)
        link = paper_link(paper)
        if link:
            line("Link", link + "  (o opens it)")
        if paper.categories:
            line("Categories", ", ".join(one_line(c) for c in paper.categories))
        line("Id", paper.id)
        return rows

    @staticmethod
    def sources(paper: PaperView) -> HangingRows:
        """The dumps the paper was seen in, a row each, under a "Seen in" label."""
        rows = HangingRows(LABEL_WIDTH)
        label = Text("Seen in", "dim")
        if not paper.sources:
            rows.add(label, Text("(no source recorded)", "dim"))
        for source in paper.sources[:MAX_SOURCES]:
            number = f"#{source.position + 1}"
            where = Text(f"· captured {day(source.captured)} · {number}" if source.captured
                         else f" {number}", "dim")
            if source.format:
                where.append(f"  {one_line(source.format)}")
            rows.add(label, one_line(PurePath(source.path).name), where)
            label = Text("")
        more = len(paper.sources) - MAX_SOURCES
        if more > 0:
            rows.add("", Text(f"and {counted(more, 'more file')}", "dim"))
        return rows
