"""A search typed and a search entered (README, "Searching"): while a query is typed its last
word is a prefix (results narrow letter by letter); once it is entered (enter, escape out of
the box, a saved search opened) it is the query as written, with the same count as
`tui-reader search` and the saved search of the same query. Pilot on the bundled samples and
the real command line."""

from __future__ import annotations

import json

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
        assert app.is_running
        messages = [str(n.message) for n in app._notifications]
        assert "Searching failed: database is locked" in messages
