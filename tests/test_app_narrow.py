"""The reader on narrow terminals (below 100 columns): the sidebar folds away and `\\` shows it
over the list, titles keep 50 columns, the help scrolls inside its border, wrapped lines keep
their indent. At 100 columns and more the layout is the wide one."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.geometry import Region

from tests.conftest import settle, until, write_jsonl
from tests.reader_pilot import SIZE, lines, main, make_app
from tests.test_app import palette_ready

pytestmark = pytest.mark.asyncio

NARROW = (80, 24)
NEWEST = ("RFEval: Benchmarking Reasoning Faithfulness under Counterfactual Reasoning "
          "Intervention in Large Reasoning Models")  # the newest of the bundled samples


def screen_lines(app) -> list[str]:
    """What the terminal shows of the active screen, a line a row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_below_100_columns_the_sidebar_folds_and_titles_keep_50_columns(sample_lib):
    for width, height in (NARROW, (70, 20), (99, 30)):
        app = make_app(sample_lib)
        async with app.run_test(size=(width, height)) as pilot:
            await settle(pilot)
            screen = main(app)
            assert screen.papers.row(0).paper.title == NEWEST
            assert screen.has_class("-narrow") and not screen.sidebar.display
            assert screen.papers.region.x == 0 and screen.papers.region.width == width
            first = lines(app)[0]
            assert NEWEST[:50] in first, (width, first)
            start = first.index(NEWEST[:20])
            assert width - 1 - start >= 50, (width, first)  # the scrollbar takes a column
            if width >= 80:  # room for the upvotes column too
                assert "▲" in "".join(lines(app)), width
            assert "Saved searches" not in "\n".join(screen_lines(app))


async def test_at_100_columns_and_more_the_layout_is_the_wide_one(sample_lib):
    for width, height in ((100, 30), SIZE):
        app = make_app(sample_lib)
        async with app.run_test(size=(width, height)) as pilot:
            await settle(pilot)
            screen = main(app)
            assert not screen.has_class("-narrow") and screen.sidebar.display
            assert screen.sidebar.region.x == 0 and screen.sidebar.region.width == 30
            assert screen.papers.region.x == 30
            assert "Saved searches" in "\n".join(screen_lines(app))


async def test_the_views_key_shows_the_sidebar_over_the_list_and_escape_folds_it(sample_lib):
    app = make_app(sample_lib)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("backslash")
        await settle(pilot)
        sidebar = screen.sidebar
        assert sidebar.display and app.focused is sidebar
        assert sidebar.region.x == 0 and sidebar.region.width == 30
        assert screen.papers.region.x == 0  # over the list: the list stays where it was
        shown = "\n".join(screen_lines(app))
        assert "Saved searches" in shown and "▸ All papers" in shown
        await pilot.press("escape")  # folds it, back to the list; the view is not left
        await settle(pilot)
        assert not sidebar.display and app.focused is screen.papers
        assert screen.view == "all" and not screen.views_shown
        await pilot.press("backslash")
        await settle(pilot)
        assert sidebar.display
        await pilot.press("backslash")  # the key again folds it too
        await settle(pilot)
        assert not sidebar.display and app.focused is screen.papers
        await pilot.press("backslash", "down", "enter")  # a view chosen: it opens, the list
        await settle(pilot)  # has the focus and the sidebar folds
        assert screen.view == "bookmarks" and not sidebar.display
        assert app.focused is screen.papers
        await pilot.press("backslash", "tab")  # the focus moving on folds it
        await settle(pilot)
        assert not sidebar.display and app.focused is not sidebar


async def test_the_command_palette_shows_the_views_too(sample_lib):
    app = make_app(sample_lib)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("ctrl+p", *"views")
        await palette_ready(pilot, "Views")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.views_shown and app.focused is screen.sidebar


