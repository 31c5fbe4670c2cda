"""A search typed and a search entered (README, "Searching"): while a query is typed its last
word is a prefix (results narrow letter by letter); once it is entered (enter, escape out of
the box, a saved search opened) it is the query as written, with the same count as
`tui-reader search` and the saved search of the same query. Pilot on the bundled samples and
the real command line."""

from __future__ import annotations

import json
import threading

import pytest

from tests.conftest import settle, until
from tests.reader_pilot import SIZE, main, make_app, status, type_query

pytestmark = pytest.mark.asyncio

# Queries whose last word finds more as a prefix ("verification": verifier, verified...) and
# one it does not change; with the count as typed and as written, on the samples.
QUERIES = [
    ("chain of thought verification", 7, 4),  # the trial's: 7 in the reader, 4 on the CLI
    ("agent memor", 2, 1),                   # a word cut short: as written, partial matches
    ("diffusion lang", 70, 3),
    ("large language model", 50, 50),
]


def cli_total(cli, query: str) -> int:
    result = cli("search", query, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["total"]


def counted(app) -> int:
    return main(app).papers.total


@pytest.mark.parametrize("query, typed, written", QUERIES)
@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_an_entered_search_counts_as_the_command_line(sample_lib, cli, query, typed,
                                                            written, key):
    assert cli_total(cli, query) == written
    app = make_app(sample_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, query)
        screen = main(app)
        assert counted(app) == typed and screen.listing.typing  # as you type: a prefix
        await pilot.press(key)
        await settle(pilot)
        assert app.focused is screen.papers
        assert counted(app) == written and not screen.listing.typing
        assert f"{written} result" in status(app)


async def test_a_saved_search_counts_as_the_entered_one(sample_lib, cli):
    query, typed, written = QUERIES[0]
    sample_lib.save_search("cot", query, "relevance")
    app = make_app(sample_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await until(pilot, lambda: screen.sidebar.counts.get("saved:cot") == written)
        screen.open_view("saved:cot")
        await settle(pilot)
        assert counted(app) == written == cli_total(cli, query)
        await pilot.press("slash", "end", "backspace", "n")  # typing on: a prefix again
        await settle(pilot)
        assert screen.search_box.value == query and counted(app) == typed
        await pilot.press("enter")
        await settle(pilot)
        assert counted(app) == written


@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_a_search_the_library_cannot_answer_when_entered_is_told(sample_lib, monkeypatch,
                                                                      key):
    def refuse(*args, **kwargs):
        raise RuntimeError("database is locked")

    app = make_app(sample_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "agent memor")
        monkeypatch.setattr(sample_lib, "search", refuse)
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running  # told in the status line, as a search typed is
        assert "the library cannot answer: database is locked" in status(app)


@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_an_entered_search_is_answered_by_the_worker_not_the_ui(sample_lib, monkeypatch,
                                                                      key):
    """Enter and escape searched as written on the UI thread (the reader froze meanwhile)."""
    asked: list[tuple[str, bool, bool]] = []  # query, typing, on the UI thread
    original = type(sample_lib).search

    def search(text, **options):
        asked.append((text, options.get("typing", False),
                      threading.current_thread() is threading.main_thread()))
        return original(sample_lib, text, **options)

    monkeypatch.setattr(sample_lib, "search", search)
    app = make_app(sample_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        query, typed, written = QUERIES[1]
        await type_query(pilot, query)
        assert counted(app) == typed
        asked.clear()
        await pilot.press(key)
        await settle(pilot)
        assert asked == [(query, False, False)]
        screen = main(app)
        assert app.focused is screen.papers and screen.papers.cursor == 0
        assert counted(app) == written and not screen.listing.typing


@pytest.mark.parametrize("query", ["large language model ", "tag:later"])
@pytest.mark.parametrize("key", ["enter", "escape"])
async def test_an_entered_search_shown_already_is_not_searched_again(sample_lib, monkeypatch,
                                                                     query, key):
    """The last word as typed is the word as written (a space after it, a field's value):
    the results shown are those of the query as written."""
    asked: list[str] = []
    original = type(sample_lib).search

    def search(text, **options):
        asked.append(text)
        return original(sample_lib, text, **options)

    papers = sample_lib.browse(limit=2)[1]
    sample_lib.tag([p.id for p in papers], ["later"])
    monkeypatch.setattr(sample_lib, "search", search)
    app = make_app(sample_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, query)
        total = counted(app)
        assert total == (50 if query.startswith("large") else 2)
        asked.clear()
        await pilot.press(key)
        await settle(pilot)
        assert asked == []
        screen = main(app)
        assert app.focused is screen.papers and screen.papers.cursor == 0
        assert counted(app) == total and f"{total} results" in status(app)
