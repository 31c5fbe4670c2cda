"""Importing from the reader: in the background, the list and search follow as it goes."""

from __future__ import annotations

import re

import pytest
from textual import events
from textual.widgets import Input, Label, ProgressBar, Static

from tests.conftest import FIXTURES, SAMPLE_DUMPS, until
from tui_reader import importing as importing_module
from tui_reader.app.app import ReaderApp
from tui_reader.app.importing import ImportBar, ImportPaths, status_text
from tui_reader.library import ImportProgress, Library
from tui_reader.models import paper_id

# The top of a listing page in the "blocks" layout: the site's header, then two papers.
PAGE = "\n".join((SAMPLE_DUMPS / "002_3558552d1792b2fb.txt").read_text(encoding="utf-8")
                 .split("\n")[:18])
SOLAR = "Solar Event Tracking with Deep Regression Networks: A Proof of Concept Evaluation"
ZKDL = "zkDL: Efficient Zero-Knowledge Proofs of Deep Learning Training"


def record_import_bar(monkeypatch) -> list[tuple[int, int, float | None, float | None]]:
    """What the import bar showed at each step of an import, read off its widgets: the papers
    stored and searchable of its status line, and its progress bar's progress and total."""
    shown: list[tuple[int, int, float | None, float | None]] = []
    show = ImportBar.show

    def showing(bar: ImportBar, progress: ImportProgress) -> None:
        show(bar, progress)
        status = bar.query_one("#import-status", Static).content.plain
        stored, searchable = re.search(r"([\d,]+) papers stored, ([\d,]+) searchable",
                                       status).groups()
        progress_bar = bar.query_one(ProgressBar)
        shown.append((int(stored.replace(",", "")), int(searchable.replace(",", "")),
                      progress_bar.progress, progress_bar.total))

    monkeypatch.setattr(ImportBar, "show", showing)
    return shown


@pytest.mark.asyncio
async def test_import_runs_in_the_background_with_progress(tmp_path, monkeypatch):
    # Small batches and segments: the import reports progress and commits the index often.
    monkeypatch.setattr(importing_module, "BATCH", 10)
    monkeypatch.setattr(importing_module, "FIRST_COMMIT", 20)
    monkeypatch.setattr(importing_module, "INDEX_COMMIT_EVERY", 30)
    monkeypatch.setattr("tui_reader.app.live.LOOK_EVERY", 0.05)
    monkeypatch.setattr("tui_reader.app.live.REFRESH_EVERY", 0.0)
    monkeypatch.setattr("tui_reader.app.importing.STEP_EVERY", 0.0)
    shown = record_import_bar(monkeypatch)
    lib = Library(tmp_path / "data")
    app = ReaderApp(lib, debounce=0, read_delay=None, import_samples=False)
    dump = FIXTURES / "arxiv_100.jsonl"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportPaths))
        await pilot.press(*"/no/such/file")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ImportPaths)  # a path that is not there: say so, stay
        app.screen.query_one("#paths").value = str(dump)
        await pilot.press("enter")
        await until(pilot, lambda: shown and not screen.importing)
        # Search covered part of the import before it ended, and the list was refreshed.
        assert any(0 < searchable < 100 for _, searchable, _, _ in shown), shown
        assert [stored for stored, *_ in shown] == sorted(stored for stored, *_ in shown)
        assert shown[-1] == (100, 100, 1, 1) and lib.indexed() == 100  # the bar full at the end
        assert not screen.query_one(ImportBar).has_class("-running")
        await until(pilot, lambda: screen.papers.total == 100)
        screen.search_box.focus()
        screen.search_box.value = "transformer"
        await until(pilot, lambda: screen.papers.listing is not None
                    and screen.papers.listing.query == "transformer")
        assert screen.papers.total > 0
    lib.close()


@pytest.mark.asyncio
async def test_a_pasted_page_is_imported_and_kept_as_a_pasted_source(tmp_path):
    lib = Library(tmp_path / "data")
    app = ReaderApp(lib, debounce=0, read_delay=None, import_samples=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportPaths))
        dialog = app.screen
        app.post_message(events.Paste(PAGE))  # a bracketed paste: the whole page at once
        await until(pilot, lambda: dialog.page is not None)
        assert dialog.page == PAGE and dialog.query_one("#paths", Input).value == ""
        assert str(dialog.query_one("#import-note", Label).render()).startswith(
            "A pasted page of 9 lines")
        await pilot.press("enter")
        await until(pilot, lambda: screen.papers.total == 2 and not screen.importing)
        [kept] = (tmp_path / "data" / "pasted").iterdir()
        assert kept.name.startswith("pasted ") and kept.read_text(encoding="utf-8") == PAGE
        for title in (SOLAR, ZKDL):
            paper = lib.paper(paper_id(title))
            assert paper.title == title and [s.path for s in paper.sources] == [str(kept)]
        assert lib.indexed() == 2
    lib.close()


@pytest.mark.asyncio
async def test_pasted_paths_go_in_the_box_and_typing_drops_a_pasted_page(tmp_path):
    lib = Library(tmp_path / "data")
    folder = tmp_path / "daily dumps"
    folder.mkdir()
    dump = FIXTURES / "arxiv_100.jsonl"
    app = ReaderApp(lib, debounce=0, read_delay=None, import_samples=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportPaths))
        dialog = app.screen
        box = dialog.query_one("#paths", Input)
        app.post_message(events.Paste(f"{dump}\n"))  # one path: as typed
        await until(pilot, lambda: box.value == str(dump))
        box.value = ""
        app.post_message(events.Paste(f"{dump}\n{folder}\n"))  # paths, one a line: quoted
        await until(pilot, lambda: box.value == f"{dump} '{folder}'")
        app.post_message(events.Paste(PAGE))
        await until(pilot, lambda: dialog.page is not None and box.value == "")
        await pilot.press("x")  # typing a path instead: the page is dropped
        await until(pilot, lambda: dialog.page is None)
        assert str(dialog.query_one("#import-note", Label).render()) == ""
        await pilot.press("enter")  # "x" is no path: the dialog says so and stays
        await pilot.pause()
        assert app.screen is dialog
    assert not (tmp_path / "data" / "pasted").exists()
    lib.close()


def test_status_line_says_how_far():
    progress = ImportProgress("/x/arxiv.jsonl.gz", 0, 2, 10, 100, 12000, 10000)
    assert status_text(progress).plain == (
        "Importing arxiv.jsonl.gz (1 of 2): 12,000 papers stored, 10,000 searchable")
    one = ImportProgress("/x/one.jsonl", 0, 1, 10, 100, 1, 1)
    assert status_text(one).plain == "Importing one.jsonl: 1 paper stored, 1 searchable"
