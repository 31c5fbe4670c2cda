"""The help screen: every key of the reader, generated from the bindings themselves."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

SEARCH_TIPS = [
    ("diffusion protein", "papers with both words"),
    ('"language models"', "the phrase"),
    ("transform*  protien~", "a prefix; one typo away"),
    ("author:hinton  category:cs.CL  note:todo", "one field (title: abstract: org: too)"),
    ("year:2024  upvotes:>10", "dates and upvotes (ranges: year:2023..2025)"),
    ("a OR b  NOT c  (a OR b) AND c", "boolean logic"),
]


class HelpScreen(ModalScreen[None]):
    """Every key, grouped, scrolling inside its border; escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close"),
        Binding("j", "scroll(1)", "Scroll down", show=False, id="help.down"),
        Binding("k", "scroll(-1)", "Scroll up", show=False, id="help.up"),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Text("tui-reader: keys", style="bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                for title, rows in self.sections:
                    yield Static(self.table(title, rows), classes="help-section")
                tips = Table.grid(padding=(0, 2))
                tips.add_column(style="bold", no_wrap=True)
                tips.add_column()
                tips.add_row(Text("Search", style="bold underline"), "")
                for query, meaning in SEARCH_TIPS:
                    tips.add_row(Text(query), Text(meaning))
                yield Static(tips, classes="help-section")
            yield Static(Text("j k, arrows, page up/down scroll · escape, q or ? closes this help",
                             style="dim"),
                         id="help-hint")

    def on_mount(self) -> None:
        self.body.focus()  # arrows, page up/down, home and end scroll it

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        self.body.scroll_relative(y=lines, animate=False)

    @staticmethod
    def table(title: str, rows: list[tuple[str, str]]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, min_width=14)
        table.add_column()
        table.add_row(Text(title, style="bold underline"), "")
        for keys, description in rows:
            table.add_row(Text(keys), Text(description))
        return table
