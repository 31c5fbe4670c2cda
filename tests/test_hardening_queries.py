"""Anything typed in the search box gives results or a clear message, never an exception
(README "Searching"): property-based tests over the query syntax, in the Library and the CLI.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.test_hardening_support import cli, write_corpus
from tui_reader.cli import main
from tui_reader.index import MAX_QUERY_CHARS
from tui_reader.library import SORTS, Library

WORDS = ["graphs", "proteins", "robot", "galax", "language", "number", "paper", "the", "and",
         "a", "models", "médecine", "日本語", "Ünïcödé", "x", "AND", "OR", "NOT", "TO", "near",
         "ada", "lovelace", "cs.LG", "2024", "10", "-5", "1e9", "99999999999999999999"]
FIELDS = ["title", "abstract", "author", "authors", "by", "org", "organization", "category",
          "cat", "note", "year", "date", "upvotes", "id", "arxiv", "arxiv_id", "nosuchfield",
          "TITLE", "_", "a"]
PUNCTUATION = ['"', "'", "(", ")", "[", "]", "{", "}", ":", "*", "?", "~", "^", "\\", "/",
               "+", "-", "!", "<", ">", "=", "..", ",", ";", "|", "&", "&&", "||", " ", "  ",
               "\t", "\n", "\x00", "\x1b[2J", "\u202e", "\ud800", "\U0001f600"]

words = st.sampled_from(WORDS) | st.text(min_size=1, max_size=12)
numbers = st.integers(-10, 10**6).map(str) | st.sampled_from(["", "2024-05-01", "2024-13-45"])
field_term = st.builds(lambda f, w: f"{f}:{w}", st.sampled_from(FIELDS), words | numbers)
ranges = st.builds(
    lambda f, a, b, style: {0: f"{f}:{a}..{b}", 1: f"{f}:[{a} TO {b}]", 2: f"{f}:{{{a} TO {b}]",
                            3: f"{f}:>{a}", 4: f"{f}:<={b}", 5: f"{f}:[{a} TO", 6: f"{f}:{a}.."
                            }[style],
    st.sampled_from(["year", "date", "upvotes", "title", "nosuchfield"]), numbers, numbers,
    st.integers(0, 6))
fuzzy = st.builds(lambda w, n, p: f"{w}~{n}" + (f"/{p}" if p is not None else ""), words,
                  st.integers(0, 12), st.none() | st.integers(0, 30))
modifiers = st.builds(lambda w, m: w + m, words, st.sampled_from(["*", "?", "^2", "^x", "^",
                                                                  "~", "*?*", "\\"]))
phrase = st.builds(lambda ws, close, slop: '"' + " ".join(ws) + ('"' if close else "")
                   + (f"~{slop}" if slop is not None else ""),
                   st.lists(words, max_size=4), st.booleans(), st.none() | st.integers(0, 99))
token = (words | field_term | ranges | fuzzy | modifiers | phrase
         | st.sampled_from(PUNCTUATION) | st.sampled_from(["AND", "OR", "NOT", "TO"]))
queries = st.builds(lambda parts, joiner: joiner.join(parts), st.lists(token, max_size=12),
                    st.sampled_from([" ", "", " AND ", " OR "]))
huge = st.builds(lambda q, n: q * n, queries.filter(bool), st.integers(50, 400))

NASTY = ['"', "(", ")", "[", "]", "{", "}", "((((((a", "a)))))", "title:", ":", "year:",
         "year:..", "year:2020..", "date:2024-13-45", "upvotes:>", "upvotes:[5 TO",
         "nosuchfield:x", "*", "?", "~", "paper~99", "paper~2/99", "<>", "\\", "a\\",
         "NOT", "AND OR NOT", '"unbalanced phrase', "title:(a OR", "\x00", "\x1b[2J",
         "\ud800", "x" * 100_000, "(" * 5000 + "a", "year:99999999999999999999",
         "paper^99999999999999999999", '"a b"~999999999999', "[a TO b]", "title:{a TO}"]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    root = tmp_path_factory.mktemp("queries")
    dump = root / "corpus.jsonl"
    ids = write_corpus(dump, 150)
    library = Library(root / "data")
    library.import_paths([dump])
    library.note(ids[0], "a note about graphs")
    yield library
    library.close()


def check_result(result, query: str, limit: int) -> None:
    assert result.query == query
    if result.error is not None:
        assert result.error.strip() and "\n" not in result.error, result.error
        assert result.total == 0 and result.hits == []
    else:
        assert result.total >= len(result.hits) and len(result.hits) <= limit
        for hit in result.hits:
            for start, end in hit.title.spans:
                assert 0 <= start <= end <= len(hit.title.text)


def search_quickly(lib: Library, query: str, sort: str, limit: int = 20):
    started = time.monotonic()
    result = lib.search(query, sort=sort, limit=limit)
    assert time.monotonic() - started < 5, query[:200]
    return result


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=queries, sort=st.sampled_from(SORTS))
@example(query='title:"graphs', sort="relevance")
@example(query="year:2024..2024 AND (graphs OR proteins)", sort="date")
def test_the_library_answers_any_query(lib, query, sort):
    result = search_quickly(lib, query, sort)
    check_result(result, query, 20)
    # counted as it is (no correction, no partial matches): what the search finds as typed
    exact = lib.search(query, sort=sort, limit=1, repair=False)
    assert lib.count(query) == exact.total
    assert result.total == exact.total or result.corrected or result.partial
    for field in ("title", "abstract"):  # the detail pane's highlighting, with the result's terms
        shown = lib.highlight("Graphs of proteins and robots", result.terms.get(field, []), field)
        assert all(0 <= a < b <= len(shown.text) for a, b in shown.spans), (field, shown)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=huge)
def test_huge_queries_get_a_clear_message_quickly(lib, query):
    result = search_quickly(lib, query, "relevance")
    check_result(result, query, 20)
    if len(query) > MAX_QUERY_CHARS:
        assert "too long" in result.error


@pytest.mark.parametrize("query", NASTY, ids=range(len(NASTY)))
def test_nasty_queries(lib, query):
    for sort in SORTS:
        check_result(search_quickly(lib, query, sort), query, 20)


def test_the_queries_of_the_readme_work(lib):
    for query in ("graphs", "title:graphs", "author:lovelace", "by:turing", "cat:cs.LG",
                  "year:2024", "year:2023..2025", "date:2024-05-01..2024-06-30",
                  "upvotes:>10", '"careful experiments"', "graph*", "grahps~2",
                  "graphs OR proteins", "graphs NOT proteins", "note:graphs",
                  "(graphs OR robots) AND year:2024"):
        result = lib.search(query)
        assert result.error is None, (query, result.error)
    assert lib.search("note:graphs").total == 1
    assert lib.search("grahps~2").total == lib.search("graphs").total > 0


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=queries | st.sampled_from(NASTY[:-3]), as_json=st.booleans())
def test_the_cli_answers_any_query_with_results_or_one_line(lib, query, as_json):
    """The real command (in this process): exit 0 with results, or 1 with one line."""
    if "\x00" in query or "\ud800" in query:  # not representable in a command line
        return
    args = ["--data-dir", str(lib.root), "search", query] + (["--json"] if as_json else [])
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    if result.exit_code == 0:
        if as_json:
            assert json.loads(result.stdout)["query"] == query
    else:
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("tui-reader: query "), result.stderr
    assert "Traceback" not in result.output


def test_the_real_cli_process_with_nasty_queries(lib, tmp_path):
    data = Path(lib.root)
    for query in ('"', "(((", "year:", "paper~2/99", "x" * 50_000, "\x1b[2J", "title:"):
        done = cli(data, "search", query)
        assert done.returncode in (0, 1), done.stderr
        assert b"Traceback" not in done.stderr
        if done.returncode == 1:
            assert done.stderr.count(b"\n") == 1 and done.stderr.startswith(b"tui-reader: ")
            assert b"\x1b" not in done.stderr
    saved = cli(data, "saved", "add", "broken", "year:abc")
    assert saved.returncode == 1 and b"take a number" in saved.stderr
