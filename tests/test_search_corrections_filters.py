"""A typo is corrected in a query that also has field filters, ranges, "phrases", groups or
negations: its plain words are corrected, the rest is kept as written and limits what the
correction finds (README, "Searching"). On the bundled samples, through the Library, the
command line and the reader's facet panel (which adds `year:2025` to the query shown)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE_DUMPS, settle
from tests.reader_pilot import SIZE, main, make_app, repair_line, status, titles, to_results
from tests.test_app_facets import choose, open_panel
from tui_reader.library import Library

LEANDOJO = "LeanDojo: Theorem Proving with Retrieval-Augmented Language Models"


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    library = Library(tmp_path_factory.mktemp("samples") / "data")
    assert library.import_paths([SAMPLE_DUMPS]).new == 146
    leandojo = [h.paper.id for h in library.search(LEANDOJO).hits][:1]
    library.tag(leandojo, ["lean"])
    yield library
    library.close()


def ids(result) -> list[str]:
    return [h.paper.id for h in result.hits]


# Each kind of thing a query holds beside its words, with the papers "theorem proving" and it
# find (of the 16 "theorem proving" finds alone).
KEPT = [
    ("year:2025", 2),                     # a field filter (the facet panel's)
    ("year:2023..2025", 3),               # a range
    ("upvotes:<1000 year:2025", 2),       # a comparison, and two filters
    ('"language models"', 13),            # a quoted phrase
    ("(lean OR coq)", 10),                # a group
    ("-lean", 7),                         # a negation
    ("NOT year:2025", 14),                # a negated filter
    ("formal~", 13),                      # fuzzy: the query language, kept as is
    ("tag:lean", 1),                      # a tag (user data)
]


@pytest.mark.parametrize("kept, found", KEPT)
@pytest.mark.parametrize("where", ["after", "before"])
def test_the_plain_words_are_corrected_and_the_rest_kept(samples, kept, found, where):
    typed = f"theorm proving {kept}" if where == "after" else f"{kept} theorm proving"
    meant = typed.replace("theorm", "theorem")
    result = samples.search(typed)
    assert result.error is None and result.corrected == meant
    assert result.total == found and result.partial == 0
    assert ids(result) == ids(samples.search(meant))
    assert samples.search(typed, repair=False).total == 0  # as typed: nothing


@pytest.mark.parametrize("typed, meant", [
    ("theorm, proving! year:2025", "theorem, proving! year:2025"),
    ("theorem, provng! year:2025", "theorem, proving! year:2025"),
])
def test_punctuation_around_a_typo_stays(samples, typed, meant):
    result = samples.search(typed)
    assert result.corrected == meant and result.total == 2


def test_the_label_corrects_the_word_where_it_is_not_in_the_filter(samples):
    """The same typo in a negation and as a word: the word is corrected, the negation (a
    part of the query kept as written) is not, and the label says what was searched."""
    result = samples.search("proving -theorm theorm")
    assert result.corrected == "proving -theorm theorem"
    assert result.total == samples.search("proving -theorm theorem").total == 16


def test_partial_matches_keep_the_filters(samples):
    result = samples.search("theorem proving zqxwvj year:2025")
    assert result.corrected is None and (result.partial, result.partial_of) == (2, 3)
    assert sorted(ids(result)) == sorted(ids(samples.search("theorem proving year:2025")))


def test_filters_that_find_nothing_are_not_corrected_away(samples):
    for typed in ("theorm proving year:1990", "theorm proving tag:nosuchtag",
                  "title:theorm proving"):  # a word in a field is a filter: as written
        result = samples.search(typed)
        assert (result.total, result.corrected, result.partial) == (0, None, 0), typed


def test_the_facets_follow_the_corrected_search(samples):
    facets = samples.facets("theorm proving year:2023..2025")
    assert facets.total == 3 and dict(facets.counts["year"]) == {2025: 2, 2023: 1}


def test_the_command_line_corrects_a_filtered_query(samples):
    from click.testing import CliRunner

    from tui_reader.cli import main as cli_main
    run = CliRunner().invoke
    data = str(samples.root)
    doc = json.loads(run(cli_main, ["--data-dir", data, "search", "theorm proving year:2025",
                                    "--json"]).stdout)
    assert doc["corrected"] == "theorem proving year:2025" and doc["total"] == 2
    text = run(cli_main, ["--data-dir", data, "search", "theorm proving year:2025"]).stdout
    assert "showing results for 'theorem proving year:2025'" in text
    exact = run(cli_main, ["--data-dir", data, "search", "theorm proving year:2025", "--exact"])
    assert "No papers match" in exact.stdout


@pytest.mark.asyncio
async def test_a_facet_chosen_after_a_corrected_search_keeps_the_correction(samples):
    """The trial: a corrected search, then a year chosen in the facet panel; the list was
    emptied, the query now holding a filter."""
    app = make_app(samples)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_results(pilot, "theorm proving")
        screen = main(app)
        assert screen.papers.total == 16 and "“theorem proving”" in repair_line(app)
        await open_panel(pilot)
        await choose(pilot, "2025 2")
        assert screen.search_box.value == "theorm proving year:2025"
        assert "Search · 2 results" in status(app) and len(titles(app)) == 2
        assert repair_line(app).startswith("Showing results for “theorem proving year:2025”")
