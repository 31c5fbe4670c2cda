"""Facets: counts of a search's papers by year, organisation, category and tag, from the
index (a query) and from the store (a view), on the bundled samples and the hand-made corpus;
`tui-reader search QUERY --facets [--json]`."""

from __future__ import annotations

import json

from tests.test_cli_tags import GDRO, TFG
from tui_reader.models import FACETS, facet_filter


def facets_of(cli, query: str) -> dict:
    result = cli("search", query, "--facets", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["facets"]


def test_search_facets_json_on_the_samples(cli, samples):
    cli("tag", TFG, GDRO, "+diffusion")
    cli("tag", GDRO, "+rl")
    assert facets_of(cli, "*") == {
        "year": [[2025, 26], [2024, 9], [2023, 8], [2026, 6], [2019, 2], [2022, 2], [2020, 1],
                 [2021, 1]],
        "org": [["Salesforce Salesforce", 1], ["facebook AI at Meta", 1]],
        "category": [],
        "tag": [["diffusion", 2], ["rl", 1]]}
    assert facets_of(cli, "reasoning") == {
        "year": [[2025, 12], [2026, 5], [2024, 2]], "org": [["facebook AI at Meta", 1]],
        "category": [], "tag": []}
    assert facets_of(cli, "diffusion") == {
        "year": [[2024, 1], [2026, 1]], "org": [], "category": [],
        "tag": [["diffusion", 2], ["rl", 1]]}
    assert facets_of(cli, "tag:rl") == {"year": [[2026, 1]], "org": [], "category": [],
                                        "tag": [["diffusion", 1], ["rl", 1]]}
    text = cli("search", "tag:rl", "--facets").stdout
    assert text.endswith("\n     year: 2026 (1)\n      org: -\n category: -\n"
                         "      tag: diffusion (1) · rl (1)\n")
    bad = cli("search", "year:soon", "--facets", "--json")
    assert bad.exit_code == 1 and "take a number" in bad.stderr


def test_a_views_facets_are_those_of_its_papers(corpus_lib):
    """With no query, the papers of the view shown are counted (their ids from the store)."""
    ids = [p.id for p in corpus_lib.browse(limit=4)[1]]
    corpus_lib.tag(ids[:3], ["a"])
    corpus_lib.tag(ids[1:2], ["b", "c"])
    every = {"year": [(2024, 2), (2023, 1), (2025, 1)], "org": [],
             "category": [("cs.LG", 3), ("cs.CL", 2), ("cs.DC", 1), ("q-bio.BM", 1)],
             "tag": [("a", 3), ("b", 1), ("c", 1)]}
    for found in (corpus_lib.facets(""), corpus_lib.facets("*"),
                  corpus_lib.facets("", view="unread")):
        assert (found.total, found.counts) == (4, every)
    corpus_lib.bookmark(ids[1])
    corpus_lib.bookmark(ids[3])
    marked = corpus_lib.facets("", view="bookmarks")
    assert marked.total == 2 and marked.counts == corpus_lib.facets(
        f"id:{ids[1]} OR id:{ids[3]}").counts == {
        "year": [(2023, 1), (2024, 1)], "org": [],
        "category": [("cs.LG", 2), ("cs.CL", 1), ("cs.DC", 1)],
        "tag": [("a", 1), ("b", 1), ("c", 1)]}
    assert corpus_lib.facets("", view="notes").counts == {
        "year": [], "org": [], "category": [], "tag": []}


def test_each_value_s_filter_finds_its_count(cli, samples, data_dir):
    """Choosing a value adds its filter: the search then finds as many papers as it counted."""
    from tui_reader.library import Library

    cli("tag", TFG, GDRO, "+diffusion")
    lib = Library(data_dir)
    try:
        for query in ("reasoning", "*", "model*"):
            found = lib.facets(query)
            assert set(found.counts) == set(FACETS)
            for facet, values in found.counts.items():
                for value, count in values:
                    narrowed = f"{query} {facet_filter(facet, value)}"
                    assert lib.count(narrowed) == count, narrowed
    finally:
        lib.close()


def test_facets_follow_a_corrected_search(corpus_lib):
    assert corpus_lib.facets("grpah").counts == corpus_lib.facets("graph").counts == {
        "year": [(2023, 1)], "org": [], "category": [("cs.DC", 1), ("cs.LG", 1)], "tag": []}
    assert corpus_lib.facets("grpah", repair=False).total == 0


def test_facets_without_the_fast_paths_are_the_same(corpus_lib, data_dir, monkeypatch):
    from tui_reader.index import whoosh_internals
    from tui_reader.library import Library

    expected = {q: corpus_lib.facets(q) for q in ("models", "*", "models -year:2024")}
    monkeypatch.setattr(whoosh_internals, "SUPPORTED", False)  # columns read as Whoosh does
    plain = Library(data_dir)
    try:
        monkeypatch.setattr(plain.index, "fast_search", False)  # plain Whoosh finds them
        for q, found in expected.items():
            assert plain.facets(q) == found, q
    finally:
        plain.close()


def test_the_for_you_views_facets_are_those_of_its_ranked_papers(corpus_lib, monkeypatch):
    from tui_reader.index import recommend
    assert corpus_lib.facets("", view="foryou").total == 0  # nothing bookmarked yet
    corpus_lib.bookmark(corpus_lib.browse(limit=1)[1][0].id)
    total, papers = corpus_lib.browse("foryou", limit=10)

    def no_reasons(*args):
        raise AssertionError("the facets need the ranking, not each row's reason")

    monkeypatch.setattr(recommend, "reason", no_reasons)
    found = corpus_lib.facets("", view="foryou")
    assert found.total == total == 2
    assert found.counts == corpus_lib.facets(" OR ".join(f"id:{p.id}" for p in papers)).counts


def test_facet_values_are_kept_beside_each_segment(corpus_lib, data_dir, monkeypatch):
    """An import keeps each segment's facet values in a file beside it; a reader's warm-up
    reads those, not the columns (5.5 s at a million papers); a damaged file is the column
    read again, and written anew."""
    from tui_reader.index import facets
    from tui_reader.library import Library
    files = sorted((data_dir / "index").glob("*" + facets.EXT))
    assert files and len(files) == corpus_lib.index.segment_count()
    expected = corpus_lib.facets("*")
    assert expected.total == 4
    reads = []
    real = facets._read_segment
    monkeypatch.setattr(facets, "_read_segment", lambda reader: reads.append(1) or real(reader))
    for damage in (False, True):
        if damage:
            files[0].write_bytes(files[0].read_bytes()[:-40] + bytes(40))
        other = Library(data_dir)  # another process's reader
        other.warm_up()  # (the reader calls it in the background at start)
        assert len(reads) == damage
        assert other.facets("*") == expected
        assert len(reads) == damage  # the first count read nothing more
        other.close()
    assert facets._load(str(files[0])) is not None  # written anew
