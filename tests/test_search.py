"""The query language, ranking, sorting, highlights and suggestions, on a real index on disk."""

from __future__ import annotations

import pytest

from tui_reader.models import paper_id

DIFFUSION_PROTEIN = paper_id("Diffusion Models for Protein Design")
NO_ATTENTION = paper_id("Transformers Without Attention")
GNN = paper_id("Graph Neural Networks at Scale")
RLHF = paper_id("Reinforcement Learning from Human Feedback")


def ids(lib, query, **kw):
    result = lib.search(query, **kw)
    assert result.error is None, result.error
    return [h.paper.id for h in result.hits]


@pytest.mark.parametrize("query, expected", [
    ("diffusion", {DIFFUSION_PROTEIN, NO_ATTENTION}),
    ("diffusion protein", {DIFFUSION_PROTEIN}),            # all words must match
    ('"language models"', {NO_ATTENTION, RLHF}),            # phrase
    ('"models language"', set()),
    ("scal*", {GNN}),                                       # prefix
    ("protin~", {DIFFUSION_PROTEIN}),                       # fuzzy
    ("author:lovelace", {DIFFUSION_PROTEIN, RLHF}),
    ("author:hopper", {NO_ATTENTION}),                      # authors given as one string
    ("category:cs.DC", {GNN}),                              # categories as a list-like string
    ("category:cs.cl", {NO_ATTENTION, RLHF}),
    ("title:attention", {NO_ATTENTION}),
    ("abstract:attention", {NO_ATTENTION}),
    ("year:2024", {DIFFUSION_PROTEIN, NO_ATTENTION}),
    ("year:2023..2024", {DIFFUSION_PROTEIN, NO_ATTENTION, GNN}),
    ("year:[2025 TO 2030]", {RLHF}),
    ("date:2024-02-01..2024-12-31", {NO_ATTENTION}),
    ("models AND NOT diffusion", {RLHF}),
    ("diffusion OR graph", {DIFFUSION_PROTEIN, NO_ATTENTION, GNN}),
    ("(protein OR graph) AND scale", {GNN}),
    ("model NOT attention", {DIFFUSION_PROTEIN, RLHF}),
])
def test_query_language(corpus_lib, query, expected):
    assert set(ids(corpus_lib, query, limit=10)) == expected


def test_title_weighs_more_than_abstract(corpus_lib):
    # "diffusion" is in one title and in another abstract: the title match ranks first.
    assert ids(corpus_lib, "diffusion") == [DIFFUSION_PROTEIN, NO_ATTENTION]
    assert ids(corpus_lib, "attention")[0] == NO_ATTENTION


def test_sort_orders(corpus_lib):
    assert ids(corpus_lib, "model*", sort="date") == [RLHF, NO_ATTENTION, DIFFUSION_PROTEIN]
    assert ids(corpus_lib, "model*", sort="title") == [DIFFUSION_PROTEIN, RLHF, NO_ATTENTION]
    assert ids(corpus_lib, "", sort="date") == [RLHF, NO_ATTENTION, DIFFUSION_PROTEIN, GNN]


def test_upvote_ranges_and_sort(lib, tmp_path):
    import json
    hf = [{"paper": {"id": f"2406.0000{i}", "title": f"Paper number {word}",
                     "summary": "About retrieval.", "upvotes": votes,
                     "publishedAt": "2024-06-01T00:00:00.000Z", "authors": []}}
          for i, (word, votes) in enumerate([("one", 3), ("two", 40), ("three", 12)])]
    path = tmp_path / "hf.json"
    path.write_text(json.dumps(hf))
    assert lib.import_paths([path]).new == 3
    assert [h.paper.upvotes for h in lib.search("upvotes:>10", sort="upvotes").hits] == [40, 12]
    assert [h.paper.upvotes for h in lib.search("retrieval", sort="upvotes").hits] == [40, 12, 3]
    assert lib.search("upvotes:10..20").total == 1


def test_paging_and_total(corpus_lib):
    first = corpus_lib.search("model*", sort="date", limit=2)
    second = corpus_lib.search("model*", sort="date", offset=2, limit=2)
    assert first.total == second.total == 3
    assert [h.paper.id for h in first.hits + second.hits] == [RLHF, NO_ATTENTION, DIFFUSION_PROTEIN]


def test_highlights_are_data_spans(corpus_lib):
    hit = corpus_lib.search("protein design").hits[0]
    marked = [hit.title.text[a:b] for a, b in hit.title.spans]
    assert marked == ["Protein", "Design"]
    assert [hit.fragment.text[a:b] for a, b in hit.fragment.spans] == ["design", "proteins"]
    prefix_hit = corpus_lib.search("scal*").hits[0]
    assert [prefix_hit.title.text[a:b] for a, b in prefix_hit.title.spans] == ["Scale"]


def test_negated_terms_are_not_highlighted(corpus_lib):
    hit = corpus_lib.search("models NOT diffusion").hits[0]
    assert "diffusion" not in [hit.fragment.text[a:b].lower() for a, b in hit.fragment.spans]


def test_a_typo_is_corrected_and_labelled(corpus_lib):
    result = corpus_lib.search("difusion")
    assert result.corrected == "diffusion" and result.total == 2
    assert corpus_lib.search("diffusion").corrected is None
    assert corpus_lib.search("difusion", repair=False).total == 0


@pytest.mark.parametrize("query, message", [
    ("year:abc", "year, date and upvotes take a number"),
    ("upvotes:>many", "year, date and upvotes take a number"),
    ("protein~5", "fuzzy search allows at most 2 edits"),
    ("p*", "a wildcard needs at least 2 letters"),
])
def test_query_errors_are_one_clear_line(corpus_lib, query, message):
    result = corpus_lib.search(query)
    assert result.error and message in result.error and "\n" not in result.error
    assert result.hits == []


@pytest.mark.parametrize("query", [
    '"', '"unclosed phrase', "((", ")", "[", "]", "{", "AND", "OR NOT", "*", "~", "~~2",
    "title:", ":", "::::", "year:", "year:..", "year:[ TO ]", "a" * 5000, "🙂 émoji", "\x00\x1b[2J",
    "NOT NOT NOT", "author:(", "^2", "title:*", "a:b:c", '\\', "-", "+", "!", "?", "%",
])
def test_no_input_raises(corpus_lib, query):
    result = corpus_lib.search(query)
    assert result.error is None or "\n" not in result.error


def test_note_is_searchable(corpus_lib):
    corpus_lib.note(GNN, "Compare with the sampling trick from GraphSAGE")
    assert ids(corpus_lib, "note:graphsage") == [GNN]
    corpus_lib.note(GNN, "")
    assert ids(corpus_lib, "note:graphsage") == []


def test_similar_papers(corpus_lib):
    similar = [p.id for p in corpus_lib.similar(NO_ATTENTION)]
    assert NO_ATTENTION not in similar
    assert RLHF in similar  # shares "language models"
