"""The facet panel (`f`): counts of the list shown by year, organisation, category and tag;
choosing a value adds its filter to the query, choosing it again removes it (Pilot on a real
Library)."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from tui_reader.app.screens.facets import FacetPanel

from tests.conftest import settle, until
from tests.reader_pilot import GRAPHS, PROTEIN, SIZE, TRANSFORMERS, main, make_app, titles

pytestmark = pytest.mark.asyncio


def panel_lines(app) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [" ".join(str(options.get_option_at_index(i).prompt).split())
            for i in range(options.option_count)]


async def open_panel(pilot) -> None:
    await pilot.press("f")
    await until(pilot, lambda: isinstance(pilot.app.screen, FacetPanel))
    await settle(pilot)


async def choose(pilot, line: str) -> None:
    """Choose the panel's value shown as `line` ("2024 2")."""
    options = pilot.app.screen.query_one(OptionList)
    options.highlighted = panel_lines(pilot.app).index(line)
    await pilot.press("enter")
    await settle(pilot)


async def test_f_counts_the_papers_of_the_search(corpus_lib):
    corpus_lib.tag([p.id for p in corpus_lib.browse(limit=4)[1] if p.title == GRAPHS], ["gnn"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_panel(pilot)  # All papers: the four
        assert panel_lines(app) == [
            "Year", "2024 2", "2023 1", "2025 1",
            "Organisation", "none",
            "Category", "cs.LG 3", "cs.CL 2", "cs.DC 1", "q-bio.BM 1",
            "Tag", "gnn 1"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash", *"models", "enter")
        await settle(pilot)
        await open_panel(pilot)
        assert panel_lines(app) == [
            "Year", "2024 2", "2025 1",
            "Organisation", "none",
            "Category", "cs.CL 2", "cs.LG 2", "q-bio.BM 1",
            "Tag", "none"]
        assert "models · 3 papers" in str(app.screen.query_one("Static").render())


async def test_choosing_a_value_adds_its_filter_and_again_removes_it(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"models", "enter")
        await settle(pilot)
        await open_panel(pilot)
        await choose(pilot, "2024 2")
        screen = main(app)
        assert screen.search_box.value == "models year:2024"
        assert sorted(titles(app)) == sorted([PROTEIN, TRANSFORMERS])
        assert screen.papers.has_focus

        await open_panel(pilot)  # the counts of the filtered list; the filter is marked
        assert panel_lines(app)[:2] == ["Year", "✓ 2024 2"]
        await choose(pilot, "cs.LG 2")
        assert screen.search_box.value == "models year:2024 category:cs.LG"
        assert sorted(titles(app)) == sorted([PROTEIN, TRANSFORMERS])

        await open_panel(pilot)
        await choose(pilot, "✓ 2024 2")  # chosen again: removed
        assert screen.search_box.value == "models category:cs.LG"
        assert len(titles(app)) == 2
        await open_panel(pilot)
        await choose(pilot, "✓ cs.LG 2")
        assert screen.search_box.value == "models" and len(titles(app)) == 3


async def test_filters_are_added_at_the_end_and_removed_where_they_are():
    from tui_reader.app.facets import has_filter, toggled
    from tui_reader.models import facet_filter

    meta = facet_filter("org", 'AI at "Meta"')
    assert meta == 'org:"AI at  Meta "'
    assert toggled("models", facet_filter("year", 2025)) == "models year:2025"
    assert toggled("models year:2025 tag:x", "year:2025") == "models tag:x"
    assert toggled("", "tag:x") == "tag:x" and toggled("tag:x", "tag:x") == ""
    assert not has_filter("year:20255", "year:2025")
    assert toggled(f"a {meta} b", meta) == "a b"


async def test_f_in_for_you_of_a_tag_counts_the_papers_it_ranks(corpus_lib):
    """The panel counted every paper there (For you of a tag is no view of the Library's)."""
    corpus_lib.tag([p.id for p in corpus_lib.browse(limit=4)[1] if p.title == PROTEIN], ["bio"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main(app).open_view("foryou:bio")
        await settle(pilot)
        assert len(titles(app)) == 3  # all but the tagged paper
        await open_panel(pilot)
        assert "For you: bio · 3 papers" in str(app.screen.query_one("Static").render())
        assert panel_lines(app) == [
            "Year", "2023 1", "2024 1", "2025 1",
            "Organisation", "none",
            "Category", "cs.CL 2", "cs.LG 2", "cs.DC 1",
            "Tag", "none"]