async def test_the_fold_follows_the_terminal_as_it_is_resized(sample_lib):
    app = make_app(sample_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("backslash")  # wide: the key moves the focus to the sidebar and back
        await settle(pilot)
        assert app.focused is screen.sidebar and not screen.views_shown
        await pilot.press("backslash")
        await settle(pilot)
        assert app.focused is screen.papers and screen.sidebar.display
        await pilot.resize_terminal(*NARROW)
        await settle(pilot)
        assert screen.has_class("-narrow") and not screen.sidebar.display
        assert NEWEST[:50] in lines(app)[0]
        await pilot.press("backslash")
        await settle(pilot)
        assert screen.sidebar.display
        await pilot.resize_terminal(*SIZE)  # wide again: the sidebar in its place
        await settle(pilot)
        assert not screen.has_class("-narrow") and screen.sidebar.display
        assert screen.papers.region.x == 30
        await pilot.press("question_mark")  # resized while the help is open
        await settle(pilot)
        await pilot.resize_terminal(*NARROW)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.has_class("-narrow")
        assert not screen.sidebar.display  # folded, not shown over the list


async def test_the_help_scrolls_inside_its_border_on_small_terminals(sample_lib):
    for size in (NARROW, (70, 20)):
        app = make_app(sample_lib)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            help_screen = app.screen
            dialog = help_screen.query_one("#help-dialog")
            body = help_screen.query_one("#help-body", VerticalScroll)
            assert dialog.region.x >= 0 and dialog.region.right <= size[0]
            assert body.max_scroll_y > 0 and app.focused is body
            shown = screen_lines(app)
            right = dialog.region.right - 1
            for y in range(dialog.region.y, dialog.region.bottom):  # the right border, whole
                assert shown[y][right] == "█", (size, y, shown[y])
            assert "tui-reader: keys" in shown[dialog.region.y + 1]
            await pilot.press("j", "j")
            await settle(pilot)
            assert body.scroll_y == 2
            await pilot.press("end")  # scrolls smoothly to the end of the help
            await until(pilot, lambda: body.scroll_y == body.max_scroll_y)


LONG_NAME = "a-capture-of-the-daily-papers-page-saved-with-a-rather-long-file-name-2025.jsonl"
TITLES = ["Scaling Reasoning Models with Reinforcement Learning from Verifiable Rewards Again",
          "Reasoning Models Learn from Verifiable Rewards: A Study of Reinforcement Learning",
          "Verifiable Rewards for Reasoning: Reinforcement Learning of Language Models"]


def rendered(widget) -> list[str]:
    """The lines a widget shows, whole (also those scrolled out of its pane), without the blank
    ones of its padding."""
    strips = widget.render_lines(Region(0, 0, *widget.region.size))
    return [strip.text.rstrip() for strip in strips if strip.text.strip()]


async def test_wrapped_metadata_similar_papers_and_sources_keep_their_indent(lib, tmp_path):
    authors = [f"Author Number{n} Surname{n}" for n in range(12)]
    records = [{"id": f"2501.0000{n}", "title": title, "authors": authors,
                "abstract": "Reinforcement learning with verifiable rewards for reasoning.",
                "categories": ["cs.LG", "cs.CL", "cs.AI"], "update_date": f"2025-01-0{n + 1}"}
               for n, title in enumerate(TITLES)]
    lib.import_paths([write_jsonl(tmp_path / LONG_NAME, records)])
    app = make_app(lib)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        detail = main(app).detail
        assert len(detail.similar) == 2
        meta = rendered(detail.query_one("#detail-meta"))
        authors_at = next(i for i, line in enumerate(meta) if line.startswith("Authors"))
        assert meta[authors_at].startswith("Authors      Author Number0 Surname0, ")
        wrapped = meta[authors_at + 1]  # the authors go on under themselves
        assert wrapped.startswith(" " * 13) and wrapped[13] != " ", meta
        labels = ("State", "Tags", "Authors", "Published", "arXiv", "Link", "Categories", "Id")
        assert all(line.startswith(labels) or line.startswith(" " * 13)
                   for line in meta), meta
        similar = rendered(detail.query_one("#detail-similar"))
        assert len(similar) > 2, similar  # the titles wrap at 80 columns
        assert similar[0].startswith(" 1  ") and "2025" in similar[0]
        assert all(line.startswith((" 1  ", " 2  ", "    ")) for line in similar), similar
        assert all(line[4] != " " for line in similar), similar
        sources = rendered(detail.query_one("#detail-sources"))
        assert len(sources) == 2 and sources[0].startswith("Seen in      a-capture-of")
        assert sources[0].endswith(" #3  arxiv-jsonl")  # the newest: the file's third line
        assert sources[1].startswith(" " * 13) and sources[1][13] != " "  # the name goes on
        name = sources[0][13:].removesuffix(" #3  arxiv-jsonl").rstrip() + sources[1].strip()
        assert name == LONG_NAME
        second = next(y for y, line in enumerate(similar) if line.startswith(" 2  "))
        assert second >= 2  # the first similar paper's title took two lines or more
        first_similar = detail.similar[0]
        detail.scroll_to_widget(detail.query_one("#detail-similar"), animate=False, top=True)
        await pilot.pause()
        await pilot.click("#detail-similar", offset=(10, second - 1))  # its title's last line
        await settle(pilot)
        assert detail.paper.id == first_similar.id


async def test_j_and_k_move_in_the_sidebar_as_in_the_list(sample_lib):
    app = make_app(sample_lib)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("backslash")  # wide: moves to the sidebar
        await settle(pilot)
        sidebar = screen.sidebar
        assert app.focused is sidebar
        start = sidebar.highlighted
        await pilot.press("j", "j")
        assert sidebar.highlighted == start + 2
        await pilot.press("k")
        assert sidebar.highlighted == start + 1
        await pilot.press("enter")  # the view below All papers: Bookmarks
        await settle(pilot)
        assert screen.view == "bookmarks"


async def test_tag_counts_line_up_with_the_views_in_the_sidebar_over_the_list(sample_lib):
    """The tags' rows were made while the sidebar was folded away (no width): their counts
    stood ten columns left of the views'. Shown over the list, every count ends in the same
    column."""
    ids = [p.id for p in sample_lib.browse(limit=12)[1]]
    sample_lib.tag(ids, ["reinforcement-learning"])
    sample_lib.tag(ids[:3], ["ml"])
    app = make_app(sample_lib)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("backslash")
        await settle(pilot)
        shown = [line[:29] for line in screen_lines(app)]
        rows = {name: next(line for line in shown if line[2:].startswith(name))
                for name in ("All papers", "Bookmarks", "#reinforce", "#ml ")}
        assert rows["All papers"].rstrip().endswith("All papers            146")
        assert rows["#reinforce"].rstrip() == "  #reinforcement-learni… 12"
        assert rows["#ml "].rstrip() == "  #ml                     3"
        ends = {len(row.rstrip()) for row in rows.values()}
        assert ends == {27}, rows
