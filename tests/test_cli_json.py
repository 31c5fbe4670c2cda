"""Every command takes `--json` (issue 13, item 8), the changing ones too: `import` prints its
report, `bookmark`, `unbookmark` and `note` the papers changed (as `show --json` gives them)
and the ids that were not, `saved add`/`rm` the saved search, `reindex` the count, `export
-o` what it wrote. One JSON document on stdout; errors stay one line on stderr, with the same
exit statuses. Through the real command line on the bundled sample dumps."""

from __future__ import annotations

import json

import click

from tests.conftest import SAMPLE_DUMPS
from tui_reader.cli import main

TFG = "45da77052b66"   # TFG: Unified Training-Free Guidance for Diffusion Models
GDRO = "bb3a786c655c"  # GDRO: Group-level Reward Post-training Suitable for Diffusion Models
FILES = [("000_22fef89dacfdd73b.txt", 49, 49, 0), ("002_3558552d1792b2fb.txt", 64, 62, 0),
         ("003_94c168d4f8ce26e7.txt", 56, 35, 21)]


def as_json(result) -> dict:
    assert result.stdout.count("\n{") == 0 and result.stdout.startswith("{"), result.stdout
    return json.loads(result.stdout)


def test_import_json_is_the_report(cli, tmp_path):
    first = cli("import", "--json", SAMPLE_DUMPS)
    assert (first.exit_code, first.stderr) == (0, "")
    report = as_json(first)
    assert {k: v for k, v in report.items() if k != "by_file"} == {
        "papers": 146, "files": 3, "new": 146, "updated": 21, "skipped": 0, "failed": [],
        "warnings": 0}
    assert [(f["path"], f["format"], f["papers"], f["new"], f["updated"], f["skipped"],
             f["error"], f["warnings"]) for f in report["by_file"]] == [
        (str(SAMPLE_DUMPS / name), "text", papers, new, updated, False, None, [])
        for name, papers, new, updated in FILES]
    again = as_json(cli("import", "--json", SAMPLE_DUMPS))
    assert (again["new"], again["updated"], again["skipped"]) == (0, 0, 3)

    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"\x00\x01binary\x00")
    failed = cli("import", "--json", bad, tmp_path / "missing.txt")
    assert failed.exit_code == 1
    assert failed.stderr.splitlines() == [  # what cannot be opened is said first
        f"failed: {tmp_path / 'missing.txt'}: no such file or folder",
        f"failed: {bad}: not a recognised dump: binary file"]
    assert as_json(failed)["failed"] == [
        {"path": str(tmp_path / "missing.txt"), "error": "no such file or folder"},
        {"path": str(bad), "error": "not a recognised dump: binary file"}]


def test_bookmark_unbookmark_and_note_json_are_the_papers_changed(cli):
    cli("import", SAMPLE_DUMPS)
    marked = cli("bookmark", "--json", TFG, GDRO[:6], "nosuchid")
    assert marked.exit_code == 1
    assert marked.stderr == "tui-reader: no paper with the id 'nosuchid'\n"
    changed = as_json(marked)
    assert changed["errors"] == [{"id": "nosuchid", "error": "no paper with the id 'nosuchid'"}]
    assert [p["id"] for p in changed["papers"]] == [TFG, GDRO]
    assert changed["papers"][0] == json.loads(cli("show", "--json", TFG).stdout)
    assert changed["papers"][0]["bookmarked"] is True
    assert changed["papers"][0]["title"] == ("TFG: Unified Training-Free Guidance for"
                                             " Diffusion Models")

    unmarked = cli("unbookmark", "--json", GDRO)
    assert (unmarked.exit_code, unmarked.stderr) == (0, "")
    assert [(p["id"], p["bookmarked"]) for p in as_json(unmarked)["papers"]] == [(GDRO, False)]

    noted = as_json(cli("note", "--json", TFG, "--set", "Read §3."))
    assert [(p["id"], p["note"], p["bookmarked"]) for p in noted["papers"]] == [
        (TFG, "Read §3.", True)]
    assert noted["errors"] == []
    removed = as_json(cli("note", "--json", TFG, "--set", ""))
    assert [(p["id"], p["note"]) for p in removed["papers"]] == [(TFG, None)]
    unknown = cli("note", "--json", "nosuchid", "--set", "x")
    assert (unknown.exit_code, unknown.stderr) == (
        1, "tui-reader: no paper with the id 'nosuchid'\n")
    assert as_json(unknown) == {"papers": [], "errors": [
        {"id": "nosuchid", "error": "no paper with the id 'nosuchid'"}]}
    # without --json: one line a paper, as before
    assert cli("bookmark", GDRO).stdout == (
        f"bookmarked {GDRO} GDRO: Group-level Reward Post-training Suitable for Diffusion"
        " Models\n")


