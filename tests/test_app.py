"""The reader, driven through Textual's Pilot on a real Library in tmp_path."""

from __future__ import annotations

import io
import threading

import pytest
from rich.console import Console
from textual.widgets import Input, TextArea

from tui_reader.app.app import ReaderApp
from tui_reader.app.screens.confirm import Confirm
from tui_reader.app.screens.help import HelpScreen
from tui_reader.app.screens.main import MainScreen
from tui_reader.app.screens.note_editor import NoteEditor
from tui_reader.app.screens.save_search import SaveSearch
from tui_reader.app.widgets.paper_list import PaperList
from tui_reader.index import paper_index
from tui_reader.library import Library

from tests.conftest import settle, until, write_jsonl

pytestmark = pytest.mark.asyncio

SIZE = (120, 40)
PROTEIN = "Diffusion Models for Protein Design"
TRANSFORMERS = "Transformers Without Attention"
GRAPHS = "Graph Neural Networks at Scale"
RLHF = "Reinforcement Learning from Human Feedback"
BY_DATE = [RLHF, TRANSFORMERS, PROTEIN, GRAPHS]


def make_app(library: Library, **options) -> ReaderApp:
    options.setdefault("debounce", 0)
    options.setdefault("read_delay", None)
    options.setdefault("similar_delay", 0)
    options.setdefault("suggestion_delay", 0)
    return ReaderApp(library, **options)


def main(app: ReaderApp) -> MainScreen:
    return app.main_screen


def lines(app: ReaderApp) -> list[str]:
    return [line for line in main(app).papers.rendered_lines() if line.strip()]


def titles(app: ReaderApp) -> list[str]:
    papers = main(app).papers
    return [papers.row(i).paper.title for i in range(papers.total)]


def status(app: ReaderApp) -> str:
    return str(main(app).query_one("#status").render())


def repair_line(app: ReaderApp) -> str:
    """The line under the status: a correction with "search instead", or partial matches."""
    line = main(app).query_one("#suggestion")
    return str(line.render()) if line.display else ""


def detail_text(app: ReaderApp) -> str:
    detail = main(app).detail
    return "\n".join(str(w.render()) for w in detail.query("Static") if w.display)


def marked_in_detail(app: ReaderApp, part: str) -> list[str]:
    """The words highlighted in the detail pane's `part` (title or abstract)."""
    text = main(app).detail.query_one(f"#detail-{part}").content
    return [text.plain[span.start:span.end] for span in text.spans]


