"""Rows whose wrapped lines keep their indent: a label (or a number) in a column of its own, and
text that wraps under itself, never back to column 0, at whatever width the terminal has."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


class HangingRows:
    """Rows of a lead of `lead_width` cells (a label, a number), a body that wraps under itself
    (a hanging indent) and an optional tail kept whole after the body (a year, a position).

    A Rich renderable: each row is a grid of its own, so the lines a row takes at a width are
    known (`heights`, for mouse clicks). `str()` is the plain text, a row a line.
    """

    def __init__(self, lead_width: int, gap: int = 1) -> None:
        self.lead_width = lead_width
        self.gap = gap
        self.rows: list[tuple[Text, Text, Text]] = []

    def add(self, lead: Text | str, body: Text | str, tail: Text | str = "") -> None:
        """Add a row (strings are plain text, never markup)."""
        self.rows.append(tuple(Text(part) if isinstance(part, str) else part
                               for part in (lead, body, tail)))  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return bool(self.rows)

    def _grid(self, lead: Text, body: Text, tail: Text) -> Table:
        grid = Table.grid(padding=(0, self.gap, 0, 0))
        grid.add_column(width=self.lead_width, no_wrap=True)
        grid.add_column(overflow="fold")  # a long word (a link, an id) breaks rather than hides
        cells = [lead, body]
        if tail:
            grid.add_column(no_wrap=True)
            cells.append(tail)
        grid.add_row(*cells)
        return grid

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for row in self.rows:
            yield self._grid(*row)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        sizes = [Measurement.get(console, options, self._grid(*row)) for row in self.rows]
        if not sizes:
            return Measurement(0, 0)
        return Measurement(max(s.minimum for s in sizes), max(s.maximum for s in sizes))

    def heights(self, console: Console, width: int) -> list[int]:
        """The number of lines each row takes at `width` cells."""
        options = console.options.update_width(max(1, width))
        return [len(console.render_lines(self._grid(*row), options, pad=False))
                for row in self.rows]

    def __str__(self) -> str:
        lines = []
        for lead, body, tail in self.rows:
            parts = [lead.plain.ljust(self.lead_width), body.plain] + (
                [tail.plain] if tail else [])
            lines.append((" " * self.gap).join(parts).rstrip())
        return "\n".join(lines)
