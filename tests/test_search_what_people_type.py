"""Search finds what people type (README, "Searching"): pasted titles, stop words, colons,
apostrophes, accents, hyphens, typos, partial matches and the word being typed, on the
bundled sample dumps and through the real command line."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import SAMPLE_DUMPS, write_jsonl
from tui_reader.library import Library
from tui_reader.models import paper_id

LEANDOJO = "LeanDojo: Theorem Proving with Retrieval-Augmented Language Models"
WORKFLOW = paper_id('Workflow is All You Need: Escaping the "Statistical Smoothing Trap" via'
                    ' High-Entropy Information Foraging and Adversarial Pacing')


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    library = Library(root / "data")
    assert library.import_paths([SAMPLE_DUMPS]).new == 146
    extra = write_jsonl(root / "extra.jsonl", [
        {"id": "2411.15124", "title": "TÜLU 3: Pushing Frontiers in Open Language Model"
         " Post-Training", "abstract": "Open post-training recipes for instruction following.",
         "authors": ["Nathan Lambert", "Jacob Morrison"], "categories": ["cs.CL"]},
        {"id": "2510.00001", "title": "Why Can't Transformers Learn Multiplication?",
         "abstract": "Reverse-engineering long multiplication in a small model.",
         "authors": ["Xiaoyan Bai"], "categories": ["cs.LG"]},
        {"id": "2510.00002", "title": "dLLM: Simple Diffusion Language Modeling",
         "abstract": "A library for diffusion language models.", "authors": ["Zhou Ren"],
         "categories": ["cs.CL"]}])
    assert library.import_paths([extra]).new == 3
    yield library
    library.close()


def first(lib: Library, query: str, **kw) -> str | None:
    result = lib.search(query, **kw)
    assert result.error is None, result.error
    return result.hits[0].paper.title if result.hits else None


@pytest.mark.parametrize("query", [
    LEANDOJO,                                            # pasted, colon and all
    LEANDOJO.lower().replace(":", "").replace("-", " "),  # typed
    "theorem proving with retrieval",                    # stop words in it
    "Theorem Proving with Retrieval-Augmented",          # half a title
])
def test_the_paper_whose_title_it_is_ranks_first(samples, query):
    assert first(samples, query) == LEANDOJO


def test_a_surname_ranks_the_papers_of_that_first_author_first(tmp_path):
    """"Smith learning" (a paper as it is cited: "Smith et al."): the paper Smith wrote
    first leads, although a short author list scores Smith higher in the other paper."""
    library = Library(tmp_path / "data")
    dump = write_jsonl(tmp_path / "names.jsonl", [
        {"id": "2501.00001", "title": "Learning to Rank Papers", "abstract": "Ranking.",
         "authors": ["Jane Smith", "Bo Li", "Chen Wu", "Ali Khan", "Eva Moss"],
         "categories": ["cs.IR"]},
        {"id": "2501.00002", "title": "Learning to Sort Papers", "abstract": "Sorting.",
         "authors": ["Bo Li", "Jane Smith"], "categories": ["cs.IR"]}])
    assert library.import_paths([dump]).new == 2
    try:
        assert first(library, "smith learning") == "Learning to Rank Papers"
        assert first(library, "li learning") == "Learning to Sort Papers"
    finally:
        library.close()


@pytest.mark.parametrize("query, title", [
    ("Workflow is All You Need", "Workflow is All You Need"),
    ("dLLM: Simple Diffusion Language Modeling", "dLLM: Simple Diffusion Language Modeling"),
    ("Why Can't Transformers Learn Multiplication?", "Why Can't Transformers Learn"),
    ("Tulu 3", "TÜLU 3"),                                  # accents fold
    ("tülu", "TÜLU 3"),
])
def test_punctuation_stop_words_and_accents_are_harmless(samples, query, title):
    assert first(samples, query).startswith(title)


def test_a_whole_word_with_a_star_finds_at_least_the_word(samples):
    # titles and abstracts hold stems ("reasoning" is "reason"): the prefix is cut to the stem
    assert samples.search("reasoning*").total == samples.search("reasoning").total == 53
    assert samples.search("models*").total >= samples.search("models").total > 100
    assert samples.search("benchmarking*").total == 49
    assert 0 < samples.search("title:reasoning*").total <= 53


def test_stop_words_never_empty_a_result(samples):
    assert samples.search("the theorem").total == samples.search("theorem").total == 19
    assert first(samples, "the theorem") is not None
    only_stops = samples.search("the of and")  # searched as written in titles
    assert only_stops.error is None and only_stops.total > 0


def test_a_word_with_a_colon_that_is_no_field_is_text(samples):
    result = samples.search("LeanDojo: theorem")
    assert result.error is None and result.hits[0].paper.title == LEANDOJO
    assert samples.search("author:nosuchname").total == 0  # a real field stays a field


def test_hyphenated_words_match_their_parts(samples):
    ids = {h.paper.id for h in samples.search("semi-supervised").hits}
    assert ids and ids == {h.paper.id for h in samples.search("semi supervised").hits}


def test_minus_word_means_without(samples):
    every = samples.search("reasoning").total
    without = samples.search("reasoning -math")
    assert 0 < without.total < every
    assert all(not re.search(r"\bmath\b", h.paper.title, re.I) for h in without.hits)
    assert without.total == samples.search("reasoning NOT math").total


def test_a_typo_is_corrected_with_the_candidate_that_finds_most(samples):
    result = samples.search("theorm proving")
    assert result.corrected == "theorem proving"
    assert result.total == samples.search("theorem proving").total == 16
    assert [h.paper.id for h in result.hits] == [h.paper.id for h in
                                                  samples.search("theorem proving").hits]
    assert samples.search("theorm proving", repair=False).total == 0


def test_a_swap_of_two_letters_is_one_edit(samples):
    assert samples.search("protien~").total == samples.search("protein").total == 1
    assert samples.search("protien").corrected == "protein"


def test_a_fuzzy_word_finds_the_stem_of_the_word_it_mistypes(samples):
    # "provign" is one swap from "proving" but three edits from its stem, "prove": the fuzzy
    # word looks among the title words as written and searches their stems.
    assert samples.search("provign~").total == samples.search("proving").total == 28
    found = {h.paper.id for h in samples.search("theorme~ provign~", limit=100).hits}
    assert found >= {h.paper.id for h in samples.search("theorem proving", limit=100).hits}
    assert samples.search("langauge~ modles~").total == samples.search("language models").total


def test_partial_matches_are_labelled(samples):
    result = samples.search("theorem proving zqxwvj")
    assert result.corrected is None and (result.partial, result.partial_of) == (2, 3)
    assert result.total == 16 and LEANDOJO in [h.paper.title for h in result.hits]
    assert samples.search("zqxwvj").total == 0  # nothing to fall back on: no results


def test_the_word_being_typed_is_a_prefix_and_results_narrow(samples):
    counts = [samples.search("transformer"[:n], typing=True).total for n in range(1, 12)]
    assert counts == [149, 149, 102, 36, 36, 27, 16, 16, 16, 16, 16]
    assert all(a >= b for a, b in zip(counts, counts[1:]))
    typed = samples.search("theorem pro", typing=True)
    assert typed.corrected is None and LEANDOJO in [h.paper.title for h in typed.hits]
    finished = samples.search("theorem pro")  # not being typed: "pro" is a word, not found
    assert (finished.partial, finished.partial_of) == (1, 2)


@pytest.mark.parametrize("word", ["factuality", "correction", "generation", "evaluation",
                                  "alignment", "reasoning"])
def test_every_start_of_a_word_finds_the_papers_of_the_word(samples, word):
    """Past its stem too: "factuali" starts "factuality", indexed as "factual", a term no
    prefix "factuali*" finds (in titles: the stems of title words starting with it; in
    abstracts only, as here: of the word with a common ending)."""
    complete = {h.paper.id for h in samples.search(word, limit=200).hits}
    assert complete
    for n in range(3, len(word) + 1):
        typed = {h.paper.id for h in samples.search(word[:n], typing=True, limit=200).hits}
        assert complete <= typed, word[:n]


def test_a_start_past_its_stem_finds_the_stems_of_the_title_words_it_starts(tmp_path):
    """Not the stems of every word it might become with an ending: "model" might become
    "modely", whose stem is "mode"; no title word starting with "model" has that stem."""
    library = Library(tmp_path / "data")
    library.import_paths([write_jsonl(tmp_path / "papers.jsonl", [
        {"id": "2501.00001", "title": "Factuality of Model Answers", "abstract": "Checks.",
         "authors": ["A. Author"], "categories": ["cs.CL"]},
        {"id": "2501.00002", "title": "A Mode of Transport", "abstract": "Trains.",
         "authors": ["B. Author"], "categories": ["cs.RO"]}])])
    found = {h.paper.title for h in library.search("factuali", typing=True).hits}
    assert found == {"Factuality of Model Answers"}
    found = {h.paper.title for h in library.search("model", typing=True).hits}
    assert found == {"Factuality of Model Answers"}
    library.close()


@pytest.mark.parametrize("typed", ["tas", "bas", "dis"])
def test_three_typed_letters_stand_for_the_words_that_start_with_them(samples, typed):
    """Not for the words of the start's stem ("tas" is stemmed "ta": target, table, take)."""
    result = samples.search(typed, typing=True, limit=200)
    assert result.total > 0
    for hit in result.hits:
        text = " ".join([hit.paper.readable_title, hit.paper.readable_abstract,
                         *hit.paper.authors]).lower()
        assert re.search(rf"\b{typed}", text), (typed, hit.paper.title)