async def type_query(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await settle(pilot)


async def to_results(pilot, text: str) -> None:
    """Search for `text`, then enter: to its results."""
    await type_query(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


# -- the screen -------------------------------------------------------------------------------

async def test_start_shows_every_paper_newest_first(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(app) == BY_DATE
        shown = lines(app)
        assert RLHF in shown[0] and "2025-05-20" in shown[0]
        assert "All papers · 4 papers · newest first" in status(app)
        assert isinstance(app.focused, PaperList)
        # the detail pane shows the first paper with its metadata
        text = detail_text(app)
        assert RLHF in text and "Alan Kay, Ada Lovelace" in text and "2505.00004" in text
        assert "https://arxiv.org/abs/2505.00004" in text and "cs.CL" in text
        assert "corpus.jsonl" in text  # where the paper was seen
        # the sidebar: views with counts
        sidebar = main(app).sidebar
        prompts = [str(sidebar.get_option_at_index(i).prompt)
                   for i in range(sidebar.option_count)]
        assert any("All papers" in p and "4" in p for p in prompts)
        assert any(p.strip().startswith("Bookmarks") for p in prompts)
        assert any("With notes" in p for p in prompts) and any("Unread" in p for p in prompts)


async def test_the_list_is_one_line_api_widget_with_lazy_pages(lib, tmp_path):
    records = [{"id": f"2401.{i:05d}", "title": f"Paper number {i:04d} on topic",
                "abstract": f"Abstract {i} about topic words.", "authors": ["A. Author"],
                "update_date": f"20{10 + i % 15}-01-{1 + i % 28:02d}"} for i in range(1200)]
    lib.import_paths([write_jsonl(tmp_path / "many.jsonl", records)])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        papers = main(app).papers
        assert papers.total == 1200
        assert len(papers._pages) == 1  # only the first page was fetched
        widgets_before = len(list(app.screen.query("*")))
        await pilot.press("G")
        await settle(pilot)
        assert papers.cursor == 1199
        assert papers.current is not None
        assert len(papers._pages) <= 3  # the last page, not the ones in between
        assert any(papers.current.paper.title in line for line in lines(app))
        assert len(list(app.screen.query("*"))) == widgets_before  # no widget per row
        await pilot.press("g")
        await settle(pilot)
        assert papers.cursor == 0 and round(papers.scroll_offset.y) == 0


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
    app = make_app(corpus_lib, debounce=0.4)
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
        assert ("protien", False) in asked
        assert titles(app) == [PROTEIN] and app.focused is screen.papers
        assert "Showing results for “protein”" in repair_line(app)


async def test_similar_papers_wait_for_the_paper_to_stay(corpus_lib, monkeypatch):
    """The similar papers of a result are looked up only once it stays shown: a search that
    replaces it (even by nothing found) cancels the lookup, so typing is not slowed by it."""
    asked: list[str] = []
    original = Library.similar

    def similar(self, ref, limit=5):
        asked.append(ref)
        return original(self, ref, limit)

    monkeypatch.setattr(Library, "similar", similar)
    # Delays no busy machine can outlast: the lookup can only be dropped, never run early.
    app = make_app(corpus_lib, similar_delay=60.0, suggestion_delay=60.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
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


# -- keys on the list ---------------------------------------------------------------------------

async def test_moving_with_j_k_arrows_g_and_G(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("j")
        assert screen.papers.cursor == 1 and screen.detail.paper.title == BY_DATE[1]
        await pilot.press("down", "down")
        assert screen.papers.cursor == 3
        await pilot.press("j")  # stays on the last
        assert screen.papers.cursor == 3
        await pilot.press("k", "up")
        assert screen.papers.cursor == 1
        await pilot.press("G")
        assert screen.papers.cursor == 3 and screen.detail.paper.title == BY_DATE[3]
        await pilot.press("g")
        assert screen.papers.cursor == 0


async def test_b_toggles_the_bookmark_of_the_highlighted_paper(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "b")
        await settle(pilot)
        paper_id = main(app).detail.paper.id
        assert corpus_lib.paper(paper_id).bookmarked
        assert lines(app)[1].startswith("★") and TRANSFORMERS in lines(app)[1]
        assert "bookmarked" in detail_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert not corpus_lib.paper(paper_id).bookmarked
        assert not lines(app)[1].startswith("★")


async def test_the_sort_order_cycles(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")  # browsing: date -> upvotes -> title
        await settle(pilot)
        assert "most upvoted first" in status(app)
        await pilot.press("S")
        await settle(pilot)
        assert titles(app) == sorted(BY_DATE) and "by title" in status(app)
        await pilot.press("S")
        await settle(pilot)
        assert titles(app) == BY_DATE and "newest first" in status(app)


async def test_sort_cycles_through_relevance_when_searching(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "models")
        screen = main(app)
        await pilot.press("enter")
        seen = [screen.listing.sort]
        for _ in range(4):
            await pilot.press("S")
            await settle(pilot)
            seen.append(screen.listing.sort)
        assert seen == ["relevance", "date", "upvotes", "title", "relevance"]
        await pilot.press("S")
        await settle(pilot)
        assert titles(app) == [t for t in BY_DATE if t in titles(app)]


async def test_r_toggles_read_and_a_paper_shown_for_a_moment_becomes_read(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        app.read_delay = 1.0
        await pilot.press("j")
        first = screen.detail.paper.id
        await pilot.press("j")  # moved away before the delay: the first stays unread
        await until(pilot, lambda: screen.detail.paper.read)
        await settle(pilot)
        second = screen.detail.paper.id
        assert not corpus_lib.paper(first).read
        assert corpus_lib.paper(second).read
        assert lines(app)[2][1] == " "  # the unread dot is gone
        assert lines(app)[1][1] == "●"
        await pilot.press("r")  # back to unread, and it stays so: no timer marks it read
        await settle(pilot)
        assert screen._read_timer is None and not corpus_lib.paper(second).read
        await pilot.press("r")
        await settle(pilot)
        assert corpus_lib.paper(second).read


async def test_u_and_U_move_to_the_next_and_previous_unread_paper(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    corpus_lib.mark_read(ids[TRANSFORMERS])
    corpus_lib.mark_read(ids[PROTEIN])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("u")  # RLHF -> past the two read ones -> GRAPHS
        await settle(pilot)
        assert screen.papers.cursor == 3 and screen.detail.paper.title == GRAPHS
        await pilot.press("u")  # none after the last
        await settle(pilot)
        assert screen.papers.cursor == 3
        assert "No unread paper after this one." in status(app)
        await pilot.press("U")
        await settle(pilot)
        assert screen.papers.cursor == 0 and screen.detail.paper.title == RLHF
        await pilot.press("U")
        await settle(pilot)
        assert screen.papers.cursor == 0
        assert "No unread paper before this one." in status(app)


async def test_u_finds_an_unread_paper_on_a_page_not_fetched_yet(lib, tmp_path):
    records = [{"id": f"2401.{i:05d}", "title": f"Paper number {i:04d} on topic",
                "abstract": "Words.", "update_date": f"2020-01-{1 + i % 28:02d}"}
               for i in range(130)]
    lib.import_paths([write_jsonl(tmp_path / "many.jsonl", records)])
    ids = [p.id for p in lib.browse("all", sort="title", limit=200)[1]]
    lib.mark_read_many(ids[:120])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("S", "S")  # by title
        await settle(pilot)
        assert "by title" in status(app) and len(screen.papers.loaded_pages()) == 1
        await pilot.press("u")
        await until(pilot, lambda: screen.papers.cursor == 120)
        await settle(pilot)
        assert screen.detail.paper.title == "Paper number 0120 on topic"


async def test_A_marks_the_list_read_and_z_undoes_it(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    corpus_lib.mark_read(ids[PROTEIN])
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await to_results(pilot, "language models")  # two results
        await pilot.press("A")
        await settle(pilot)
        assert app.screen is screen  # two papers: no question
        unread = {p.title for p in corpus_lib.browse("unread")[1]}
        assert unread == {GRAPHS}
        assert all(line[1] == " " for line in lines(app))  # no unread dot left
        assert "Marked 2 papers read (z undoes)." in status(app)
        assert screen.sidebar.counts["unread"] == 1
        await pilot.press("z")
        await settle(pilot)
        assert {p.title for p in corpus_lib.browse("unread")[1]} == {GRAPHS, TRANSFORMERS, RLHF}
        assert "Undone: marking 2 papers read." in status(app)
        assert screen.sidebar.counts["unread"] == 3
        assert all(line[1] == "●" for line in lines(app))


async def test_A_asks_first_for_a_long_list(lib, tmp_path):
    records = [{"id": f"2401.{i:05d}", "title": f"Paper number {i:04d} on topic",
                "abstract": "Words.", "update_date": "2020-01-01"} for i in range(60)]
    lib.import_paths([write_jsonl(tmp_path / "many.jsonl", records)])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("A")
        assert isinstance(app.screen, Confirm)
        assert "Mark all 60 papers of this list read?" in str(
            app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(pilot)
        assert lib.browse("unread", limit=0)[0] == 60
        await pilot.press("A", "y")
        await settle(pilot)
        assert lib.browse("unread", limit=0)[0] == 0
        assert main(app).sidebar.counts["unread"] == 0


async def test_z_undoes_bookmarks_read_state_notes_and_deleted_searches_several_deep(
        corpus_lib):
    corpus_lib.save_search("graphs", "graph", "date")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        rlhf = screen.detail.paper.id
        await pilot.press("z")
        assert "Nothing to undo." in status(app)
        await pilot.press("b", "r")  # bookmark RLHF, mark it read
        await pilot.press("n", *"first", "escape")  # a note
        await settle(pilot)
        await pilot.press("n", *["backspace"] * 5, *"second", "escape")  # changed
        await settle(pilot)
        assert corpus_lib.paper(rlhf).note == "second"
        screen.open_view("saved:graphs")
        await settle(pilot)
        await pilot.press("d", "y")
        await settle(pilot)
        assert corpus_lib.saved_searches() == [] and screen.view == "all"

        await pilot.press("z")
        await settle(pilot)
        assert [(s.name, s.query, s.sort) for s in corpus_lib.saved_searches()] == [
            ("graphs", "graph", "date")]
        assert "Undone: deleting the saved search “graphs”." in status(app)
        assert "saved:graphs" in screen.sidebar.view_ids()
        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.paper(rlhf).note == "first"
        assert f"Undone: the note change of “{RLHF}”." in status(app)
        assert "first" in detail_text(app)
        await pilot.press("z")
        await settle(pilot)
        assert corpus_lib.paper(rlhf).note is None
        await pilot.press("z")
        await settle(pilot)
        assert not corpus_lib.paper(rlhf).read and lines(app)[0][1] == "●"
        assert f"Undone: marking “{RLHF}” read." in status(app)
        await pilot.press("z")
        await settle(pilot)
        assert not corpus_lib.paper(rlhf).bookmarked and not lines(app)[0].startswith("★")
        assert f"Undone: the bookmark of “{RLHF}”." in status(app)
        await pilot.press("z")
        assert "Nothing to undo." in status(app)


async def test_o_opens_the_link_and_y_copies(corpus_lib, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://arxiv.org/abs/2505.00004"]
        messages = [str(n.message) for n in app._notifications]
        assert "Opened https://arxiv.org/abs/2505.00004 in the browser." in messages
        await pilot.press("y")
        assert app.clipboard == f"{RLHF}\nhttps://arxiv.org/abs/2505.00004"


async def test_o_without_a_browser_says_so_and_offers_y(corpus_lib, monkeypatch):
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: False)  # none could start
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert messages == ["No browser could be started here: y copies the title and link."]


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
        for _ in range(6):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            seen.append(screen.view)
        assert seen == ["bookmarks", "notes", "unread", "new", "saved:graphs", "all"]
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
                                         "new": 4}


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
        assert screen.view == "all" and screen.sidebar.view_ids()[-1] == "new"


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
        text = str(screen.query_one("#detail-similar").render())
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


# -- palette, help, themes, first start ---------------------------------------------------------

async def palette_ready(pilot, first: str) -> None:
    """Wait until the command palette lists `first` as its highlighted command."""
    from textual.command import CommandList

    def offered() -> bool:
        commands = pilot.app.screen.query(CommandList)
        if not commands or commands.first().highlighted is None:
            return False
        option = commands.first().highlighted_option
        return option is not None and first in str(option.prompt)

    await until(pilot, offered)


async def test_the_command_palette_offers_actions_and_saved_searches(corpus_lib):
    corpus_lib.save_search("graphs", "graph", "relevance")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("ctrl+p", *"bookmark")
        await palette_ready(pilot, "Bookmark")
        await pilot.press("enter")
        await settle(pilot)
        assert corpus_lib.paper(screen.detail.paper.id).bookmarked
        await pilot.press("ctrl+p", *"saved search: graphs")
        await palette_ready(pilot, "Saved search: graphs")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.view == "saved:graphs" and titles(app) == [GRAPHS]


async def test_help_lists_every_key(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, record=True, file=io.StringIO())
        for section in app.screen.query(".help-section"):
            console.print(section.content)
        text = console.export_text()
        for binding in MainScreen.BINDINGS + PaperList.BINDINGS + NoteEditor.BINDINGS:
            assert binding.description in text, binding
        for key in ("/", "b", "n", "s", "o", "y", "?", "q", "j", "k", "g", "G", "ctrl+p",
                    "ctrl+s", "esc"):
            assert key in text, key
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_every_binding_has_an_id_and_a_description():
    for binding in MainScreen.BINDINGS + PaperList.BINDINGS + NoteEditor.BINDINGS \
            + Confirm.BINDINGS + SaveSearch.BINDINGS + HelpScreen.BINDINGS + ReaderApp.BINDINGS:
        assert binding.id and binding.description, binding


async def test_the_chosen_theme_is_remembered(corpus_lib):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert corpus_lib.setting("theme") == "nord"
    again = make_app(corpus_lib)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_the_first_start_imports_the_bundled_samples(lib):
    assert lib.is_empty()
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not lib.is_empty()
        assert main(app).papers.total == lib.stats()["papers"] > 10
        assert any("Imported the samples" in str(n.message) for n in app._notifications)
        assert lines(app)


async def test_data_from_a_dump_is_shown_as_typed_never_as_markup(lib, tmp_path):
    evil = {"id": "2401.99999", "title": "[bold]x[/bold] and [link=http://e]y[/link] \x1b]52;c;QUJD\x07z",
            "abstract": "An [red]abstract[/red] with \x1b[2J escapes and [b]markup[/b].",
            "authors": ["[i]Mallory[/i]"], "categories": ["cs.CR"], "update_date": "2024-01-01"}
    lib.import_paths([write_jsonl(tmp_path / "evil.jsonl", [evil])])
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        line = lines(app)[0]
        assert "[bold]x[/bold] and [link=http://e]y[/link]" in line
        for y in range(5):
            for segment in screen.papers.render_line(y):
                assert "\x1b" not in segment.text and "\x07" not in segment.text
        text = detail_text(app)
        assert "[bold]x[/bold]" in text and "[red]abstract[/red]" in text
        assert "[i]Mallory[/i]" in text and "\x1b" not in text
        await type_query(pilot, "abstract")
        assert "[bold]x[/bold]" in lines(app)[0]


# -- the story ----------------------------------------------------------------------------------

async def test_the_story_search_bookmark_note_save_restart_find_again(corpus_lib, data_dir):
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_query(pilot, "language models")
        assert sorted(titles(app)) == sorted([TRANSFORMERS, RLHF])
        await pilot.press("enter")
        chosen = main(app).detail.paper
        await pilot.press("b")
        await pilot.press("n", *"reread", "space", *"section", "space", "3", "escape")
        await settle(pilot)
        await pilot.press("s")
        name_box = app.screen.query_one(Input)
        name_box.value = "llm"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q", "q")  # from the saved search back to All papers, then quit
    assert not app.is_running
    corpus_lib.close()

    again_lib = Library(data_dir)
    again = make_app(again_lib)
    try:
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = main(again)
            screen.open_view("bookmarks")
            await settle(pilot)
            assert titles(again) == [chosen.title]
            assert lines(again)[0].startswith("★")
            assert "reread section 3" in screen.query_one("#detail-note").source
            assert "llm" in [v.removeprefix("saved:") for v in screen.sidebar.view_ids()]
            screen.open_view("saved:llm")
            await settle(pilot)
            assert screen.search_box.value == "language models"
            assert sorted(titles(again)) == sorted([TRANSFORMERS, RLHF])
    finally:
        again_lib.close()


async def test_the_library_is_shut_to_workers_when_the_app_ends(corpus_lib):
    """A worker thread still running after the app ended (a detail lookup, a search) finds
    the library shut: the command line closes it right after, and a call into a closed
    SQLite connection from another thread could crash the process."""
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.library.stats()["papers"] == 4
    with pytest.raises(RuntimeError, match="closed the library"):
        app.library.paper(corpus_lib.browse(limit=1)[1][0].id)
