"""A big import's segments (issue 15): a paper met twice between two commits of the writer
processes is rewritten after the next commit, not committed early (each early commit left two
small segments, and small segments made the import end with a merge)."""

from __future__ import annotations

import json

from tests.conftest import write_jsonl
from tui_reader import importing as importing_module
from tui_reader.index import merging
from tui_reader.library import Library


def _import_a_paper_twice(cli, tmp_path, monkeypatch, first_commit: int, others: int):
    """Import, through the writer processes, a dump where a paper comes back with a new
    abstract after two others, then `others` - 2 more papers; its id and a search's ids."""
    monkeypatch.setattr(importing_module, "PARALLEL_BYTES", 0)  # the writer processes
    monkeypatch.setattr(importing_module, "BATCH", 2)  # the second listing in a later batch
    monkeypatch.setattr(importing_module, "FIRST_COMMIT", first_commit)
    monkeypatch.setattr(merging, "MERGE_FACTOR", 1 << 30)  # the import's segments as left
    first = {"id": "2401.00001", "title": "Sparse Attention for Long Documents",
             "abstract": "We study sparse attention."}
    rest = [{"id": f"2401.0001{n}", "title": f"Graph Networks Part {n}",
             "abstract": f"Message passing, part {n}."} for n in range(others)]
    again = dict(first, abstract="We study sparse attention on zeolite catalysts.")
    dump = write_jsonl(tmp_path / "twice.jsonl", [first, *rest[:2], again, *rest[2:]])
    assert cli("import", dump).exit_code == 0

    def found(query: str) -> list[str]:
        return [r["id"] for r in json.loads(cli("search", query, "--json").stdout)["results"]]

    return json.loads(cli("show", "2401.00001", "--json").stdout)["id"], found


def _segments(data_dir) -> int:
    library = Library(data_dir)
    try:
        return library.index.segment_count()
    finally:
        library.close()


def test_a_paper_met_twice_in_one_span_is_found_once_in_its_last_version(
        cli, data_dir, tmp_path, monkeypatch):
    paper, found = _import_a_paper_twice(cli, tmp_path, monkeypatch, 1000, 4)  # one commit
    assert found("zeolite") == [paper]  # the last version, written after the commit
    assert found("sparse attention") == [paper]  # once
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 5
    # the lead's and the helper's segments, and the paper's last version after them
    assert _segments(data_dir) == 3


def test_papers_met_twice_go_to_the_next_segment_not_to_one_of_their_own(
        cli, data_dir, tmp_path, monkeypatch):
    """A paper met again before a commit is written, in its last version, into the segment
    after it: a big import's commits leave no small segment each (a million papers had four,
    and every search looked terms up in each)."""
    paper, found = _import_a_paper_twice(cli, tmp_path, monkeypatch, 4, 7)  # a commit at 4
    assert found("zeolite") == [paper] and found("sparse attention") == [paper]
    assert len(found("message passing")) == 7
    assert json.loads(cli("stats", "--json").stdout)["papers"] == 8
    # two commits of the lead's and the helper's segments, nothing beside them
    assert _segments(data_dir) == 4