def test_saved_reindex_and_export_json(cli, tmp_path):
    cli("import", SAMPLE_DUMPS)
    added = as_json(cli("saved", "add", "--json", "guidance", "diffusion", "--sort", "date"))
    created = added["saved"].pop("created_at")
    assert created and added == {"saved": {"name": "guidance", "query": "diffusion",
                                           "sort": "date", "count": 3}, "replaced": False}
    again = cli("saved", "add", "--json", "guidance", "diffusion models", "--force")
    assert as_json(again)["replaced"] is True
    assert as_json(again)["saved"]["count"] == 3
    deleted = as_json(cli("saved", "rm", "--json", "guidance"))
    assert deleted["deleted"]["name"] == "guidance"
    assert deleted["deleted"]["query"] == "diffusion models"
    missing = cli("saved", "rm", "--json", "guidance")
    assert (missing.exit_code, missing.stdout, missing.stderr) == (
        1, "", "tui-reader: no saved search named 'guidance'\n")

    reindexed = cli("reindex", "--json")
    assert (reindexed.exit_code, as_json(reindexed)) == (0, {"indexed": 146})

    cli("bookmark", TFG)
    out = tmp_path / "marks.bib"
    wrote = cli("export", "bookmarks", "--format", "bibtex", "-o", out, "--json")
    assert (wrote.exit_code, wrote.stderr) == (0, "")
    assert as_json(wrote) == {"wrote": 1, "path": str(out)}
    assert out.read_text().startswith("@misc{")
    plain = cli("export", "bookmarks", "-o", out)
    assert (plain.stdout, plain.stderr) == ("", f"wrote 1 paper to {out}\n")
    usage = cli("export", "bookmarks", "--json")
    assert usage.exit_code == 2 and "--json tells what --output wrote" in usage.stderr


def test_every_command_takes_json():
    def commands(group: click.Group, prefix: str = ""):
        for name, command in group.commands.items():
            yield f"{prefix}{name}", command
            if isinstance(command, click.Group):
                yield from commands(command, f"{prefix}{name} ")

    lacking = [name for name, command in commands(main)
               if not any("--json" in p.opts for p in command.params)]
    assert lacking == []


def test_one_of_a_kind_is_said_in_the_singular_everywhere(cli, tmp_path):
    """"1 more warning", "1 more line", "1 author", "1 upvote": never "1 papers"."""
    lines = [json.dumps({"id": f"2401.{i:05d}", "title": f"Paper number {i} on graphs",
                         "abstract": "An abstract about graphs.", "authors": ["Ada Lovelace"]})
             for i in range(60)] + ["{not json"] * 51
    noisy = tmp_path / "noisy.jsonl"
    noisy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = as_json(cli("import", "--json", noisy))
    assert report["warnings"] == 51
    assert report["by_file"][0]["warnings"][-1] == "1 more line with problems not listed"
    six = tmp_path / "six.jsonl"
    six.write_text("\n".join(lines[:3] + ["{not json"] * 6) + "\n", encoding="utf-8")
    assert cli("import", six).stderr.splitlines()[-1] == f"warning: {six}: 1 more warning"

    one = tmp_path / "one.txt"
    one.write_text("Daily Papers\n\nA Lonely Title About Graphs\n\nAn abstract of the lonely"
                   " paper, long enough to be one.\n\n• 1 author\n·\nJan 5, 2025 1\n",
                   encoding="utf-8")
    cli("import", one)
    assert "     authors: 1 author\n" in cli("show", "286570354132").stdout
    markdown = cli("export", "search", "lonely", "--format", "markdown").stdout
    assert "*2025-01-05 · 1 upvote · 1 author*" in markdown
