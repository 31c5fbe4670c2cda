"""Marking papers in the reader (`v`, as mutt, alot and ranger mark), then `t` on the marked
ones; escape clears the marks (Textual's Pilot on a real Library)."""

from __future__ import annotations

import pytest

from tests.conftest import settle
from tests.reader_pilot import GRAPHS, PROTEIN, RLHF, SIZE, lines, main, make_app, status
from tests.test_app_tags import answer

pytestmark = pytest.mark.asyncio


def tagged(library, tag: str) -> list[str]:
    return sorted(h.paper.title for h in library.search(f"tag:{tag}").hits)


async def test_v_marks_papers_and_t_tags_the_marked_ones_then_the_marks_go(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert [line[1:3] for line in lines(app)] == ["● "] * 4
        await pilot.press("v", "j", "v")  # RLHF marked, one passed by, PROTEIN marked
        await settle(pilot)
        assert screen.papers.cursor == 3 and screen.detail.paper.title == GRAPHS
        assert [line[1:3] for line in lines(app)] == ["●✓", "● ", "●✓", "● "]
        assert status(app) == "All papers · 4 papers · 2 marked · newest first  (S sorts)"
        await pilot.press("k", "v")  # unmark PROTEIN again: v toggles
        await settle(pilot)
        assert [line[1:3] for line in lines(app)] == ["●✓", "● ", "● ", "● "]
        assert status(app).startswith("All papers · 4 papers · 1 marked · ")
        await pilot.press("k", "v")  # PROTEIN again
        await settle(pilot)
        await pilot.press("t")
        await answer(pilot, "+lab")
        assert tagged(corpus_lib, "lab") == sorted([RLHF, PROTEIN])  # not the highlighted one
        assert [line[1:3] for line in lines(app)] == ["● ", "● ", "● ", "● "]
        assert status(app).startswith("All papers · 4 papers · newest first  (S sorts)  "
                                      "Tags +lab: 2 papers changed (z undoes).")
        await pilot.press("z")
        await settle(pilot)
        assert tagged(corpus_lib, "lab") == []


async def test_marks_stay_across_searches_and_escape_clears_them(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("v")  # RLHF, in All papers
        await pilot.press("slash", *"graph", "enter")
        await settle(pilot)
        await pilot.press("v")  # GRAPHS, in a search
        await settle(pilot)
        assert status(app).startswith("Search · 1 result · 2 marked · ")
        await pilot.press("t")
        await answer(pilot, "+mixed")
        assert tagged(corpus_lib, "mixed") == sorted([RLHF, GRAPHS])
        await pilot.press("v")  # the one result (the last row: the cursor stays)
        await settle(pilot)
        assert status(app).startswith("Search · 1 result · 1 marked · ")
        await pilot.press("escape")  # the marks go first; the search stays
        await settle(pilot)
        assert "marked" not in status(app) and screen.search_box.value == "graph"
        assert all(line[2] == " " for line in lines(app))
        await pilot.press("t")  # no marks: the highlighted paper's tags
        await answer(pilot, "+one")
        assert tagged(corpus_lib, "one") == [GRAPHS]
