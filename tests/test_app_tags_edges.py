"""Tagging when the library says no or changes meanwhile: a locked store on `t`/`T`, marked
papers replaced by another process, a tag view whose tag goes (Textual's Pilot on a real
Library)."""

from __future__ import annotations

import pytest

from tui_reader.library import Library

from tests.conftest import settle, until, write_jsonl
from tests.reader_pilot import GRAPHS, PROTEIN, RLHF, SIZE, main, make_app, status
from tests.test_app_tags import answer

TYPO = "Difusion Models for Protien Design"  # corrected later: PROTEIN


def record(title: str) -> dict:
    return {"title": title, "abstract": f"About {title.lower()}."}

pytestmark = pytest.mark.asyncio


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("key", ["t", "T"])
async def test_a_locked_store_on_t_or_T_is_told_not_a_crash(corpus_lib, monkeypatch, key):
    def refuse(*args, **kwargs):
        raise RuntimeError("database is locked")

    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(corpus_lib, "tags", refuse)
        monkeypatch.setattr(corpus_lib, "tags_of", refuse)
        if key == "t":
            await pilot.press("v")  # a marked paper: its tags are asked for too
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running and app.screen is main(app)
        assert "Tagging failed: database is locked" in notifications(app)


async def test_marked_papers_replaced_elsewhere_leave_the_others_tagged(lib, data_dir,
                                                                         tmp_path):
    """One marked paper's id was replaced by a re-import in another process (its title
    corrected): the other marked paper is tagged, the gone one is named, the marks go."""
    dump = write_jsonl(tmp_path / "day.jsonl", [record(GRAPHS), record(TYPO), record(RLHF)])
    lib.import_paths([dump])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        by_title = {screen.papers.row(i).paper.title: i for i in range(screen.papers.total)}
        for title in (TYPO, GRAPHS):
            screen.papers.cursor = by_title[title]
            await pilot.press("v")
        await settle(pilot)
        assert len(screen.marks) == 2
        other = Library(data_dir)  # another process corrects the title: a new id
        write_jsonl(dump, [record(GRAPHS), record(PROTEIN), record(RLHF)])
        assert other.import_paths([dump]).updated == 1
        other.close()
        await pilot.press("t")
        await answer(pilot, "+x")
        await until(pilot, lambda: "Tags +x" in status(app))
        assert sorted(h.paper.title for h in lib.search("tag:x").hits) == [GRAPHS]
        assert "1 marked paper is gone (replaced or removed by an import): not tagged." in \
            notifications(app)
        assert len(screen.marks) == 0 and "marked" not in status(app)
        assert status(app).endswith("Tags +x: 1 paper changed (z undoes).")


async def test_the_marks_stay_when_tagging_fails(corpus_lib, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("database is locked")

    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("v", "v")
        await settle(pilot)
        monkeypatch.setattr(corpus_lib, "tag", refuse)
        await pilot.press("t")
        await answer(pilot, "+x")
        assert "Tagging the papers failed: database is locked" in notifications(app)
        assert len(main(app).marks) == 2 and "2 marked" in status(app)


@pytest.mark.parametrize("view, where", [("tag:later", "here"), ("tag:later", "elsewhere"),
                                         ("foryou:later", "elsewhere")])
async def test_a_tag_view_whose_tag_goes_gives_way_to_all_papers(corpus_lib, data_dir, view,
                                                                 where):
    """The view stayed open on "#later · 0 results" and `]` then started from the first
    view."""
    paper = corpus_lib.browse(limit=1)[1][0]
    corpus_lib.tag([paper.id], ["later"])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_view(view)
        await settle(pilot)
        assert screen.view == view
        if where == "here":  # `t -later` on its one paper
            assert screen.papers.current.paper.id == paper.id
            await pilot.press("t")
            await answer(pilot, "-later")
        else:
            other = Library(data_dir)
            other.tag([paper.id], remove=["later"])
            other.close()
        await until(pilot, lambda: screen.view == "all", timeout=30)
        await settle(pilot)
        assert screen.view_ids() == ["all", "bookmarks", "notes", "unread", "new", "foryou"]
        assert status(app).startswith("All papers · 4 papers · ")
        assert screen.search_box.value == ""
        label = "#later" if view.startswith("tag:") else "For you: later"
        assert f"{label}: no paper has this tag now." in notifications(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.view == "bookmarks"
