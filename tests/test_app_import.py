"""Importing from the reader: in the background, the list and search follow as it goes."""

from __future__ import annotations

import re
import time

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
    monkeypatch.setattr("tui_reader.ingest.SAMPLE", 5)  # the papers read ahead (the guard's)
    monkeypatch.setattr("tui_reader.app.live.LOOK_EVERY", 0.05)
    monkeypatch.setattr("tui_reader.app.live.REFRESH_EVERY", 0.0)
    monkeypatch.setattr("tui_reader.app.importing.STEP_EVERY", 0.0)
    shown = record_import_bar(monkeypatch)
    lib = Library(tmp_path / "data")
    app = ReaderApp(lib, debounce=0, read_delay=None, import_samples=False)
    dump = FIXTURES / "arxiv_100.jsonl"
    size = dump.stat().st_size
    # When 30 papers are stored, the import waits (10 s at most) for the list to show them.
    listed: list[int] = []
    merge = lib.store.merge_papers

    def merging(*args, **kwargs):
        merged = merge(*args, **kwargs)
        if lib.store.counts()["papers"] == 30:
            deadline = time.monotonic() + 10
            while app.main_screen.papers.total != 30 and time.monotonic() < deadline:
                time.sleep(0.01)
            listed.append(app.main_screen.papers.total)
        return merged

    monkeypatch.setattr(lib.store, "merge_papers", merging)
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
        assert listed == [30]  # the list grew as papers were stored, before the end
        # Search covered part of the import before it ended.
        assert any(0 < searchable < 100 for _, searchable, _, _ in shown), shown
        assert [stored for stored, *_ in shown] == sorted(stored for stored, *_ in shown)
        # The bar is determinate: the file's bytes, counted as it is read.
        assert {total for *_, total in shown} == {size}, shown
        done = [progress for _, _, progress, _ in shown]
        assert done == sorted(done) and any(0 < part < size for part in done), shown
        assert shown[-1] == (100, 100, size, size) and lib.indexed() == 100  # full at the end
        assert not screen.query_one(ImportBar).has_class("-running")
        await until(pilot, lambda: screen.papers.total == 100)
        screen.search_box.focus()
        screen.search_box.value = "transformer"
        await until(pilot, lambda: screen.papers.listing is not None
                    and screen.papers.listing.query == "transformer")
        assert screen.papers.total > 0
    lib.close()


@pytest.mark.asyncio
async def test_tab_completes_paths_in_the_dialog(tmp_path):
    folder = tmp_path / "dumps"
    (folder / "daily dumps").mkdir(parents=True)
    (folder / "dailies").mkdir()
    (folder / "daily dumps" / "arxiv_100.jsonl").write_bytes(
        (FIXTURES / "arxiv_100.jsonl").read_bytes())
    (folder / "arxiv_notes.txt").write_text("x")
    lib = Library(tmp_path / "data")
    app = ReaderApp(lib, debounce=0, read_delay=None, import_samples=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportPaths))
        dialog = app.screen
        box = dialog.query_one("#paths", Input)
        note = dialog.query_one("#import-note", Label)
        box.value = f"{folder}/dai"
        box.cursor_position = len(box.value)
        await pilot.press("tab")  # as far as the names agree; both listed; the focus stays
        await until(pilot, lambda: box.value == f"{folder}/dail")
        assert dialog.focused is box and box.cursor_position == len(box.value)
        await until(pilot, lambda: str(note.render()) == "dailies/  daily dumps/")
        await pilot.press("y", "tab")  # one name: completed, quoted as the dialog reads it
        await until(pilot, lambda: box.value == f"{folder}/daily\\ dumps/")
        assert str(note.render()) == ""
        await pilot.press("tab")
        await until(pilot, lambda: box.value == f"{folder}/daily\\ dumps/arxiv_100.jsonl")
        box.insert_text_at_cursor(f" {folder}/a")  # a second path (its last letter typed):
        await pilot.press("r")  # its suggestion shows
        await until(pilot, lambda: box._suggestion == f"{box.value}xiv_notes.txt")
        await pilot.press("z", "tab")
        await until(pilot, lambda: str(note.render()) == "No file or folder starts so.")
        await pilot.press("ctrl+u")
        box.insert_text_at_cursor(f"{folder}/dail")
        await pilot.press("y")
        await until(pilot, lambda: box._suggestion == f"{folder}/daily\\ dumps/")
        await pilot.press("right")  # right takes the suggestion, as tab does
        await until(pilot, lambda: box.value == f"{folder}/daily\\ dumps/")
        await pilot.press("enter")  # the folder, its name unquoted: imported
        await until(pilot, lambda: screen.papers.total == 100 and not screen.importing)
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
    progress = ImportProgress("/x/arxiv.jsonl.gz", 0, 2, 12_500_000, 40_100_000, 12000, 10000)
    assert status_text(progress).plain == (
        "Importing arxiv.jsonl.gz (file 1 of 2, 12.5 MB of 40.1 MB): 12,000 papers stored,"
        " 10,000 searchable")
    one = ImportProgress("/x/one.jsonl", 0, 1, 10, 100, 1, 1)
    assert status_text(one).plain == (
        "Importing one.jsonl (10 bytes of 100 bytes): 1 paper stored, 1 searchable")