def test_the_query_language_still_works(samples):
    assert samples.search('"theorem proving"').total == 13
    assert samples.search("theor*").total >= 17
    assert samples.search("title:leandojo").total == 1
    assert samples.search("(leandojo OR leanagent) AND theorem").total == 3
    assert samples.search("year:2023..2025 theorem").total > 0


def test_the_command_line_says_what_happened(samples, tmp_path):
    from click.testing import CliRunner

    from tui_reader.cli import main
    data = str(samples.root)
    run = CliRunner().invoke
    corrected = run(main, ["--data-dir", data, "search", "theorm proving", "--json"])
    doc = json.loads(corrected.stdout)
    assert doc["corrected"] == "theorem proving" and doc["partial"] is False
    assert doc["total"] == 16
    partial = run(main, ["--data-dir", data, "search", "theorem proving zqxwvj", "--json"])
    assert json.loads(partial.stdout)["partial"] is True
    text = run(main, ["--data-dir", data, "search", "theorm proving"])
    assert "showing results for 'theorem proving'" in text.stdout


def test_a_query_starting_with_a_minus_and_a_closed_pipe(samples):
    """`search -x` is a query, not an unknown option; output into a closed pipe ends
    quietly (the real command, its stdout read by `head -1`)."""
    import subprocess
    import sys
    data = str(samples.root)
    run = [sys.executable, "-m", "tui_reader", "--data-dir", data, "search"]
    minus = subprocess.run(run + ["-theorem reasoning", "--limit", "1"], capture_output=True,
                           text=True)
    assert minus.returncode == 0 and minus.stderr == ""
    assert minus.stdout.startswith(f"{samples.search('-theorem reasoning').total} papers match")
    # --json of every paper: far more than a pipe holds, so the writer meets the closed end
    piped = subprocess.run(f"set -o pipefail; {' '.join(run)} '' --limit 100000 --json"
                           " | head -c 1", shell=True, capture_output=True, text=True,
                           executable="/bin/bash")
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, "{", "")
