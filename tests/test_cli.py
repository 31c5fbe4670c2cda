"""The command line as README describes it, through click's runner and a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import CORPUS, FIXTURES, SAMPLE_DUMPS, write_jsonl
from tui_reader.models import paper_id

GNN = paper_id("Graph Neural Networks at Scale")
PAPER_FIELDS = {"id", "title", "abstract", "authors", "authors_count", "organization",
                "published", "upvotes", "arxiv_id", "url", "categories", "sources",
                "bookmarked", "note"}


def test_import_summary_and_exit_codes(cli, tmp_path, corpus_file):
    result = cli("import", corpus_file)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{len(CORPUS)} papers from 1 file: {len(CORPUS)} new, 0 updated; 0 files failed"
    again = cli("import", corpus_file)
    assert again.exit_code == 0 and "0 new, 0 updated" in again.stdout and "1 unchanged" in again.stdout
    bad = tmp_path / "notes.txt"
    bad.write_text("just a shopping list\n")
    partial = cli("import", bad, SAMPLE_DUMPS)
    assert partial.exit_code == 1
    assert f"failed: {bad}: not a recognised dump" in partial.stderr
    assert "4 files: " in partial.stdout and "1 file failed" in partial.stdout
    assert "Traceback" not in partial.output
    assert cli("import").exit_code == 2  # bad usage
    assert cli("import", "--year", "abc", corpus_file).exit_code == 2


def test_search_json(cli, corpus_file):
    cli("import", corpus_file)
    result = cli("search", "model*", "--sort", "date", "--limit", "2", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["query"] == "model*" and data["total"] == 3
    assert len(data["results"]) == 2
    assert PAPER_FIELDS | {"score"} <= set(data["results"][0])
    assert [r["published"] for r in data["results"]] == ["2025-05-20", "2024-02-10"]


def test_search_text_and_errors(cli, corpus_file):
    cli("import", corpus_file)
    text = cli("search", "graph")
    assert text.exit_code == 0 and "1 paper matches 'graph'" in text.stdout
    assert GNN in text.stdout and "Graph Neural Networks at Scale" in text.stdout
    typo = cli("search", "grahp")
    assert typo.exit_code == 0 and "showing results for 'graph'" in typo.stdout
    assert "Graph Neural Networks at Scale" in typo.stdout
    exact = cli("search", "grahp", "--exact")
    assert exact.exit_code == 0 and exact.stdout == "No papers match 'grahp'\n"
    as_text = cli("search", "foo:graph")  # not a field: two words, partly found
    assert as_text.exit_code == 0 and "showing papers with 1 of the 2" in as_text.stdout
    bad = cli("search", "year:soon")
    assert bad.exit_code == 1
    assert bad.stderr.count("\n") == 1 and "take a number" in bad.stderr
    assert cli("search", "x", "--sort", "nonsense").exit_code == 2


def test_show_stats_and_user_data_commands(cli, corpus_file):
    cli("import", corpus_file)
    assert cli("bookmark", GNN[:6], "2401.00001").exit_code == 0
    assert cli("note", GNN, "--set", "Good baseline.\nSecond line").exit_code == 0
    assert cli("saved", "add", "graphs", "graph", "--sort", "date").exit_code == 0
    shown = json.loads(cli("show", GNN, "--json").stdout)
    assert PAPER_FIELDS <= set(shown)
    assert shown["bookmarked"] is True and shown["note"] == "Good baseline.\nSecond line"
    assert shown["categories"] == ["cs.LG", "cs.DC"] and shown["arxiv_id"] == "2303.00003"
    assert json.loads(cli("stats", "--json").stdout) == {
        "papers": 4, "sources": 1, "bookmarks": 2, "notes": 1, "saved_searches": 1, "read": 0,
        "fast_paths": True}
    marks = json.loads(cli("bookmarks", "--json").stdout)["bookmarks"]
    assert {m["id"] for m in marks} == {GNN, paper_id(CORPUS[0]["title"])}
    notes = json.loads(cli("notes", "--json").stdout)["notes"]
    assert [(n["id"], n["note"]) for n in notes] == [(GNN, "Good baseline.\nSecond line")]
    saved = json.loads(cli("saved", "--json").stdout)["saved"]
    assert [(s["name"], s["query"], s["sort"], s["count"]) for s in saved] == [
        ("graphs", "graph", "date", 1)]
    assert "Good baseline." in cli("show", GNN).stdout
    assert cli("unbookmark", GNN).exit_code == 0
    assert json.loads(cli("stats", "--json").stdout)["bookmarks"] == 1
    assert cli("saved", "rm", "graphs").exit_code == 0
    missing = cli("saved", "rm", "graphs")
    assert missing.exit_code == 1 and "no saved search named 'graphs'" in missing.stderr
    unknown = cli("show", "ffffffffffff")
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "tui-reader: no paper with the id 'ffffffffffff'"


def test_export_formats(cli, corpus_file, tmp_path):
    cli("import", corpus_file)
    cli("bookmark", GNN)
    cli("note", GNN, "--set", "50% faster & {better}")
    md = cli("export", "bookmarks", "--format", "markdown").stdout
    assert "## [Graph Neural Networks at Scale](https://arxiv.org/abs/2303.00003)" in md
    assert "> 50% faster & {better}" in md
    data = json.loads(cli("export", "notes", "--format", "json").stdout)
    assert [p["id"] for p in data["papers"]] == [GNN]
    bib = cli("export", "search", "lovelace", "--format", "bibtex").stdout
    assert bib.count("@misc{") == 2
    assert "eprint = {2401.00001}" in bib and "author = {Ada Lovelace and Alan Turing}" in bib
    out = tmp_path / "b.bib"
    assert cli("export", "bookmarks", "--format", "bibtex", "-o", out).exit_code == 0
    assert "note = {50{\\%} faster {\\&} {\\{}better{\\}}}" in out.read_text()
    assert cli("export", "search").exit_code == 2


def test_reindex_keeps_results(cli, corpus_file):
    cli("import", corpus_file)
    before = json.loads(cli("search", "model*", "--json").stdout)
    result = cli("reindex")
    assert result.exit_code == 0 and result.stdout.strip() == "indexed 4 papers"
    after = json.loads(cli("search", "model*", "--json").stdout)
    assert [r["id"] for r in after["results"]] == [r["id"] for r in before["results"]]


def test_markup_and_escapes_reach_the_terminal_as_plain_text(cli, tmp_path):
    dump = write_jsonl(tmp_path / "evil.jsonl", [{
        "id": "2401.99999", "title": "[bold]x[/bold] \x1b[2J\x1b]52;c;aGk=\x07 title\x9b",
        "abstract": "[link=http://evil]click[/link] \x1b[31mred", "authors": [], "categories": []}])
    cli("import", dump)
    out = cli("search", "title").stdout
    assert "[bold]x[/bold]" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b")
    shown = cli("show", "2401.99999").stdout
    assert "[link=http://evil]click[/link]" in shown and "\x1b" not in shown


def test_module_entry_point_and_env_data_dir(tmp_path, corpus_file):
    env = {**os.environ, "TUI_READER_DATA_DIR": str(tmp_path / "envdata")}
    run = subprocess.run([sys.executable, "-m", "tui_reader", "import", str(corpus_file)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "envdata" / "library.sqlite3").exists()
    assert oct((tmp_path / "envdata").stat().st_mode & 0o777) == "0o700"
    stats = subprocess.run([sys.executable, "-m", "tui_reader", "stats", "--json"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert json.loads(stats.stdout)["papers"] == len(CORPUS)


def test_every_fixture_format_imports(cli):
    result = cli("import", FIXTURES / "hf_api", FIXTURES / "html", FIXTURES / "markdown",
                 FIXTURES / "arxiv_100.jsonl", FIXTURES / "arxiv_100.jsonl.gz")
    assert result.exit_code == 0, result.stderr
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats["sources"] == 9  # 5 JSON (2 of repr strings), 1 HTML, 1 Markdown, JSONL plain and gzip


def test_one_of_a_kind_is_said_in_the_singular(cli, tmp_path):
    one = write_jsonl(tmp_path / "one.jsonl", CORPUS[:1])
    assert cli("import", one).stdout.strip() == (
        "1 paper from 1 file: 1 new, 0 updated; 0 files failed")
    assert cli("saved", "add", "proteins", "protein").stdout.strip() == "saved 'proteins': 1 paper"
    assert cli("search", "protein").stdout.splitlines()[0].startswith("1 paper matches")
    out = tmp_path / "one.md"
    result = cli("export", "search", "protein", "--format", "markdown", "-o", out)
    assert result.stderr.strip() == f"wrote 1 paper to {out}"
    assert cli("reindex").stdout.strip() == "indexed 1 paper"
    assert cli("check").stdout.startswith("OK: 1 paper in the library and 1 in the search index")


def test_saved_add_replaces_a_saved_search_only_with_force(cli, corpus_file):
    cli("import", corpus_file)
    assert cli("saved", "add", "graphs", "graph").exit_code == 0
    again = cli("saved", "add", "graphs", "diffusion", "--sort", "date")
    assert again.exit_code == 1 and again.stdout == ""
    assert again.stderr == "tui-reader: a saved search named 'graphs' exists; --force replaces it\n"
    saved = json.loads(cli("saved", "--json").stdout)["saved"]
    assert [(s["name"], s["query"], s["sort"]) for s in saved] == [("graphs", "graph", "relevance")]
    assert cli("saved", "add", "graphs", "diffusion", "--sort", "date", "--force").exit_code == 0
    saved = json.loads(cli("saved", "--json").stdout)["saved"]
    assert [(s["name"], s["query"], s["sort"]) for s in saved] == [("graphs", "diffusion", "date")]


def test_reindex_of_an_index_of_an_older_format_rebuilds_it_once(cli, data_dir):
    assert cli("import", str(SAMPLE_DUMPS)).exit_code == 0
    (data_dir / "index" / "FORMAT").write_text("0")  # as an older version left it
    result = cli("reindex")
    assert result.exit_code == 0 and result.stdout.strip() == "indexed 146 papers"
    assert "updating the search index" not in result.stderr  # not rebuilt at start as well
    again = cli("search", "reasoning", "--json")
    assert again.exit_code == 0 and "updating" not in again.stderr
    assert json.loads(again.stdout)["total"] > 0
