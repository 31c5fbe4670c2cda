"""The reader's search as you type, through Textual's Pilot on a real Library."""

from __future__ import annotations

import threading

import pytest

from tui_reader.index import paper_index
from tui_reader.library import Library

from tests.conftest import settle, until
from tests.reader_pilot import (BY_DATE, GRAPHS, PROTEIN, SIZE, TRANSFORMERS, lines,
                                main, make_app, marked_in_detail, repair_line, status,
                                titles, to_results, type_query)

pytestmark = pytest.mark.asyncio


# -- search as you type -------------------------------------------------------------------------

async def test_search_as_you_type_highlights_the_hits(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is main(app).search_box
        for key in "diffusion":
            await pilot.press(key)
        await settle(pilot)
        assert main(app).search_box.value == "diffusion"
        assert sorted(titles(app)) == sorted([PROTEIN, TRANSFORMERS])
        assert "2 results" in status(app) and "by relevance" in status(app)
        # the query's hits are highlighted in the list line and in the detail pane
        papers = main(app).papers
        strip = papers.render_line(0)
        match = papers.get_component_rich_style("paper-list--match", partial=True)
        marked = [seg.text for seg in strip if seg.style and seg.style.underline]
        assert match.underline and "Diffusion" in marked
        detail = main(app).detail
        assert detail.paper.title == PROTEIN
        assert marked_in_detail(app, "title") == ["Diffusion"]
        assert marked_in_detail(app, "abstract") == []  # "denoising process": no hit
        await pilot.press("enter", "j")  # to the results, the next one
        await settle(pilot)
        assert detail.paper.title == TRANSFORMERS
        assert marked_in_detail(app, "title") == []
        assert marked_in_detail(app, "abstract") == ["diffusion"]


async def test_the_detail_pane_highlights_with_the_terms_of_the_search_shown(corpus_lib,
                                                                             monkeypatch):
    """The query is parsed once per search, not again for each paper shown; a corrected
    search highlights the words of the correction."""
    parsed: list[str] = []
    original = paper_index.parse

    def parse(text, **options):
        parsed.append(text)
        return original(text, **options)

    monkeypatch.setattr(paper_index, "parse", parse)
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_results(pilot, "difusion")
        assert repair_line(app).startswith("Showing results for “diffusion”")
        parsed.clear()
        detail = main(app).detail
        seen = {}
        for key in ("j", "k", "j"):
            await pilot.press(key)
            await settle(pilot)
            seen[detail.paper.title] = (marked_in_detail(app, "title"),
                                        marked_in_detail(app, "abstract"))
        assert seen == {PROTEIN: (["Diffusion"], []), TRANSFORMERS: ([], ["diffusion"])}
        assert parsed == []  # three papers shown, no query parsed


async def test_typing_is_never_blocked_and_stale_results_are_dropped(corpus_lib, monkeypatch):
    app = make_app(corpus_lib, debounce=0)  # every keystroke searches
    asked: list[str] = []
    release, answered = threading.Event(), threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        real_ask = screen.ask

        def slow_ask(listing, offset, limit):
            asked.append(listing.query)
            if listing.query != "pro":
                return real_ask(listing, offset, limit)
            release.wait(60)  # this answer comes back after the later ones
            try:
                return real_ask(listing, offset, limit)
            finally:
                answered.set()

        monkeypatch.setattr(screen, "ask", slow_ask)
        await pilot.press("slash", *"pro")
        await until(pilot, lambda: "pro" in asked)
        await pilot.press(*"tein")  # while the search of "pro" is held
        assert screen.search_box.value == "protein" and not answered.is_set()
        await until(pilot, lambda: screen.listing.query == "protein")
        assert not answered.is_set()  # the later search was shown while "pro" was held
        release.set()
        await until(pilot, answered.is_set)
        await settle(pilot)
        assert "pro" in asked
        assert screen.listing.query == "protein"  # the late answer for "pro" was dropped
        assert titles(app) == [PROTEIN]


async def test_searches_are_debounced(corpus_lib, monkeypatch):
    app = make_app(corpus_lib, debounce=1.0)  # (a loaded machine may take 0.4 s between keys)
    asked: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        real_ask = screen.ask

        def ask(listing, offset, limit):
            asked.append(listing.query)
            return real_ask(listing, offset, limit)

        monkeypatch.setattr(screen, "ask", ask)
        await pilot.press("slash", *"protein")
        await until(pilot, lambda: "1 result" in status(app))
        await settle(pilot)
        assert asked == ["protein"]  # one search for seven quick keystrokes
        assert titles(app) == [PROTEIN] and "1 result" in status(app)


async def test_a_typo_is_corrected_and_search_instead_takes_it_as_typed(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "difusion")
        screen = main(app)
        assert sorted(titles(app)) == sorted([PROTEIN, TRANSFORMERS])
        assert "Search · 2 results" in status(app)
        assert repair_line(app) == ("Showing results for “diffusion” · search instead for "
                                    "“difusion”  (ctrl+t or click)")
        await pilot.press("ctrl+t")  # in the search box too
        await settle(pilot)
        assert screen.search_box.value == "difusion" and screen.papers.total == 0
        assert screen.listing.exact and repair_line(app) == ""
        assert any("No papers match “difusion” as typed." in line for line in lines(app))
        await pilot.press("backspace")  # typing again: corrected again
        await settle(pilot)
        assert not screen.listing.exact and screen.papers.total == 2


def record_searches(monkeypatch) -> list[tuple[str, bool]]:
    """Every Library.search the test makes, as (text, typing), in order."""
    asked: list[tuple[str, bool]] = []
    original = Library.search

    def search(self, text, **options):
        asked.append((text, options.get("typing", False)))
        return original(self, text, **options)

    monkeypatch.setattr(Library, "search", search)
    return asked


async def test_did_you_mean_waits_for_a_pause_in_typing(corpus_lib, monkeypatch):
    """The word being typed is a prefix, never corrected; once the typing pauses (or at once
    on enter) a search that found nothing runs again with the word complete, which corrects."""
    asked = record_searches(monkeypatch)
    app = make_app(corpus_lib, suggestion_delay=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        asked.clear()
        await pilot.press("slash", *"difusio")
        await until(pilot, lambda: screen.listing.query == "difusio")
        await pilot.press("n")  # within the delay: no search of "difusio" as a whole word
        await until(pilot, lambda: screen.listing.query == "difusion")
        assert screen.papers.total == 0 and repair_line(app) == ""
        assert asked and all(typing for _, typing in asked)
        await until(pilot, lambda: screen.papers.total == 2)  # the typing paused
        await settle(pilot)
        assert [call for call in asked if not call[1]] == [("difusion", False)]
        assert screen.papers.total == 2 and "“diffusion”" in repair_line(app)

        await pilot.press("ctrl+u")  # clears the box (the focus stays)
        await settle(pilot)
        assert screen.search_box.value == "" and screen.search_box.has_focus
        asked.clear()
        await pilot.press(*"protien", "enter")  # enter before the pause: the word is complete
        await until(pilot, lambda: app.focused is screen.papers)  # (answered in the worker)
        assert ("protien", False) in asked
        assert titles(app) == [PROTEIN] and app.focused is screen.papers
        assert "Showing results for “protein”" in repair_line(app)


def record_similar(monkeypatch) -> list[str]:
    """The papers whose similar papers the Library is asked for, in order."""
    asked: list[str] = []
    original = Library.similar

    def similar(self, ref, limit=5):
        asked.append(ref)
        return original(self, ref, limit)

    monkeypatch.setattr(Library, "similar", similar)
    return asked


async def test_similar_papers_wait_for_the_paper_to_stay(corpus_lib, monkeypatch):
    """The similar papers of a result are looked up only once it stays shown: a search that
    replaces it (even by nothing found) cancels the lookup, so typing is not slowed by it."""
    asked = record_similar(monkeypatch)
    app = make_app(corpus_lib, similar_delay=0, suggestion_delay=60.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # (it waits for the first paper's lookup)
        # A delay no busy machine can outlast: the lookup can only be dropped, never run early.
        app.similar_delay = 60.0
        asked.clear()
        screen = main(app)
        await pilot.press("slash", *"protein")
        await until(pilot, lambda: titles(app) == [PROTEIN] and screen.detail.paper is not None)
        await pilot.press("x")  # nothing found (yet): the pending lookup is dropped at once
        await until(pilot, lambda: screen.detail.paper is None and not [
            w for w in app.workers if w.group == "detail" and not w.is_finished], timeout=10)
        assert screen.papers.total == 0 and asked == []
        app.similar_delay = 0  # the paper shown next has stayed long enough
        await pilot.press("backspace")
        await until(pilot, lambda: asked)
        await settle(pilot)
        assert asked == [screen.detail.paper.id] and titles(app) == [PROTEIN]


async def test_similar_papers_wait_for_a_pause_in_typing_while_the_box_has_the_focus(
        corpus_lib, monkeypatch):
    """While the search box has the focus, a paper shown waits for the reader's typing_pause
    without a key before its similar papers are looked up (a lookup cannot be stopped, and
    the next key's search would wait for it); out of the box, similar_delay is enough."""
    asked = record_similar(monkeypatch)
    app = make_app(corpus_lib, similar_delay=0, typing_pause=60.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        asked.clear()
        screen = main(app)
        await pilot.press("slash", *"protein")
        await until(pilot, lambda: titles(app) == [PROTEIN] and screen.detail.paper is not None
                    and screen.detail.paper.abstract)
        await pilot.pause(0.5)  # (nothing to wait for: a lookup would have started by now)
        assert asked == [] and screen.search_box.has_focus
        await pilot.press("escape")  # out of the box, to the list
        await until(pilot, lambda: asked)
        assert not screen.search_box.has_focus and set(asked) == {screen.detail.paper.id}


async def test_search_instead_can_be_clicked(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "protien ")
        assert titles(app) == [PROTEIN]
        await pilot.click("#suggestion")
        await settle(pilot)
        assert main(app).search_box.value == "protien " and main(app).papers.total == 0
        assert any("No papers match “protien ” as typed." in line for line in lines(app))


async def test_saved_searches_and_views_search_complete_words(corpus_lib, monkeypatch):
    asked = record_searches(monkeypatch)
    corpus_lib.save_search("proteins", "protien")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main(app).open_view("saved:proteins")
        await settle(pilot)
        assert set(asked) == {("protien", False)}  # the list, and the sidebar's count
        assert titles(app) == [PROTEIN] and "“protein”" in repair_line(app)


async def test_a_query_error_is_shown_in_place_and_the_text_kept(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "diffusion")
        screen = main(app)
        screen.search_box.insert_text_at_cursor(" year:abc")  # as if pasted
        await settle(pilot)
        assert screen.search_box.value == "diffusion year:abc"
        assert screen.search_box.has_class("-error")
        assert "year, date and upvotes take a number or a range" in status(app)
        assert screen.papers.total == 2  # the last good results stay
        for _ in "year:abc":
            await pilot.press("backspace")
        await settle(pilot)
        assert not screen.search_box.has_class("-error")
        assert "2 results" in status(app)


async def test_enter_moves_to_the_results_with_the_first_highlighted(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        await to_results(pilot, "language models")
        screen = main(app)
        assert app.focused is screen.papers
        assert screen.papers.cursor == 0
        assert screen.detail.paper.title == titles(app)[0]


async def test_enter_right_after_typing_waits_for_that_query(corpus_lib):
    app = make_app(corpus_lib, debounce=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"graph", "enter")
        await settle(pilot)
        screen = main(app)
        assert app.focused is screen.papers
        assert titles(app) == [GRAPHS] and screen.detail.paper.title == GRAPHS


async def test_letters_typed_in_the_search_box_are_text_not_commands(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"bnsSqrdoy?/[]1gGjkuUAz")
        await settle(pilot)
        screen = main(app)
        assert screen.search_box.value == "bnsSqrdoy?/[]1gGjkuUAz"
        assert app.is_running and app.screen is screen  # no quit, no help, no editor
        stats = corpus_lib.stats()
        assert stats["bookmarks"] == 0 and stats["notes"] == 0 and stats["saved_searches"] == 0


async def test_escape_steps_back_a_level_and_never_enters_the_search_box(corpus_lib):
    corpus_lib.save_search("graphs", "graph", "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("escape")  # at the top level: nothing happens
        assert app.focused is screen.papers and screen.search_box.value == ""
        await type_query(pilot, "graph")
        await pilot.press("escape")  # from the box to the list: the query stays
        await settle(pilot)
        assert app.focused is screen.papers
        assert screen.search_box.value == "graph" and titles(app) == [GRAPHS]
        await pilot.press("escape")  # clears the search
        await settle(pilot)
        assert app.focused is screen.papers
        assert screen.search_box.value == "" and titles(app) == BY_DATE
        assert status(app).startswith("All papers · 4 papers")
        await pilot.press("escape", "right_square_bracket")  # ] is a key, not a query
        await settle(pilot)
        assert screen.view == "bookmarks" and screen.search_box.value == ""
        await pilot.press("escape")  # from a view to All papers
        await settle(pilot)
        assert screen.view == "all" and titles(app) == BY_DATE
        screen.open_view("saved:graphs")
        await settle(pilot)
        await pilot.press("escape")  # from a saved search to All papers, its query gone
        await settle(pilot)
        assert screen.view == "all" and screen.search_box.value == ""
        assert titles(app) == BY_DATE


async def test_q_steps_back_and_quits_only_from_the_top_level(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await to_results(pilot, "graph")
        await pilot.press("enter")  # into the detail pane
        assert app.focused is not screen.papers
        await pilot.press("q")  # back to the list
        assert app.focused is screen.papers and app.is_running
        await pilot.press("q")  # clears the search
        await settle(pilot)
        assert screen.search_box.value == "" and titles(app) == BY_DATE and app.is_running
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("q")  # from Bookmarks to All papers
        await settle(pilot)
        assert screen.view == "all" and app.is_running
        await pilot.press("q")  # the top level: quits
        await settle(pilot)
        assert not app.is_running


async def test_ctrl_q_always_quits(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "graph")  # in the search box, a search shown
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running


# -- search over the bundled samples ----------------------------------------------------------

LEANDOJO = "LeanDojo: Theorem Proving with Retrieval-Augmented Language Models"


@pytest.fixture
def samples_lib(lib: Library) -> Library:
    lib.import_samples_if_new()
    return lib


async def test_the_word_being_typed_narrows_the_results_letter_by_letter(samples_lib):
    app = make_app(samples_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("slash")
        counts = {}
        for typed in ("t", "tr", "tra", "tran", "trans", "transf", "transfo", "transfor",
                      "transform", "transforme", "transformer"):
            await pilot.press(typed[-1])
            await settle(pilot)
            assert screen.listing.query == typed and screen.listing.typing
            assert repair_line(app) == ""  # no correction of the word being typed
            counts[typed] = screen.papers.total
        assert list(counts.values())[2:] == [100, 35, 35, 26, 15, 15, 15, 15, 15]
        assert "Search · 15 results" in status(app)
        papers = [screen.papers.row(i).paper for i in range(screen.papers.total)]
        assert all("transform" in f"{p.title} {p.abstract}".lower() for p in papers)


async def test_a_typo_is_corrected_labelled_and_can_be_searched_as_typed(samples_lib):
    app = make_app(samples_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "theorm proving")
        screen = main(app)
        assert screen.papers.total == 18 and LEANDOJO in titles(app)
        assert "Search · 18 results" in status(app)
        assert repair_line(app) == ("Showing results for “theorem proving” · search instead "
                                    "for “theorm proving”  (ctrl+t or click)")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert screen.papers.total == 0 and "Search · 0 results" in status(app)
        assert repair_line(app) == ""
        assert any("No papers match “theorm proving” as typed." in line for line in lines(app))


async def test_partial_matches_are_labelled(samples_lib):
    app = make_app(samples_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "theorem proving xylophone")
        assert main(app).papers.total == 16 and LEANDOJO in titles(app)
        assert repair_line(app) == "No paper has all 3 words: showing papers with 2 of them"
        await pilot.press("ctrl+t")  # nothing to search instead
        await settle(pilot)
        assert main(app).papers.total == 16 and not main(app).listing.exact


async def test_a_plain_phrase_with_stop_words_finds_its_paper_first(samples_lib):
    app = make_app(samples_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_results(pilot, "theorem proving with retrieval")
        screen = main(app)
        assert titles(app)[0] == LEANDOJO and repair_line(app) == ""
        assert app.focused is screen.papers and screen.detail.paper.title == LEANDOJO
