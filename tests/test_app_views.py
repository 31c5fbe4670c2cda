"""The reader's notes, saved searches, views, mouse and similar papers, through Textual's Pilot
on a real Library."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tui_reader.app.screens.confirm import Confirm
from tui_reader.app.screens.note_editor import NoteEditor
from tui_reader.app.screens.save_search import SaveSearch

from tests.conftest import settle, write_jsonl
from tests.reader_pilot import (BY_DATE, GRAPHS, PROTEIN, RLHF, SIZE, TRANSFORMERS,
                                detail_text, lines, main, make_app, status,
                                titles, to_results, type_query)

pytestmark = pytest.mark.asyncio


# -- notes ------------------------------------------------------------------------------------

async def test_the_note_editor_saves_with_ctrl_s_and_on_escape(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        paper_id = screen.detail.paper.id
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"read", "space", *"this", "enter", *"qbns?")  # letters are text
        await pilot.press("ctrl+s")
        assert corpus_lib.paper(paper_id).note == "read this\nqbns?"
        assert isinstance(app.screen, NoteEditor)  # ctrl+s stays
        await pilot.press("enter", "minus", "space", *"later")
        await pilot.press("escape")  # closes and saves
        await settle(pilot)
        assert app.screen is screen
        assert corpus_lib.paper(paper_id).note == "read this\nqbns?\n- later"
        markdown = screen.query_one("#detail-note")
        assert markdown.display and "later" in markdown.source
        assert lines(app)  # the list is still there
        assert corpus_lib.stats()["notes"] == 1


async def test_a_note_is_saved_when_the_app_quits_with_the_editor_open(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper_id = main(app).detail.paper.id
        await pilot.press("n", *"unsaved", "space", *"words")
        await pilot.press("ctrl+q")
    assert corpus_lib.paper(paper_id).note == "unsaved words"


async def test_a_note_is_saved_when_the_app_exits_any_other_way(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper_id = main(app).detail.paper.id
        await pilot.press("n", *"kept")
        app.exit()
        await pilot.pause()
    assert corpus_lib.paper(paper_id).note == "kept"


async def test_a_note_the_library_refuses_stays_in_the_editor_then_goes_to_a_file(
        corpus_lib, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(corpus_lib, "note", refuse)
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        paper = main(app).detail.paper
        await pilot.press("n", *"precious words", "escape")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)  # not closed: the text is still there
        assert app.screen.text == "precious words"
        assert any("could not be saved: disk full" in str(n.message)
                   for n in app._notifications)
        await pilot.press("ctrl+q")
    rescued = list((corpus_lib.root / "unsaved-notes").glob(f"{paper.id}-*.md"))
    assert len(rescued) == 1 and "precious words" in rescued[0].read_text(encoding="utf-8")
    assert app.rescued_notes == [str(rescued[0])]


async def test_a_failing_library_call_is_told_not_a_crash(corpus_lib, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("database is locked")

    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name in ("bookmark", "browse", "paper"):
            monkeypatch.setattr(corpus_lib, name, refuse)
        await pilot.press("b")
        await pilot.press("right_square_bracket")  # the next view cannot be read either
        await pilot.press("j")  # nor the next paper (in a worker), nor the counts
        main(app).refresh_counts()
        await settle(pilot)
        assert app.is_running
        messages = [str(n.message) for n in app._notifications]
        assert any("Bookmarking failed: database is locked" in m for m in messages)
        assert "the library cannot answer: database is locked" in status(app)
        assert "Loading the paper failed: database is locked" in messages
        assert "Counting the views failed: database is locked" in messages


async def test_emptying_a_note_removes_it(corpus_lib):
    paper_id = corpus_lib.search("graph").hits[0].paper.id
    corpus_lib.note(paper_id, "old")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "n")
        await pilot.press("backspace", "backspace", "backspace", "escape")
        await settle(pilot)
        assert corpus_lib.paper(paper_id).note is None
        assert "No note yet" in detail_text(app)


# -- saved searches and views -------------------------------------------------------------------

async def test_s_saves_the_current_search_and_it_becomes_a_view(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "language models")
        await pilot.press("enter", "s")
        assert isinstance(app.screen, SaveSearch)
        name_box = app.screen.query_one(Input)
        assert name_box.value == "language models"
        name_box.value = ""
        await pilot.press(*"LLM", "enter")
        await settle(pilot)
        screen = main(app)
        assert [(s.name, s.query) for s in corpus_lib.saved_searches()] == [
            ("LLM", "language models")]
        assert screen.view == "saved:LLM" and status(app).startswith("LLM · 2 results")
        assert any("LLM" in str(screen.sidebar.get_option_at_index(i).prompt)
                   and "2" in str(screen.sidebar.get_option_at_index(i).prompt)
                   for i in range(screen.sidebar.option_count))
        await pilot.press("escape")  # to All papers: the search went with the saved one
        await settle(pilot)
        assert screen.view == "all" and screen.search_box.value == "" and titles(app) == BY_DATE


async def test_s_asks_before_replacing_another_saved_search(corpus_lib):
    corpus_lib.save_search("LLM", "graph", "date")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await to_results(pilot, "language models")
        await pilot.press("s")
        app.screen.query_one(Input).value = "LLM"
        await pilot.press("enter")
        assert isinstance(app.screen, Confirm)
        assert str(app.screen.query_one("#confirm-question").render()) == (
            "Replace the saved search LLM?")
        await pilot.press("n")  # kept as it was
        await settle(pilot)
        assert [(s.name, s.query) for s in corpus_lib.saved_searches()] == [("LLM", "graph")]
        assert screen.view == "all"
        await pilot.press("s")
        app.screen.query_one(Input).value = "LLM"
        await pilot.press("enter", "y")
        await settle(pilot)
        assert [(s.name, s.query) for s in corpus_lib.saved_searches()] == [
            ("LLM", "language models")]
        assert screen.view == "saved:LLM" and status(app).startswith("LLM · 2 results")
        await pilot.press("S", "s", "enter")  # the open saved search, saved again: no question
        await settle(pilot)
        assert app.screen is screen
        assert [(s.name, s.sort) for s in corpus_lib.saved_searches()] == [("LLM", "date")]


async def test_s_without_a_query_says_what_to_do(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen is main(app)
        assert any("Type a query first" in str(n.message) for n in app._notifications)


async def test_views_move_with_brackets_and_open_saved_searches(corpus_lib):
    corpus_lib.save_search("graphs", "graph", "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        seen = []
        for _ in range(7):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            seen.append(screen.view)
        assert seen == ["bookmarks", "notes", "unread", "new", "foryou", "saved:graphs", "all"]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.view == "saved:graphs"
        assert screen.search_box.value == "graph" and titles(app) == [GRAPHS]
        assert status(app).startswith("graphs · 1 result")


async def test_each_view_keeps_its_search_sort_and_paper(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    for title in (GRAPHS, PROTEIN, RLHF):
        corpus_lib.bookmark(ids[title])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await to_results(pilot, "language models")
        await pilot.press("j")
        chosen = screen.detail.paper.title
        await pilot.press("right_square_bracket")  # Bookmarks: newest first, the top
        await settle(pilot)
        assert titles(app) == [RLHF, PROTEIN, GRAPHS] and screen.papers.cursor == 0
        await pilot.press("S", "S")  # by title
        await settle(pilot)
        await pilot.press("j")
        assert titles(app) == [PROTEIN, GRAPHS, RLHF] and screen.detail.paper.title == GRAPHS
        await pilot.press("left_square_bracket")  # All papers: the search and its paper
        await settle(pilot)
        assert screen.view == "all" and screen.search_box.value == "language models"
        assert screen.papers.cursor == 1 and screen.detail.paper.title == chosen
        assert "by relevance" in status(app)
        await pilot.press("right_square_bracket")  # Bookmarks: by title, on GRAPHS
        await settle(pilot)
        assert titles(app) == [PROTEIN, GRAPHS, RLHF] and "by title" in status(app)
        assert screen.papers.cursor == 1 and screen.detail.paper.title == GRAPHS
        await pilot.press("right_square_bracket")  # a view not seen yet: its top, by date
        await settle(pilot)
        assert screen.view == "notes" and "newest first" in status(app)


async def test_the_position_is_kept_across_a_restart(corpus_lib):
    corpus_lib.save_search("models", "models", "date")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await to_results(pilot, "graph OR models")
        await pilot.press("j", "j")
        in_all = screen.detail.paper.title
        screen.open_view("saved:models")
        await settle(pilot)
        await pilot.press("S", "j")  # the saved search by upvotes, its second paper
        await settle(pilot)
        in_saved = screen.detail.paper.title
        await pilot.press("ctrl+q")
    assert not app.is_running

    again = make_app(corpus_lib)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(again)
        assert screen.view == "saved:models" and screen.search_box.value == "models"
        assert "most upvoted first" in status(again)
        assert screen.papers.cursor == 1 and screen.detail.paper.title == in_saved
        await pilot.press("escape")  # back to All papers: its search and paper
        await settle(pilot)
        assert screen.view == "all" and screen.search_box.value == "graph OR models"
        assert screen.papers.cursor == 2 and screen.detail.paper.title == in_all


@pytest.mark.parametrize("kept", [
    "{not json", "[]", '{"view": "saved:gone", "places": {"all": {"sort": "nonsense", "row": -3}}}'])
async def test_a_position_that_cannot_be_used_opens_all_papers(corpus_lib, kept):
    corpus_lib.set_setting("reader.position", kept)
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.view == "all" and titles(app) == BY_DATE and screen.papers.cursor == 0
        assert status(app).startswith("All papers · 4 papers · newest first")


async def test_empty_views_say_what_to_do(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_view("bookmarks")
        await settle(pilot)
        assert lines(app) == ["  No bookmarks yet — press b on a paper to bookmark it."]
        assert "Nothing to show" in detail_text(app)
        screen.open_view("notes")
        await settle(pilot)
        assert "press n on a paper to write one" in lines(app)[0]
        await pilot.press("b")  # nothing highlighted: a warning, no crash
        await settle(pilot)
        assert corpus_lib.stats()["bookmarks"] == 0


async def test_bookmarks_notes_and_unread_views(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    corpus_lib.bookmark(ids[GRAPHS])
    corpus_lib.note(ids[PROTEIN], "a note")
    corpus_lib.mark_read(ids[RLHF])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_view("bookmarks")
        await settle(pilot)
        assert titles(app) == [GRAPHS] and "Bookmarks · 1 paper" in status(app)
        screen.open_view("notes")
        await settle(pilot)
        assert titles(app) == [PROTEIN]
        screen.open_view("unread")
        await settle(pilot)
        assert titles(app) == [TRANSFORMERS, PROTEIN, GRAPHS]
        assert screen.sidebar.counts == {"all": 4, "bookmarks": 1, "notes": 1, "unread": 3,
                                         "new": 4, "foryou": 2}


async def test_the_new_view_shows_what_the_latest_import_added(corpus_lib, tmp_path):
    extra = [{"id": "2506.00005", "title": "A Brand New Paper on Sparse Attention",
              "abstract": "Sparse.", "update_date": "2025-06-01"}]
    corpus_lib.import_paths([write_jsonl(tmp_path / "extra.jsonl", extra)])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.sidebar.counts["new"] == 1
        screen.open_view("new")
        await settle(pilot)
        assert titles(app) == ["A Brand New Paper on Sparse Attention"]
        assert "New · 1 paper added by the latest import (0 updated)" in status(app)


async def test_d_deletes_the_open_saved_search_after_confirmation(corpus_lib):
    corpus_lib.save_search("graphs", "graph", "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("d")  # not on a saved search: nothing to delete
        assert app.screen is screen
        screen.open_view("saved:graphs")
        await settle(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # no
        await settle(pilot)
        assert [s.name for s in corpus_lib.saved_searches()] == ["graphs"]
        await pilot.press("d", "y")
        await settle(pilot)
        assert corpus_lib.saved_searches() == []
        assert screen.view == "all" and screen.sidebar.view_ids()[-1] == "foryou"


# -- mouse ------------------------------------------------------------------------------------

async def test_mouse_clicks_on_papers_views_and_similar_papers(corpus_lib):
    corpus_lib.save_search("graphs", "graph", "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.click("#papers", offset=(20, 2))
        await settle(pilot)
        assert screen.papers.cursor == 2 and screen.detail.paper.title == BY_DATE[2]
        sidebar = screen.sidebar
        index = sidebar.get_option_index("bookmarks")
        await pilot.click("#sidebar", offset=(5, index))
        await settle(pilot)
        assert screen.view == "bookmarks"
        index = sidebar.get_option_index("saved:graphs")
        await pilot.click("#sidebar", offset=(5, index + 1))  # + the separator line
        await settle(pilot)
        assert screen.view == "saved:graphs" and titles(app) == [GRAPHS]
        screen.open_view("all")
        await settle(pilot)
        similar = screen.detail.similar
        assert similar
        screen.detail.scroll_end(animate=False)
        await pilot.pause()
        await pilot.click("#detail-similar", offset=(5, 0))
        await settle(pilot)
        assert screen.detail.paper.id == similar[0].id


# -- similar papers ---------------------------------------------------------------------------

async def test_the_papers_most_like_the_highlighted_one_are_a_key_away(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_results(pilot, "protein")
        screen = main(app)
        similar = screen.detail.similar
        assert 1 <= len(similar) <= 5 and all(p.title != PROTEIN for p in similar)
        text = str(screen.query_one("#detail-similar").content)
        assert f" 1  {similar[0].title}" in text
        await pilot.press("1")  # not in the list of results: shown in the detail pane
        await settle(pilot)
        assert screen.detail.paper.id == similar[0].id and screen.detail.pinned
        await pilot.press("escape")  # back to the list's paper
        await settle(pilot)
        assert screen.detail.paper.title == PROTEIN
        await pilot.press("escape")  # the search cleared: every paper
        await settle(pilot)
        assert titles(app) == BY_DATE
        target = screen.detail.similar[0]
        await pilot.press("1")  # in the list: the cursor goes there
        await settle(pilot)
        assert screen.papers.current.paper.id == target.id
