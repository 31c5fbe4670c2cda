"""`search --json` (and `export search --format json`) give each paper its sources and upvote
history as `show --json` does (they were `[]` for every result), read in one store query for
the page, not one per paper. Through the real command line on the bundled sample dumps."""

from __future__ import annotations

import json
from pathlib import Path

from tui_reader.store import Store

LEANDOJO = "a1d2a2960fc2"  # LeanDojo: seen in the three sample dumps
ALCHEMY = "e19c814985a2"   # Alchemy: Amplifying Theorem-Proving Capability...: in one


def where(paper: dict) -> list[tuple[str, int, str]]:
    return [(Path(s["path"]).name, s["position"], s["format"]) for s in paper["sources"]]


def test_search_json_carries_the_sources_as_show_does(cli, samples):
    doc = json.loads(cli("search", "LeanDojo", "--json").stdout)
    assert [r["id"] for r in doc["results"]] == [LEANDOJO, ALCHEMY]
    leandojo, alchemy = doc["results"]
    assert where(leandojo) == [("000_22fef89dacfdd73b.txt", 37, "text"),
                               ("002_3558552d1792b2fb.txt", 13, "text"),
                               ("003_94c168d4f8ce26e7.txt", 43, "text")]
    assert where(alchemy) == [("002_3558552d1792b2fb.txt", 16, "text")]
    for result in doc["results"]:
        shown = json.loads(cli("show", result["id"], "--json").stdout)
        assert result["sources"] == shown["sources"]
        assert result["upvote_history"] == shown["upvote_history"]
        assert {k: v for k, v in result.items() if k != "score"} == shown


def test_every_result_has_its_sources_from_one_query(cli, samples, monkeypatch):
    asked: list[list[str]] = []
    original = Store.sources_of

    def sources_of(self, ids):
        asked.append(list(ids))
        return original(self, ids)

    monkeypatch.setattr(Store, "sources_of", sources_of)
    doc = json.loads(cli("search", "theorem proving", "--json").stdout)
    assert doc["total"] == len(doc["results"]) == 16
    assert all(r["sources"] for r in doc["results"])
    assert sorted(len(r["sources"]) for r in doc["results"]) == [1] * 15 + [3]
    assert [sorted(ids) for ids in asked] == [sorted(r["id"] for r in doc["results"])]
    asked.clear()
    cli("search", "theorem proving")  # the text output shows no sources: no query for them
    assert asked == []


def test_export_json_of_a_search_carries_the_sources(cli, samples):
    doc = json.loads(cli("export", "search", "LeanDojo", "--format", "json").stdout)
    assert [where(p) for p in doc["papers"]][1] == [("002_3558552d1792b2fb.txt", 16, "text")]
    assert len(doc["papers"][0]["sources"]) == 3
