"""LaTeX in titles and abstracts is shown and searched as text (issue 13, item 6): the store
keeps the source (JSON, BibTeX), the reader, the CLI's text and the index have the text as
read; LaTeX in a query is read the same way; no query of it is an error. Real papers of the
arXiv corpus (tests/fixtures/arxiv_latex.jsonl) and one made here."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, settle, write_jsonl
from tests.reader_pilot import (SIZE, detail_text, lines, main, make_app, marked_in_detail,
                                to_results)
from tui_reader.cli import main as main_command
from tui_reader.latex import italics, latex_parts, looks_like_latex, readable
from tui_reader.library import Library
from tui_reader.models import CONTROL_CHARACTERS

SIEGE = r"$\textit{Agents Under Siege}$: Breaking Pragmatic Multi-Agent LLM Systems with" \
        " Optimized Prompt Attacks"
SIEGE_READ = "Agents Under Siege: Breaking Pragmatic Multi-Agent LLM Systems with Optimized" \
             " Prompt Attacks"
RADIAL_READ = "Radial Attention: O(n log n) Sparse Attention with Energy Decay for Long Video" \
              " Generation"
SORTING = {"id": "2601.00001", "title": r"Sorting in $O(n^2)$ time with \emph{bubbles}",
           "abstract": r"We sort 5\% faster than $O(n^2)$ with $\alpha$-trees.",
           "authors": ["Ada Lovelace"], "categories": ["cs.DS"]}


@pytest.mark.parametrize("source, shown", [
    (r"Sorting in $O(n^2)$ time", "Sorting in O(n^2) time"),
    (r"\textit{Agents} and \emph{tools}", "Agents and tools"),
    (r"a 40\% pruning rate", "a 40% pruning rate"),
    (r"risk level $\alpha$ and $\epsilon \to 0$", "risk level α and ϵ → 0"),
    (r"$O(n\log n)$ attention", "O(n log n) attention"),
    (r"5.4$\times$ faster, $12.5\%$ less", "5.4× faster, 12.5% less"),
    (r"$\mathcal{O}(1)$ and $\mathbb{R}^n$", "𝒪(1) and ℝ^n"),
    (r"T\"ULU and G\'{e}rard, Type~1 encoder--decoder", "TÜLU and Gérard, Type 1 encoder–decoder"),
    (r"\href{https://x.org}{our code} at \url{https://x.org}", "our code at https://x.org"),
    (r"$\texttt{Llama}$ and \textbf{50% better}", "Llama and 50% better"),
    (r"we propose \ours, \eg, a method", r"we propose \ours, \eg, a method"),  # unknown: as written
    (r"two $$x^2$$ lines\\joined", "two x^2 lines joined"),
])
def test_latex_reads_as_text(source, shown):
    assert looks_like_latex(source)
    assert readable(source) == shown


@pytest.mark.parametrize("source, slanted", [
    (r"$\textit{Agents Under Siege}$: Breaking", ["Agents Under Siege"]),
    (r"a \emph{b  c} and \textit{d}, \textbf{e}", ["b c", "d"]),
    (r"\textit{unclosed", []),
    ("plain words", []),
])
def test_italics_are_spans_of_the_text_shown(source, slanted):
    shown = readable(source)
    assert [shown[a:b] for a, b in italics(source)] == slanted


@pytest.mark.parametrize("text", [
    "Costs $5 to $10 a month",             # dollars, no math (pandoc's rule)
    "50% of C# and F# users ~ 3 -- 4",    # signs LaTeX has, no LaTeX
    "TÜLU 3: Pushing Frontiers",
    "",
])
def test_text_that_is_not_latex_is_left_as_it_is(text):
    assert not looks_like_latex(text)
    assert readable(text) == text


@pytest.mark.parametrize("source", [
    r"unbalanced \textit{oops",   # the group never closes
    r"C:\temp_dir",              # a path: an unknown command, shown as written
])
def test_latex_that_does_not_read_is_shown_as_its_source(source):
    assert readable(source) == source


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab $\\{}[]%&~^_#'\"`-\x1b") + [
    "\\textit", "\\emph", "\\alpha", "\\frac", "\\begin{x}", "\\end{x}", "\\unicode{x1b}",
    "\\unicode{99999999999}", "\\\\", "\\(", "\\)", "$$"]), max_size=30).map("".join))
def test_any_text_reads_without_error_and_brings_no_control_character(text):
    shown = readable(text)
    assert isinstance(shown, str)
    assert len(CONTROL_CHARACTERS.findall(shown)) <= len(CONTROL_CHARACTERS.findall(text))
    parts = latex_parts(text)
    assert "".join(part for part, _ in parts).replace("\\%", "%").replace("\\&", "&") \
        == text.replace("\\%", "%").replace("\\&", "&")


@pytest.fixture(scope="module")
def latex_lib(tmp_path_factory):
    root = tmp_path_factory.mktemp("latex")
    library = Library(root / "data")
    assert library.import_paths([FIXTURES / "arxiv_latex.jsonl"]).new == 6
    assert library.import_paths([write_jsonl(root / "sorting.jsonl", [SORTING])]).new == 1
    yield library
    library.close()


def arxiv_ids(lib: Library, query: str) -> list[str]:
    result = lib.search(query)
    assert result.error is None, result.error
    return [h.paper.arxiv_id for h in result.hits]


def test_the_store_keeps_the_source_and_shows_the_text(latex_lib):
    paper = latex_lib.paper("2504.00218")
    assert paper.title == SIEGE and paper.readable_title == SIEGE_READ
    assert r"$\textit{permutation-invariant adversarial attack}$" in paper.abstract
    assert "a permutation-invariant adversarial attack that" in paper.readable_abstract
    [hit] = latex_lib.search("siege").hits
    assert hit.title.text == SIEGE_READ
    assert [SIEGE_READ[a:b] for a, b in hit.title.spans] == ["Siege"]


@pytest.mark.parametrize("query, found", [
    ("O(n^2)", []),                         # one-letter words are not indexed: nothing, no error
    ("textit", []),                         # a command's name is not a word of the text
    (r"$\alpha$", []),                      # α: one letter
    (r"\textit{Can}", ["2504.08192"]),      # the query's LaTeX is read as the titles' is
    (r"$\textit{Agents Under Siege}$", ["2504.00218"]),
    ("O(n log n)", ["2506.19852", "2507.11941"]),
    (r"$O(n \log n)$", ["2506.19852", "2507.11941"]),
    ("permutation-invariant adversarial attack", ["2504.00218"]),  # words inside \textit
    ("bubbles", ["2601.00001"]),
])
def test_queries_with_latex_find_what_is_shown(latex_lib, query, found):
    assert arxiv_ids(latex_lib, query) == found


def test_latex_queries_typed_letter_by_letter_are_never_an_error(latex_lib):
    for query in ("O(n^2)", "textit", r"$\alpha$", r"\textit{Can}", r"{\em x}", r"\begin{x"):
        for end in range(1, len(query) + 1):
            for typing in (True, False):
                assert latex_lib.search(query[:end], typing=typing).error is None, query[:end]


def test_highlights_fall_on_the_words_shown(latex_lib):
    result = latex_lib.search("calibration-aware loss function")
    [hit] = result.hits
    shown = latex_lib.highlight(hit.paper.readable_abstract, result.terms["abstract"])
    start = shown.text.index("we design a calibration-aware loss function that")
    marked = [(a - start, shown.text[a:b]) for a, b in shown.spans if a >= start][:4]
    assert marked == [(12, "calibration"), (24, "aware"), (30, "loss"), (35, "function")]
    assert "\\textbf" not in shown.text


def test_the_command_line_shows_text_and_its_json_keeps_the_source(latex_lib):
    def cli(*args: str):
        return CliRunner().invoke(main_command, ["--data-dir", str(latex_lib.root), *args],
                                  catch_exceptions=False)

    shown = cli("show", "2504.00218")
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[0] == SIEGE_READ
    assert "We design a permutation-invariant adversarial attack" in shown.stdout
    assert json.loads(cli("show", "2504.00218", "--json").stdout)[
        "title"] == SIEGE
    found = cli("search", "siege")
    assert found.exit_code == 0 and SIEGE_READ in found.stdout
    for query in ("O(n^2)", "textit", r"$\alpha$"):
        empty = cli("search", query)
        assert (empty.exit_code, empty.stdout, empty.stderr) == (
            0, f"No papers match {query!r}\n", "")
    bib = cli("export", "search", "sorting", "--format", "bibtex").stdout
    assert r"title = {{Sorting in $O(n^2)$ time with \emph{bubbles}}}" in bib
    assert r"abstract = {We sort 5\% faster than $O(n^2)$ with $\alpha$-trees.}" in bib


@pytest.mark.asyncio
async def test_the_reader_shows_the_text_with_its_hits(latex_lib):
    app = make_app(Library(latex_lib.root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await to_results(pilot, "siege")
        assert any("Agents Under Siege: Breaking" in line for line in lines(app))
        assert not any("textit" in line for line in lines(app))
        assert main(app).detail.paper.arxiv_id == "2504.00218"
        assert detail_text(app).startswith(SIEGE_READ)
        title = main(app).detail.query_one("#detail-title").content
        styled = [(title.plain[span.start:span.end], str(span.style)) for span in title.spans]
        assert ("Agents Under Siege", "italic") in styled  # \textit{...} in the source
        assert "Siege" in marked_in_detail(app, "title")   # the hit
        abstract = main(app).detail.query_one("#detail-abstract").content
        assert [abstract.plain[s.start:s.end] for s in abstract.spans if str(s.style) == "italic"][
            :2] == ["permutation-invariant adversarial attack", "maximum-flow minimum-cost"]
        papers = main(app).papers
        row = papers.render_row(papers.row(0))
        assert any(row.plain[s.start:s.end] == "Agents Under Siege" and "italic" in str(s.style)
                   for s in row.spans)
