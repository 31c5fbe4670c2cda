"""The reader's For you view (why-rows in the list, its count in the sidebar), the sort
"rising" and a paper's upvote history in the detail pane."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.captures import FERRET_TITLE, SIGMA, SIGMA_TITLE, write_captures
from tests.conftest import settle, until
from tests.test_app import palette_ready
from tests.reader_pilot import (BY_DATE, GRAPHS, PROTEIN, RLHF, SIZE, TRANSFORMERS, detail_text,
                                lines, main, make_app, status, titles)
from tui_reader.library import Library

pytestmark = pytest.mark.asyncio


async def test_for_you_lists_papers_like_the_bookmarked_ones_with_why(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_view("foryou")
        await settle(pilot)
        assert lines(app) == ["  Nothing for you yet — bookmark papers you like (b): unread"
                              " papers", "  like them are listed here, each with why."]
        screen.open_view("all")
        await settle(pilot)
        screen.papers.cursor = BY_DATE.index(PROTEIN)
        await pilot.press("b")
        await settle(pilot)
        assert corpus_lib.paper(ids[PROTEIN]).bookmarked
        await pilot.press("left_square_bracket")  # All papers -> the last view: For you
        await settle(pilot)
        assert screen.view == "foryou"
        assert titles(app) == [TRANSFORMERS, RLHF, GRAPHS]
        shown = lines(app)
        assert shown[0].endswith(f"{TRANSFORMERS}  · shares: diffusion, models")
        assert shown[1].endswith(f"{RLHF}  · shares: models")
        assert f"{GRAPHS[:25]}" in shown[2]  # a category shared, no word: the liked paper
        assert "· like: Diffusion Models for Protein" in shown[2]
        assert screen.papers.row(2).why == f"like: {PROTEIN}"
        assert status(app) == "For you · 3 papers · most like your bookmarks first"
        assert screen.sidebar.counts["foryou"] == 3
        await pilot.press("r")  # read: For you leaves it out from then on
        await settle(pilot)
        screen.open_view("all")
        await settle(pilot)
        screen.open_view("foryou")
        await settle(pilot)
        assert titles(app) == [RLHF, GRAPHS]
        assert "For you" in str(screen.sidebar.get_option("foryou").prompt)


@pytest.fixture
def captured(tmp_path: Path):
    library = Library(tmp_path / "data")
    library.import_paths([write_captures(tmp_path / "dumps")])
    yield library
    library.close()


async def test_s_cycles_to_rising_and_the_detail_pane_shows_the_upvote_history(captured):
    app = make_app(captured)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):  # newest first -> most upvoted -> by title -> rising
            await pilot.press("S")
            await settle(pilot)
        assert "rising fastest first" in status(app)
        papers = main(app).papers
        assert [papers.row(i).paper.title for i in (0, 1)] == [SIGMA_TITLE, FERRET_TITLE]
        shown = detail_text(app)
        assert main(app).detail.paper.id == SIGMA
        assert "▲ 2 -> 14 -> 31 over 3 captures, Mar 6 - Mar 12" in shown
        assert "003_94c168d4f8ce26e7.txt · captured Mar 6 2026 · #6" in shown
        assert "later.txt · captured Mar 9 2026 · #1" in shown
        assert "latest.txt · captured Mar 12 2026 · #1" in shown


async def test_for_you_of_a_tag_ranks_unread_papers_like_the_tagged_ones(corpus_lib):
    """Under "For you" in the sidebar, "like #TAG" for each tag: chosen like any view, rows
    with why, its name in the status line; kept where it was left through a restart."""
    ids = {p.title: p.id for p in corpus_lib.browse(limit=4)[1]}
    corpus_lib.tag([ids[PROTEIN]], ["bio"])
    corpus_lib.tag([ids[RLHF]], ["rl"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        sidebar = screen.sidebar
        entries = [str(sidebar.get_option_at_index(i).prompt).rstrip() for i in range(8)]
        assert entries[5:8] == ["  For you                 0", "    like #bio",
                                "    like #rl"]
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("foryou:bio")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view == "foryou:bio" and screen.search_box.value == ""
        assert titles(app) == [TRANSFORMERS, RLHF, GRAPHS]
        shown = lines(app)
        assert shown[0].endswith(f"{TRANSFORMERS}  · shares: diffusion, models")
        assert shown[1].endswith(f"{RLHF}  #rl  · shares: models")
        assert screen.papers.row(2).why == f"like: {PROTEIN}"
        assert status(app) == "For you: bio · 3 papers · most like #bio first"
        assert str(sidebar.get_option("foryou:bio").prompt).startswith("▸   like #bio")
        await pilot.press("right_square_bracket")  # the next view: For you of the next tag
        await settle(pilot)
        assert screen.view == "foryou:rl" and titles(app) == [TRANSFORMERS, PROTEIN]
        assert status(app) == "For you: rl · 2 papers · most like #rl first"
        await pilot.press("tab", "j")  # from the sidebar to the list, one down
        await settle(pilot)
        assert screen.detail.paper.title == PROTEIN
    app = make_app(corpus_lib)  # started again: where it was left
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.view == "foryou:rl" and screen.papers.cursor == 1
        assert screen.detail.paper.title == PROTEIN
        assert status(app) == "For you: rl · 2 papers · most like #rl first"
        await pilot.press("ctrl+p", *"for you: bio")  # the palette offers them too
        await palette_ready(pilot, "For you: bio")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view == "foryou:bio" and titles(app) == [TRANSFORMERS, RLHF, GRAPHS]


async def test_for_you_of_a_tag_says_why_it_is_empty_and_follows_changes(corpus_lib,
                                                                          data_dir):
    ids = {p.title: p.id for p in corpus_lib.browse(limit=4)[1]}
    corpus_lib.tag([ids[PROTEIN]], ["bio"])
    for title in (TRANSFORMERS, RLHF, GRAPHS):
        corpus_lib.mark_read(ids[title])
    app = make_app(corpus_lib)
    other = Library(data_dir)  # another process's library
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_view("foryou:bio")
        await settle(pilot)
        assert lines(app) == ["  Nothing unread is like the 1 paper tagged #bio yet: tag more"
                              " papers #bio (t)", "  to find more like them."]
        assert status(app) == "For you: bio · 0 papers · most like #bio first"
        other.mark_read(ids[GRAPHS], False)  # elsewhere: the view follows, no key pressed
        await until(pilot, lambda: titles(app) == [GRAPHS], timeout=30)
        other.tag([ids[PROTEIN]], remove=["bio"])  # the tag gone: All papers opens
        await until(pilot, lambda: screen.view == "all", timeout=30)
        assert "foryou:bio" not in screen.view_ids()
        await until(pilot, lambda: status(app).startswith("All papers · 4 papers · "),
                    timeout=30)  # the list of All papers comes from its worker
    other.close()
