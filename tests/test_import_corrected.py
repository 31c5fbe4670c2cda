"""A corrected title in a re-imported file updates its paper, with the user's data on it
(issue 10, item 6): by position in the same file, by arXiv id across files; a reordered or
changed file never merges different papers."""

from __future__ import annotations

import json

import pytest

from tests.conftest import write_jsonl
from tui_reader import importing as importing_module
from tui_reader.models import paper_id
from tui_reader.store.papers import similar_titles

TYPO = "Difusion Models for Protien Design"
FIXED = "Diffusion Models for Protein Design"
OTHERS = [{"title": "Graph Neural Networks at Scale", "abstract": "Message passing at scale."},
          {"title": "Reinforcement Learning from Human Feedback", "abstract": "Reward models."}]


def record(title: str, arxiv: str | None = None) -> dict:
    return {"title": title, "abstract": f"About {title.lower()}.", **({"id": arxiv} if arxiv else {})}


def shown(cli, ref: str) -> dict:
    return json.loads(cli("show", ref, "--json").stdout)


def annotate(cli, ref: str) -> None:
    assert cli("bookmark", ref).exit_code == 0
    assert cli("note", ref, "--set", "check the folding benchmark").exit_code == 0
    assert cli("tag", ref, "+proteins").exit_code == 0


def assert_moved(cli, old: str, new: str, title: str) -> None:
    """One paper under the new id and title, the bookmark, note and tag on it, the old id gone
    (from the index too: the next start finds nothing to rebuild)."""
    result = cli("show", new, "--json")
    assert result.stderr == ""
    paper = json.loads(result.stdout)
    assert (paper["title"], paper["bookmarked"], paper["note"]) == (
        title, True, "check the folding benchmark")
    unknown = cli("show", old)
    assert unknown.exit_code != 0 and f"no paper with the id '{old}'" in unknown.stderr
    assert [b["id"] for b in json.loads(cli("bookmarks", "--json").stdout)["bookmarks"]] == [new]
    assert [n["title"] for n in json.loads(cli("notes", "--json").stdout)["notes"]] == [title]
    found = json.loads(cli("search", "protein design", "--json").stdout)
    assert (found["total"], [r["id"] for r in found["results"]]) == (1, [new])
    assert [r["id"] for r in json.loads(cli("search", "note:folding", "--json").stdout)
            ["results"]] == [new]
    assert paper["tags"] == ["proteins"]
    assert [r["id"] for r in json.loads(cli("search", "tag:proteins", "--json").stdout)
            ["results"]] == [new]


@pytest.fixture(params=["one writer", "writer processes"])
def writers(request, monkeypatch) -> None:
    """Index with the import's one writer, or (as a big import does) in two processes."""
    if request.param == "writer processes":
        monkeypatch.setattr(importing_module, "PARALLEL_BYTES", 0)


def test_a_title_corrected_at_the_same_position_updates_the_paper(cli, tmp_path, writers):
    dump = write_jsonl(tmp_path / "day.jsonl", [OTHERS[0], record(TYPO), OTHERS[1]])
    assert cli("import", dump).exit_code == 0
    old, new = paper_id(TYPO), paper_id(FIXED)
    annotate(cli, old)
    write_jsonl(dump, [OTHERS[0], record(FIXED), OTHERS[1]])
    again = cli("import", dump)
    assert again.stdout.strip() == "3 papers from 1 file: 0 new, 1 updated; 0 files failed"
    assert_moved(cli, old, new, FIXED)
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 3
    assert shown(cli, new)["sources"] == [
        {"path": str(dump.resolve()), "position": 1, "format": "arxiv-jsonl",
         "captured": None, "upvotes": None}]  # (arXiv metadata is no capture of a page)
    assert cli("reindex").exit_code == 0  # the index agrees with the store
    assert json.loads(cli("search", "protien", "--json", "--exact").stdout)["total"] == 0


def test_a_title_corrected_under_the_same_arxiv_id_in_another_file(cli, tmp_path, writers):
    first = write_jsonl(tmp_path / "a.jsonl", [record(TYPO, "2401.00001"), OTHERS[0]])
    assert cli("import", first).exit_code == 0
    old, new = paper_id(TYPO), paper_id(FIXED)
    annotate(cli, "2401.00001")
    second = write_jsonl(tmp_path / "b.jsonl", [OTHERS[1], record(FIXED, "2401.00001")])
    result = cli("import", second)
    assert result.stdout.strip() == "2 papers from 1 file: 1 new, 1 updated; 0 files failed"
    assert_moved(cli, old, new, FIXED)
    assert [s["path"] for s in shown(cli, "2401.00001")["sources"]] == [
        str(first.resolve()), str(second.resolve())]
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 3


def test_a_reordered_file_does_not_merge_different_papers(cli, tmp_path):
    titles = ["Scaling Laws for Neural Language Models", "Scaling Laws for Transfer",
              "Protein Folding with Attention"]
    dump = write_jsonl(tmp_path / "day.jsonl", [record(t) for t in titles])
    cli("import", dump)
    annotate(cli, paper_id(titles[0]))
    # reordered, and a new paper of the same topic where the first one was, which moved down
    new_one = "Scaling Laws for Neural Machine Translation"
    write_jsonl(dump, [record(t) for t in [new_one, titles[1], titles[2], titles[0]]])
    result = cli("import", dump)
    assert result.stdout.strip() == "4 papers from 1 file: 1 new, 0 updated; 0 files failed"
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 4
    assert shown(cli, paper_id(titles[0]))["bookmarked"] is True
    assert shown(cli, paper_id(new_one))["bookmarked"] is False
    # a paper that left the file for a paper of a different title stays a paper of its own
    write_jsonl(dump, [record(t) for t in [new_one, titles[1], titles[2], "Unrelated Work"]])
    result = cli("import", dump)
    assert result.stdout.strip() == "4 papers from 1 file: 1 new, 0 updated; 0 files failed"
    assert shown(cli, paper_id(titles[0]))["bookmarked"] is True


def test_two_listings_of_one_arxiv_id_in_a_file_stay_one_paper(cli, tmp_path):
    dump = write_jsonl(tmp_path / "twice.jsonl", [record(TYPO, "2401.00001")])
    cli("import", dump)
    write_jsonl(dump, [record(TYPO, "2401.00001"), record(FIXED, "2401.00001")])
    cli("import", dump)  # the stored paper is in the file too: no replacement, one paper
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 1
    assert shown(cli, "2401.00001")["title"] == TYPO


@pytest.mark.parametrize(("a", "b", "alike"), [
    (TYPO, FIXED, True),
    ("Attention Is All You Need", "Attention Is All You Need: Transformers for Translation", True),
    ("Scaling Laws for Neural Language Models", "Scaling Laws for Transfer", False),
    ("Scaling Laws for Neural Language Models", "Scaling Laws for Neural Machine Translation",
     False),
    ("Graph Neural Networks at Scale", "Protein Folding with Attention", False),
])
def test_similar_titles(a, b, alike):
    assert similar_titles(a, b) is alike
