"""The reader's keys on the list (moving, bookmarks, sorts, read state, undo, links), through
Textual's Pilot on a real Library."""

from __future__ import annotations

import pytest

from tui_reader.app.screens.confirm import Confirm

from tests.conftest import settle, until, write_jsonl
from tests.reader_pilot import (BY_DATE, GRAPHS, PROTEIN, RLHF, SIZE, TRANSFORMERS,
                                detail_text, lines, main, make_app, status,
                                titles, to_results, type_query)

pytestmark = pytest.mark.asyncio


# -- keys on the list ---------------------------------------------------------------------------

async def test_moving_with_j_k_arrows_g_and_G(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j")
        assert screen.papers.cursor == 1 and screen.detail.paper.title == BY_DATE[1]
        await pilot.press("down", "down")
        assert screen.papers.cursor == 3
        await pilot.press("j")  # stays on the last
        assert screen.papers.cursor == 3
        await pilot.press("k", "up")
        assert screen.papers.cursor == 1
        await pilot.press("G")
        assert screen.papers.cursor == 3 and screen.detail.paper.title == BY_DATE[3]
        await pilot.press("g")
        assert screen.papers.cursor == 0


async def test_b_toggles_the_bookmark_of_the_highlighted_paper(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "b")
        await settle(pilot)
        paper_id = main(app).detail.paper.id
        assert corpus_lib.paper(paper_id).bookmarked
        assert lines(app)[1].startswith("★") and TRANSFORMERS in lines(app)[1]
        assert "bookmarked" in detail_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert not corpus_lib.paper(paper_id).bookmarked
        assert not lines(app)[1].startswith("★")


async def test_the_sort_order_cycles(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")  # browsing: date -> upvotes -> title -> rising
        await settle(pilot)
        assert "most upvoted first" in status(app)
        await pilot.press("S")
        await settle(pilot)
        assert titles(app) == sorted(BY_DATE) and "by title" in status(app)
        await pilot.press("S")  # no upvotes seen, none rising: then by title
        await settle(pilot)
        assert titles(app) == sorted(BY_DATE) and "rising fastest first" in status(app)
        await pilot.press("S")
        await settle(pilot)
        assert titles(app) == BY_DATE and "newest first" in status(app)


async def test_sort_cycles_through_relevance_when_searching(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "models")
        screen = main(app)
        await pilot.press("enter")
        seen = [screen.listing.sort]
        for _ in range(5):
            await pilot.press("S")
            await settle(pilot)
            seen.append(screen.listing.sort)
        assert seen == ["relevance", "date", "upvotes", "title", "rising", "relevance"]
        await pilot.press("S")
        await settle(pilot)
        assert titles(app) == [t for t in BY_DATE if t in titles(app)]


async def test_r_toggles_read_and_a_paper_shown_for_a_moment_becomes_read(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        app.read_delay = 1.0
        await pilot.press("j")
        first = screen.detail.paper.id
        await pilot.press("j")  # moved away before the delay: the first stays unread
        await until(pilot, lambda: screen.detail.paper.read)
        await settle(pilot)
        second = screen.detail.paper.id
        assert not corpus_lib.paper(first).read
        assert corpus_lib.paper(second).read
        assert lines(app)[2][1] == " "  # the unread dot is gone
        assert lines(app)[1][1] == "●"
        await pilot.press("r")  # back to unread, and it stays so: no timer marks it read
        await settle(pilot)
        assert screen._read_timer is None and not corpus_lib.paper(second).read
        await pilot.press("r")
        await settle(pilot)
        assert corpus_lib.paper(second).read


async def test_a_result_shown_while_typing_a_search_is_not_read(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        app.read_delay = 0.1
        await pilot.press("slash", *"protein")
        await until(pilot, lambda: screen.detail.paper is not None
                    and screen.detail.paper.title == PROTEIN)
        await settle(pilot)
        await until(pilot, lambda: screen._read_timer is None)  # its moment passed
        await settle(pilot)
        shown = screen.detail.paper.id
        assert not corpus_lib.paper(shown).read
        await pilot.press("enter")  # to the results: now it is looked at
        await until(pilot, lambda: corpus_lib.paper(shown).read)


async def test_u_and_U_move_to_the_next_and_previous_unread_paper(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    corpus_lib.mark_read(ids[TRANSFORMERS])
    corpus_lib.mark_read(ids[PROTEIN])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("u")  # RLHF -> past the two read ones -> GRAPHS
        await settle(pilot)
        assert screen.papers.cursor == 3 and screen.detail.paper.title == GRAPHS
        await pilot.press("u")  # none after the last
        await settle(pilot)
        assert screen.papers.cursor == 3
        assert "No unread paper after this one." in status(app)
        await pilot.press("U")
        await settle(pilot)
        assert screen.papers.cursor == 0 and screen.detail.paper.title == RLHF
        await pilot.press("U")
        await settle(pilot)
        assert screen.papers.cursor == 0
        assert "No unread paper before this one." in status(app)


async def test_u_finds_an_unread_paper_on_a_page_not_fetched_yet(lib, tmp_path):
    records = [{"id": f"2401.{i:05d}", "title": f"Paper number {i:04d} on topic",
                "abstract": "Words.", "update_date": f"2020-01-{1 + i % 28:02d}"}
               for i in range(130)]
    lib.import_paths([write_jsonl(tmp_path / "many.jsonl", records)])
    ids = [p.id for p in lib.browse("all", sort="title", limit=200)[1]]
    lib.mark_read_many(ids[:120])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("S", "S")  # by title
        await settle(pilot)
        assert "by title" in status(app) and len(screen.papers.loaded_pages()) == 1
        await pilot.press("u")
        await until(pilot, lambda: screen.papers.cursor == 120)
        await settle(pilot)
        assert screen.detail.paper.title == "Paper number 0120 on topic"


async def test_A_marks_the_list_read_and_z_undoes_it(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    corpus_lib.mark_read(ids[PROTEIN])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await to_results(pilot, "language models")  # two results
        await pilot.press("A")
        await settle(pilot)
        assert app.screen is screen  # two papers: no question
        unread = {p.title for p in corpus_lib.browse("unread")[1]}
        assert unread == {GRAPHS}
        assert all(line[1] == " " for line in lines(app))  # no unread dot left
        assert "Marked 2 papers read (z undoes)." in status(app)
        assert screen.sidebar.counts["unread"] == 1
        await pilot.press("z")
        await settle(pilot)
        assert {p.title for p in corpus_lib.browse("unread")[1]} == {GRAPHS, TRANSFORMERS, RLHF}
        assert "Undone: marking 2 papers read." in status(app)
        assert screen.sidebar.counts["unread"] == 3
        assert all(line[1] == "●" for line in lines(app))


async def test_A_asks_first_for_a_long_list(lib, tmp_path):
    records = [{"id": f"2401.{i:05d}", "title": f"Paper number {i:04d} on topic",
                "abstract": "Words.", "update_date": "2020-01-01"} for i in range(60)]
    lib.import_paths([write_jsonl(tmp_path / "many.jsonl", records)])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        assert isinstance(app.screen, Confirm)
        assert "Mark all 60 papers of this list read?" in str(
            app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(pilot)
        assert lib.browse("unread", limit=0)[0] == 60
        await pilot.press("A", "y")
        await settle(pilot)
        assert lib.browse("unread", limit=0)[0] == 0
        assert main(app).sidebar.counts["unread"] == 0


async def test_z_undoes_bookmarks_read_state_notes_and_deleted_searches_several_deep(
        corpus_lib):
    corpus_lib.save_search("graphs", "graph", "date")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        rlhf = screen.detail.paper.id
        await pilot.press("z")
        assert "Nothing to undo." in status(app)
        await pilot.press("b", "r")  # bookmark RLHF, mark it read
        await pilot.press("n", *"first", "escape")  # a note
        await settle(pilot)
        await pilot.press("n", *["backspace"] * 5, *"second", "escape")  # changed
        await settle(pilot)
        assert corpus_lib.paper(rlhf).note == "second"
        screen.open_view("saved:graphs")
        await settle(pilot)
        await pilot.press("d", "y")
        await settle(pilot)
        assert corpus_lib.saved_searches() == [] and screen.view == "all"

        await pilot.press("z")
        await settle(pilot)
        assert [(s.name, s.query, s.sort) for s in corpus_lib.saved_searches()] == [
            ("graphs", "graph", "date")]
        assert "Undone: deleting the saved search “graphs”." in status(app)
        assert "saved:graphs" in screen.sidebar.view_ids()
        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.paper(rlhf).note == "first"
        assert f"Undone: the note change of “{RLHF}”." in status(app)
        assert "first" in detail_text(app)
        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.paper(rlhf).note is None
        await pilot.press("z")
        await settle(pilot)
        assert not corpus_lib.paper(rlhf).read and lines(app)[0][1] == "●"
        assert f"Undone: marking “{RLHF}” read." in status(app)
        await pilot.press("z")
        await settle(pilot)
        assert not corpus_lib.paper(rlhf).bookmarked and not lines(app)[0].startswith("★")
        assert f"Undone: the bookmark of “{RLHF}”." in status(app)
        await pilot.press("z")
        assert "Nothing to undo." in status(app)


async def test_o_opens_the_link_and_y_copies(corpus_lib, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://arxiv.org/abs/2505.00004"]
        messages = [str(n.message) for n in app._notifications]
        assert "Opened https://arxiv.org/abs/2505.00004 in the browser." in messages
        await pilot.press("y")
        assert app.clipboard == f"{RLHF}\nhttps://arxiv.org/abs/2505.00004"


async def test_o_without_a_browser_says_so_and_offers_y(corpus_lib, monkeypatch):
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: False)  # none could start
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert messages == ["No browser could be started here: y copies the title and link."]
