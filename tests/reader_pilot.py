"""Helpers of the reader's Pilot tests (tests/test_app*.py): the app as the tests make it, and
what its screen shows."""

from __future__ import annotations

from tui_reader.app.app import ReaderApp
from tui_reader.app.screens.main import MainScreen
from tui_reader.library import Library

from tests.conftest import settle

SIZE = (120, 40)
PROTEIN = "Diffusion Models for Protein Design"
TRANSFORMERS = "Transformers Without Attention"
GRAPHS = "Graph Neural Networks at Scale"
RLHF = "Reinforcement Learning from Human Feedback"
BY_DATE = [RLHF, TRANSFORMERS, PROTEIN, GRAPHS]


def make_app(library: Library, **options) -> ReaderApp:
    options.setdefault("debounce", 0)
    options.setdefault("read_delay", None)
    options.setdefault("similar_delay", 0)
    options.setdefault("suggestion_delay", 0)
    return ReaderApp(library, **options)


def main(app: ReaderApp) -> MainScreen:
    return app.main_screen


def lines(app: ReaderApp) -> list[str]:
    return [line for line in main(app).papers.rendered_lines() if line.strip()]


def titles(app: ReaderApp) -> list[str]:
    papers = main(app).papers
    return [papers.row(i).paper.title for i in range(papers.total)]


def status(app: ReaderApp) -> str:
    return str(main(app).query_one("#status").render())


def repair_line(app: ReaderApp) -> str:
    """The line under the status: a correction with "search instead", or partial matches."""
    line = main(app).query_one("#suggestion")
    return str(line.render()) if line.display else ""


def detail_text(app: ReaderApp) -> str:
    detail = main(app).detail  # the text of each part (metadata rows: one row a line)
    return "\n".join(str(w.content) for w in detail.query("Static") if w.display)


def marked_in_detail(app: ReaderApp, part: str) -> list[str]:
    """The words highlighted in the detail pane's `part` (title or abstract)."""
    text = main(app).detail.query_one(f"#detail-{part}").content
    return [text.plain[span.start:span.end] for span in text.spans]


async def type_query(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await settle(pilot)


async def to_results(pilot, text: str) -> None:
    """Search for `text`, then enter: to its results."""
    await type_query(pilot, text)
    await pilot.press("enter")
    await settle(pilot)
