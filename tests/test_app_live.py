"""Live updates: what another process changes while the reader is open (a second Library, the
real command line in a subprocess) shows in the running reader without a key press."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui_reader.app import live
from tui_reader.library import Library

from tests.conftest import FIXTURES, settle, until, write_jsonl
from tests.reader_pilot import (BY_DATE, GRAPHS, PROTEIN, SIZE, TRANSFORMERS, detail_text,
                                lines, main, make_app, status)

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def quick_looks(monkeypatch):
    """Look at the store often and refresh at once: the tests wait less."""
    monkeypatch.setattr(live, "LOOK_EVERY", 0.05)
    monkeypatch.setattr(live, "REFRESH_EVERY", 0.0)


def counting(monkeypatch, name: str) -> list[int]:
    """Count the calls of Live.`name` (the reader's looks or refreshes)."""
    calls: list[int] = []
    method = getattr(live.Live, name)

    def counted(self, *args, **kwargs):
        calls.append(1)
        return method(self, *args, **kwargs)

    monkeypatch.setattr(live.Live, name, counted)
    return calls


def command_line(data_dir, *args: str) -> str:
    """Run the real `tui-reader` command in another process; its output."""
    done = subprocess.run([sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir),
                           *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sidebar_prompt(screen, view: str) -> str:
    return str(screen.sidebar.get_option(view).prompt)


async def test_a_bookmark_made_elsewhere_shows_without_a_key(corpus_lib, data_dir):
    app = make_app(corpus_lib)
    other = Library(data_dir)  # another process's library: its own connections
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j", "j")
        await settle(pilot)
        assert screen.detail.paper.title == PROTEIN and "bookmarked" not in detail_text(app)
        shown = counting_show(screen)
        other.bookmark(screen.detail.paper.id)
        await until(pilot, lambda: lines(app)[2].startswith("★"), timeout=30)
        assert PROTEIN in lines(app)[2] and not lines(app)[0].startswith("★")
        await until(pilot, lambda: "★ bookmarked" in detail_text(app), timeout=30)
        await until(pilot, lambda: screen.sidebar.counts.get("bookmarks") == 1, timeout=30)
        # The cursor stayed on its paper, and the detail pane was not shown anew (its
        # scroll and similar papers kept): only its state was redrawn.
        assert screen.papers.cursor == 2 and screen.detail.paper.title == PROTEIN
        assert shown == []
        other.bookmark(screen.detail.paper.id, False)
        await until(pilot, lambda: not lines(app)[2].startswith("★"), timeout=30)
        await until(pilot, lambda: "★ bookmarked" not in detail_text(app), timeout=30)
    other.close()


def counting_show(screen) -> list[str]:
    """The papers the screen shows anew in its detail pane from now on."""
    shown: list[str] = []
    show = screen.show_paper

    def showing(paper, **kwargs):
        shown.append(paper.title if paper else None)
        return show(paper, **kwargs)

    screen.show_paper = showing
    return shown


async def test_a_note_and_a_saved_search_from_the_command_line_show(corpus_lib, data_dir):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.detail.paper.title == BY_DATE[0]
        paper = screen.detail.paper.id
        assert "from the command line" not in detail_text(app)
        command_line(data_dir, "note", paper, "--set", "written from the command line")
        await until(pilot, lambda: "written from the command line"  # (its widget made then)
                    in "".join(str(n.source) for n in screen.detail.query("#detail-note")),
                    timeout=30)
        await until(pilot, lambda: screen.sidebar.counts.get("notes") == 1, timeout=30)
        assert "has a note" in detail_text(app)
        command_line(data_dir, "saved", "add", "graphs", "graph")
        await until(pilot, lambda: "saved:graphs" in screen.sidebar.view_ids(), timeout=30)
        await until(pilot, lambda: screen.sidebar.counts.get("saved:graphs") == 1, timeout=30)
        assert "graphs" in sidebar_prompt(screen, "saved:graphs")
        assert [s.name for s in screen.searches] == ["graphs"]
        # The note reached the index (the command line wrote it): note:word finds the paper.
        screen.search_box.value = "note:command"
        await until(pilot, lambda: screen.papers.listing is not None
                    and screen.papers.listing.query == "note:command" and screen.papers.total == 1,
                    timeout=30)


async def test_an_import_by_another_process_grows_the_list_and_search_finds_it(
        corpus_lib, data_dir, tmp_path):
    newer = write_jsonl(tmp_path / "newer.jsonl", [
        {"id": "2601.00001", "title": "Quantum Annealing for Protein Folding",
         "abstract": "Annealers fold small proteins.", "authors": ["A. B"],
         "categories": ["quant-ph"], "update_date": "2026-01-02"},
        {"id": "2601.00002", "title": "Sparse Mixtures of Gardeners",
         "abstract": "Routing tokens among experts of the garden.", "authors": ["C. D"],
         "categories": ["cs.LG"], "update_date": "2026-01-03"}])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j")
        await settle(pilot)
        assert screen.detail.paper.title == TRANSFORMERS and "4 papers" in status(app)
        command_line(data_dir, "import", str(newer))
        await until(pilot, lambda: screen.papers.total == 6, timeout=30)
        await until(pilot, lambda: "6 papers" in status(app), timeout=30)
        await until(pilot, lambda: screen.sidebar.counts.get("all") == 6
                    and screen.sidebar.counts.get("new") == 2, timeout=30)
        # Two newer papers came above it: the cursor followed its paper down.
        assert screen.papers.cursor == 3 and screen.detail.paper.title == TRANSFORMERS
        assert "Sparse Mixtures of Gardeners" in lines(app)[0]
        # The reader's search sees what the other process indexed.
        screen.search_box.value = "gardeners"
        await until(pilot, lambda: screen.papers.listing is not None
                    and screen.papers.listing.query == "gardeners" and screen.papers.total == 1,
                    timeout=30)
        command_line(data_dir, "import", str(FIXTURES / "arxiv_100.jsonl"))
        screen.search_box.value = ""
        await until(pilot, lambda: screen.papers.total == 106, timeout=30)


async def test_the_readers_own_changes_refresh_nothing(corpus_lib, monkeypatch):
    looks = counting(monkeypatch, "look")
    refreshes = counting(monkeypatch, "live_refresh")
    app = make_app(corpus_lib, read_delay=0.05)  # papers become read (in a worker) at once
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("b", "j")  # bookmark (this thread), move: read (a worker thread)
        second = screen.detail.paper.id
        await until(pilot, lambda: corpus_lib.paper(second).read, timeout=30)
        await pilot.press("s")  # the position and a setting are kept too; s: no query
        seen = len(looks)
        await until(pilot, lambda: len(looks) >= seen + 5, timeout=30)
        assert refreshes == []
        assert lines(app)[0].startswith("★") and screen.papers.cursor == 1


async def test_a_change_elsewhere_waits_while_the_user_types(corpus_lib, data_dir,
                                                             monkeypatch):
    app = make_app(corpus_lib, typing_pause=0.5)
    other = Library(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash", *"graph")
        await settle(pilot)
        assert screen.papers.total == 1 and screen.papers.current.paper.title == GRAPHS
        other.bookmark(screen.papers.current.paper.id)
        await until(pilot, lambda: lines(app)[0].startswith("★"), timeout=30)
        # The box kept its text, its cursor and the focus; the search shown is the one typed.
        box = screen.search_box
        assert box.value == "graph" and box.cursor_position == 5 and screen.focused is box
        assert screen.papers.listing.query == "graph" and screen.papers.total == 1
    other.close()


async def test_the_open_saved_search_follows_changes_made_elsewhere(corpus_lib, data_dir):
    corpus_lib.save_search("mine", "graph")
    app = make_app(corpus_lib)
    other = Library(data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_view("saved:mine")
        await until(pilot, lambda: screen.papers.listing is not None
                    and screen.papers.listing.query == "graph")
        assert [line.split("  ")[-1] for line in lines(app)] == [GRAPHS]
        other.save_search("mine", "protein")  # replaced elsewhere: the new query is shown
        await until(pilot, lambda: screen.papers.listing.query == "protein", timeout=30)
        assert screen.view == "saved:mine" and screen.search_box.value == "protein"
        assert PROTEIN in lines(app)[0] and screen.papers.total == 1
        other.delete_search("mine")  # deleted elsewhere: back to All papers
        await until(pilot, lambda: screen.view == "all", timeout=30)
        await until(pilot, lambda: screen.papers.total == 4 and "All papers" in status(app),
                    timeout=30)
        assert "saved:mine" not in screen.sidebar.view_ids()
    other.close()
