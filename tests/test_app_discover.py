"""The reader's For you view (why-rows in the list, its count in the sidebar), the sort
"rising" and a paper's upvote history in the detail pane."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.captures import FERRET_TITLE, SIGMA, SIGMA_TITLE, write_captures
from tests.conftest import settle
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
