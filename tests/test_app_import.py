"""Importing from the reader: in the background, the list and search follow as it goes."""

from __future__ import annotations

import time

import pytest

from tests.conftest import FIXTURES
from tui_reader import importing as importing_module
from tui_reader.app.app import ReaderApp
from tui_reader.app.importing import ImportBar, ImportPaths, status_text
from tui_reader.library import ImportProgress, Library

async def _until(pilot, condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


@pytest.mark.asyncio
async def test_import_runs_in_the_background_with_progress(tmp_path, monkeypatch):
    # Small batches and segments: the import reports progress and commits the index often.
    monkeypatch.setattr(importing_module, "BATCH", 10)
    monkeypatch.setattr(importing_module, "FIRST_COMMIT", 20)
    monkeypatch.setattr(importing_module, "INDEX_COMMIT_EVERY", 30)
    monkeypatch.setattr("tui_reader.app.importing.REFRESH_EVERY", 0.0)
    monkeypatch.setattr("tui_reader.app.importing.STEP_EVERY", 0.0)
    lib = Library(tmp_path / "data")
    app = ReaderApp(lib, debounce=0, read_delay=None, import_samples=False)
    dump = FIXTURES / "arxiv_100.jsonl"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        await pilot.press("i")
        await _until(pilot, lambda: isinstance(app.screen, ImportPaths))
        await pilot.press(*"/no/such/file")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ImportPaths)  # a path that is not there: say so, stay
        app.screen.query_one("#paths").value = str(dump)
        await pilot.press("enter")
        await _until(pilot, lambda: screen.importing is False and screen.import_steps)
        steps = screen.import_steps
        # Search covered part of the import before it ended, and the list was refreshed.
        assert any(0 < s.indexed < 100 for s in steps), [(s.papers, s.indexed) for s in steps]
        assert [s.papers for s in steps] == sorted(s.papers for s in steps)
        assert steps[-1].papers == 100 and lib.indexed() == 100
        assert not screen.query_one(ImportBar).has_class("-running")
        await _until(pilot, lambda: screen.papers.total == 100)
        screen.search_box.focus()
        screen.search_box.value = "transformer"
        await _until(pilot, lambda: screen.papers.listing is not None
                     and screen.papers.listing.query == "transformer")
        assert screen.papers.total > 0
    lib.close()


def test_status_line_says_how_far():
    progress = ImportProgress("/x/arxiv.jsonl.gz", 0, 2, 10, 100, 12000, 10000)
    assert status_text(progress).plain == (
        "Importing arxiv.jsonl.gz (1 of 2): 12,000 papers stored, 10,000 searchable")
