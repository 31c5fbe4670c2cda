"""The reader, driven through Textual's Pilot on a real Library in tmp_path: the screen, the
palette, help and themes, the first start, the whole story (searching, keys and views are in
test_app_search.py, test_app_keys.py and test_app_views.py)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Input

from tui_reader.app.app import ReaderApp
from tui_reader.app.screens.confirm import Confirm
from tui_reader.app.screens.help import HelpScreen
from tui_reader.app.screens.main import MainScreen
from tui_reader.app.screens.note_editor import NoteEditor
from tui_reader.app.screens.save_search import SaveSearch
from tui_reader.app.widgets.paper_list import PaperList
from tui_reader.library import Library

from tests.conftest import settle, until, write_jsonl
from tests.reader_pilot import (BY_DATE, GRAPHS, RLHF, SIZE, TRANSFORMERS, detail_text,
                                lines, main, make_app, status, titles,
                                type_query)

pytestmark = pytest.mark.asyncio


# -- the screen -------------------------------------------------------------------------------

async def test_start_shows_every_paper_newest_first(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(app) == BY_DATE
        shown = lines(app)
        assert RLHF in shown[0] and "2025-05-20" in shown[0]
        assert "All papers · 4 papers · newest first" in status(app)
        assert isinstance(app.focused, PaperList)
        # the detail pane shows the first paper with its metadata
        text = detail_text(app)
        assert RLHF in text and "Alan Kay, Ada Lovelace" in text and "2505.00004" in text
        assert "https://arxiv.org/abs/2505.00004" in text and "cs.CL" in text
        assert "corpus.jsonl" in text  # where the paper was seen
        # the sidebar: views with counts
        sidebar = main(app).sidebar
        prompts = [str(sidebar.get_option_at_index(i).prompt)
                   for i in range(sidebar.option_count)]
        assert any("All papers" in p and "4" in p for p in prompts)
        assert any(p.strip().startswith("Bookmarks") for p in prompts)
        assert any("With notes" in p for p in prompts) and any("Unread" in p for p in prompts)


async def test_the_list_is_one_line_api_widget_with_lazy_pages(lib, tmp_path):
    records = [{"id": f"2401.{i:05d}", "title": f"Paper number {i:04d} on topic",
                "abstract": f"Abstract {i} about topic words.", "authors": ["A. Author"],
                "update_date": f"20{10 + i % 15}-01-{1 + i % 28:02d}"} for i in range(1200)]
    lib.import_paths([write_jsonl(tmp_path / "many.jsonl", records)])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        papers = main(app).papers
        assert papers.total == 1200
        assert len(papers._pages) == 1  # only the first page was fetched
        widgets_before = len(list(app.screen.query("*")))
        await pilot.press("G")
        await settle(pilot)
        assert papers.cursor == 1199
        assert papers.current is not None
        assert len(papers._pages) <= 3  # the last page, not the ones in between
        assert any(papers.current.paper.title in line for line in lines(app))
        assert len(list(app.screen.query("*"))) == widgets_before  # no widget per row
        await pilot.press("g")
        await settle(pilot)
        assert papers.cursor == 0 and round(papers.scroll_offset.y) == 0


# -- palette, help, themes, first start ---------------------------------------------------------

async def palette_ready(pilot, first: str) -> None:
    """Wait until the command palette lists `first` as its highlighted command."""
    from textual.command import CommandList

    def offered() -> bool:
        commands = pilot.app.screen.query(CommandList)
        if not commands or commands.first().highlighted is None:
            return False
        option = commands.first().highlighted_option
        return option is not None and first in str(option.prompt)

    await until(pilot, offered)


async def test_the_command_palette_offers_actions_and_saved_searches(corpus_lib):
    corpus_lib.save_search("graphs", "graph", "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("ctrl+p", *"bookmark")
        await palette_ready(pilot, "Bookmark")
        await pilot.press("enter")
        await settle(pilot)
        assert corpus_lib.paper(screen.detail.paper.id).bookmarked
        await pilot.press("ctrl+p", *"saved search: graphs")
        await palette_ready(pilot, "Saved search: graphs")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view == "saved:graphs" and titles(app) == [GRAPHS]


@pytest.mark.parametrize("query", ["[/x] y", "[$accent]z \\[b]"])
async def test_a_saved_search_that_looks_like_markup_shows_as_typed_in_the_palette(corpus_lib,
                                                                                   query):
    """The palette reads a command's help as markup: `[/x] y` crashed it (MarkupError)."""
    from textual.command import CommandList

    corpus_lib.save_search("odd", query, "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"saved search: odd")
        await palette_ready(pilot, "Saved search: odd")
        assert app.is_running
        prompt = app.screen.query_one(CommandList).highlighted_option.prompt
        assert str(prompt).splitlines()[1] == f"{query}  (relevance)"


async def test_help_lists_every_key(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        for section in app.screen.query(".help-section"):
            console.print(section.content)
        text = console.export_text()
        for binding in MainScreen.BINDINGS + PaperList.BINDINGS + NoteEditor.BINDINGS:
            assert binding.description in text, binding
        for key in ("/", "b", "n", "s", "o", "y", "?", "q", "j", "k", "g", "G", "ctrl+p",
                    "ctrl+s", "esc"):
            assert key in text, key
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_every_binding_has_an_id_and_a_description():
    for binding in MainScreen.BINDINGS + PaperList.BINDINGS + NoteEditor.BINDINGS \
            + Confirm.BINDINGS + SaveSearch.BINDINGS + HelpScreen.BINDINGS + ReaderApp.BINDINGS:
        assert binding.id and binding.description, binding


async def test_the_chosen_theme_is_remembered(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert corpus_lib.setting("theme") == "nord"
    again = make_app(corpus_lib)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_the_first_start_imports_the_bundled_samples(lib):
    assert lib.is_empty()
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not lib.is_empty()
        assert main(app).papers.total == lib.stats()["papers"] > 10
        assert any("Imported the samples" in str(n.message) for n in app._notifications)
        assert lines(app)


async def test_data_from_a_dump_is_shown_as_typed_never_as_markup(lib, tmp_path):
    evil = {"id": "2401.99999", "title": "[bold]x[/bold] and [link=http://e]y[/link] \x1b]52;c;QUJD\x07z",
            "abstract": "An [red]abstract[/red] with \x1b[2J escapes and [b]markup[/b].",
            "authors": ["[i]Mallory[/i]"], "categories": ["cs.CR"], "update_date": "2024-01-01"}
    lib.import_paths([write_jsonl(tmp_path / "evil.jsonl", [evil])])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        line = lines(app)[0]
        assert "[bold]x[/bold] and [link=http://e]y[/link]" in line
        for y in range(5):
            for segment in screen.papers.render_line(y):
                assert "\x1b" not in segment.text and "\x07" not in segment.text
        text = detail_text(app)
        assert "[bold]x[/bold]" in text and "[red]abstract[/red]" in text
        assert "[i]Mallory[/i]" in text and "\x1b" not in text
        await type_query(pilot, "abstract")
        assert "[bold]x[/bold]" in lines(app)[0]


# -- the story ----------------------------------------------------------------------------------

async def test_the_story_search_bookmark_note_save_restart_find_again(corpus_lib, data_dir):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "language models")
        assert sorted(titles(app)) == sorted([TRANSFORMERS, RLHF])
        await pilot.press("enter")
        chosen = main(app).detail.paper
        await pilot.press("b")
        await pilot.press("n", *"reread", "space", *"section", "space", "3", "escape")
        await settle(pilot)
        await pilot.press("s")
        name_box = app.screen.query_one(Input)
        name_box.value = "llm"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q", "q")  # from the saved search back to All papers, then quit
    assert not app.is_running
    corpus_lib.close()

    again_lib = Library(data_dir)
    again = make_app(again_lib)
    try:
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = main(again)
            screen.open_view("bookmarks")
            await settle(pilot)
            assert titles(again) == [chosen.title]
            assert lines(again)[0].startswith("★")
            assert "reread section 3" in screen.query_one("#detail-note").source
            assert "llm" in [v.removeprefix("saved:") for v in screen.sidebar.view_ids()]
            screen.open_view("saved:llm")
            await settle(pilot)
            assert screen.search_box.value == "language models"
            assert sorted(titles(again)) == sorted([TRANSFORMERS, RLHF])
    finally:
        again_lib.close()


async def test_the_library_is_shut_to_workers_when_the_app_ends(corpus_lib):
    """A worker thread still running after the app ended (a detail lookup, a search) finds
    the library shut: the command line closes it right after, and a call into a closed
    SQLite connection from another thread could crash the process."""
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.library.stats()["papers"] == 4
    with pytest.raises(RuntimeError, match="closed the library"):
        app.library.paper(corpus_lib.browse(limit=1)[1][0].id)
