"""Tags in the reader: `t` on a paper, `T` on the whole list, completion, undo, the sidebar's
Tags section, tags in the list and the detail pane (Textual's Pilot on a real Library)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tui_reader.app.screens.tags import TagPrompt

from tests.conftest import settle, until
from tests.reader_pilot import (BY_DATE, RLHF, SIZE, TRANSFORMERS, detail_text, lines, main,
                                make_app, status, titles)

pytestmark = pytest.mark.asyncio


def sidebar_lines(app) -> list[str]:
    sidebar = main(app).sidebar
    return [str(sidebar.get_option_at_index(i).prompt).strip()
            for i in range(sidebar.option_count)]


def tag_rows(app) -> list[str]:
    """The Tags section of the sidebar: "#name count" each."""
    found = sidebar_lines(app)
    return [" ".join(line.split()) for line in found[found.index("Tags") + 1:]]


async def answer(pilot, text: str) -> None:
    """Type into the tag prompt and apply."""
    await until(pilot, lambda: isinstance(pilot.app.screen, TagPrompt))
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_t_adds_and_removes_several_tags_and_z_undoes(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tag_rows(app) == ["none yet: t tags a paper"]
        await pilot.press("t")
        await answer(pilot, "+ml reading")
        paper = corpus_lib.paper(main(app).detail.paper.id)
        assert paper.title == RLHF and paper.tags == ["ml", "reading"]
        assert lines(app)[0].endswith("#ml #reading")
        assert "Tags         #ml #reading" in detail_text(app)
        assert tag_rows(app) == ["#ml 1", "#reading 1"]

        await pilot.press("t")
        await answer(pilot, "-reading +later")
        assert corpus_lib.paper(paper.id).tags == ["later", "ml"]
        await until(pilot, lambda: tag_rows(app) == ["#later 1", "#ml 1"])

        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.paper(paper.id).tags == ["ml", "reading"]
        assert lines(app)[0].endswith("#ml #reading")
        await until(pilot, lambda: tag_rows(app) == ["#ml 1", "#reading 1"])
        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.paper(paper.id).tags == []
        assert corpus_lib.search("tag:ml").total == 0
        await until(pilot, lambda: tag_rows(app) == ["none yet: t tags a paper"])


async def test_the_prompt_completes_existing_tags(corpus_lib):
    papers = corpus_lib.browse(limit=4)[1]
    corpus_lib.tag([papers[2].id, papers[3].id], ["machine-learning"])
    corpus_lib.tag([papers[3].id], ["maths"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TagPrompt))
        await pilot.press("+", "m")
        await settle(pilot)
        known = str(app.screen.query_one("#tags-known").render())
        assert known.split() == ["#machine-learning", "2", "#maths", "1"]
        await pilot.press("a", "c")
        await settle(pilot)
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box._suggestion == "+machine-learning")
        await pilot.press("tab", "x", "enter")
        await settle(pilot)
        assert corpus_lib.paper(papers[0].id).tags == ["machine-learning", "x"]


async def test_T_tags_every_paper_of_the_list_and_z_undoes_it(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"models", "enter")
        await settle(pilot)
        found = set(titles(app))
        assert len(found) == 3
        await pilot.press("T")
        await answer(pilot, "+lm")
        assert {h.paper.title for h in corpus_lib.search("tag:lm").hits} == found
        assert "Tags +lm: 3 papers changed (z undoes)." in str(main(app).query_one("#status")
                                                                .render())
        await until(pilot, lambda: tag_rows(app) == ["#lm 3"])
        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.search("tag:lm").total == 0 and corpus_lib.tags() == []


async def test_choosing_a_tag_in_the_sidebar_shows_its_papers(corpus_lib):
    papers = {p.title: p for p in corpus_lib.browse(limit=4)[1]}
    corpus_lib.tag([papers[TRANSFORMERS].id, papers[BY_DATE[3]].id], ["later"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert tag_rows(app) == ["#later 2"]
        sidebar = main(app).sidebar
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("tag:later")
        await pilot.press("enter")
        await settle(pilot)
        assert main(app).search_box.value == "tag:later"
        assert titles(app) == [TRANSFORMERS, BY_DATE[3]]  # newest first
        assert main(app).view == "tag:later"
        assert status(app) == "#later · 2 results · newest first  (S sorts)"
        assert str(sidebar.get_option("tag:later").prompt).startswith("▸ #later")


async def test_brackets_visit_the_tags_and_their_for_you_views(corpus_lib):
    """`]`/`[` went round the views and saved searches only, never to the Tags section."""
    papers = {p.title: p for p in corpus_lib.browse(limit=4)[1]}
    corpus_lib.tag([papers[TRANSFORMERS].id], ["later"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.view_ids() == ["all", "bookmarks", "notes", "unread", "new", "foryou",
                                     "foryou:later", "tag:later"]
        await pilot.press("left_square_bracket")  # All papers -> the last: the tag
        await settle(pilot)
        assert screen.view == "tag:later" and titles(app) == [TRANSFORMERS]
        assert status(app).startswith("#later · 1 result · ")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.view == "foryou:later"
        assert status(app).startswith("For you: later · ")
        await pilot.press("right_square_bracket", "right_square_bracket")  # round to All
        await settle(pilot)
        assert screen.view == "all" and screen.search_box.value == ""


async def test_the_prompt_reads_and_completes_words():
    from tui_reader.app.screens.tags import TagCompleter, tag_edit

    assert tag_edit("+a b -c  +  -") == tag_edit("a +b -c")
    assert tag_edit("a +b -c").add == ["a", "b"] and tag_edit("a +b -c").remove == ["c"]
    completer = TagCompleter(["ml", "maths", "later"], own=["later", "mine"])
    assert completer.candidates("+m") == ["ml", "maths"]
    assert completer.candidates("x -m") == ["mine", "ml", "maths"]  # its own tags first
    assert await completer.get_suggestion("+ma") == "+maths"
    assert await completer.get_suggestion("+ml") is None and \
        await completer.get_suggestion("+ml ") is None
