"""Tags on the command line, on the bundled sample dumps: `tag`, `tags`, `tag:x` in queries,
exports; tags outlive a reindex, a re-import and the loss of the user's file (the backup)."""

from __future__ import annotations

import json

TFG = "45da77052b66"  # TFG: Unified Training-Free Guidance for Diffusion Models
GDRO = "bb3a786c655c"  # GDRO: Group-level Reward Post-training Suitable for Diffusion Models
CLIFF = "4b7ca5499b9f"  # The Policy Cliff: A Theoretical Analysis of Reward-Policy Maps ...
SAMPLE_PAPERS = 146


def found(cli, query: str) -> list[str]:
    result = cli("search", query, "--json", "--limit", "200")
    assert result.exit_code == 0, result.output
    return sorted(r["id"] for r in json.loads(result.stdout)["results"])


def test_tag_adds_and_removes_several_tags_and_prints_what_changed(cli, samples):
    added = cli("tag", TFG, GDRO[:6], "+Diffusion", "+to read")
    assert added.exit_code == 0
    assert added.stdout.splitlines() == [
        f"{TFG}                      TFG: Unified Training-Free Guidance for Diffusion Models"
        "  #diffusion #to-read",
        f"{GDRO}  2026-01-05          GDRO: Group-level Reward Post-training Suitable for"
        " Diffusion Models  #diffusion #to-read"]
    changed = json.loads(cli("tag", GDRO, CLIFF, "-to-read", "+rl", "--json").stdout)["changed"]
    assert [(p["id"], p["tags"]) for p in changed] == [(GDRO, ["diffusion", "rl"]),
                                                       (CLIFF, ["rl"])]
    same = cli("tag", CLIFF, "+rl")
    assert same.exit_code == 0 and same.stdout.startswith("No paper changed")
    assert cli("tags").stdout.splitlines() == [
        "diffusion                            2 papers",
        "rl                                   2 papers",
        "to-read                               1 paper"]
    assert json.loads(cli("tags", "--json").stdout) == {"tags": [
        {"name": "diffusion", "count": 2}, {"name": "rl", "count": 2},
        {"name": "to-read", "count": 1}]}
    assert json.loads(cli("show", TFG, "--json").stdout)["tags"] == ["diffusion", "to-read"]
    assert "        tags: diffusion to-read" in cli("show", TFG).stdout


def test_bad_tag_commands_change_nothing(cli, samples):
    unknown = cli("tag", TFG, "ffffffffffff", "+x")
    assert unknown.exit_code == 1
    assert unknown.stderr == ("tui-reader: no paper with the id 'ffffffffffff'; nothing was"
                              " changed\n")
    bad = cli("tag", TFG, "+!!")
    assert bad.exit_code == 1 and "'!!' is not a tag name" in bad.stderr
    assert cli("tag", TFG).exit_code == 2  # nothing to change
    assert cli("tag", "+x").exit_code == 2  # no paper
    assert json.loads(cli("tags", "--json").stdout) == {"tags": []}
    assert cli("tags").stdout == "No tags yet: `tui-reader tag ID +name` or `t` in the reader.\n"


def test_tag_queries(cli, samples):
    cli("tag", TFG, GDRO, "+diffusion")
    cli("tag", GDRO, CLIFF, "+rl")
    assert found(cli, "tag:diffusion") == sorted([TFG, GDRO])
    assert found(cli, "tags:RL") == sorted([GDRO, CLIFF])
    assert found(cli, "tag:diffusion tag:rl") == [GDRO]
    assert found(cli, "tag:diffusion OR tag:rl") == sorted([TFG, GDRO, CLIFF])
    assert found(cli, "reward -tag:rl") == sorted(
        set(found(cli, "reward")) - {GDRO, CLIFF})
    assert found(cli, "tag:diff*") == sorted([TFG, GDRO])
    assert found(cli, "tag:none") == []
    assert len(found(cli, "-tag:diffusion")) == SAMPLE_PAPERS - 2


def test_exports_carry_the_tags(cli, samples):
    cli("tag", TFG, "+diffusion", "+to-read")
    data = json.loads(cli("export", "search", "tag:diffusion", "--format", "json").stdout)
    assert [(p["id"], p["tags"]) for p in data["papers"]] == [(TFG, ["diffusion", "to-read"])]
    bib = cli("export", "search", "tag:diffusion", "--format", "bibtex").stdout
    assert "  keywords = {diffusion, to-read}\n" in bib
    md = cli("export", "search", "tag:diffusion").stdout
    assert "\nTags: `#diffusion` `#to-read`\n" in md


def test_tags_outlive_a_reindex_and_a_reimport(cli, samples):
    cli("tag", TFG, GDRO, "+kept")
    assert cli("reindex").exit_code == 0
    assert found(cli, "tag:kept") == sorted([TFG, GDRO])
    for dump in samples.iterdir():  # changed files: imported again, their papers rewritten
        dump.write_text(dump.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    again = cli("import", samples)
    assert again.exit_code == 0 and "0 new" in again.stdout and "unchanged" not in again.stdout
    assert found(cli, "tag:kept") == sorted([TFG, GDRO])
    assert json.loads(cli("tags", "--json").stdout) == {"tags": [{"name": "kept", "count": 2}]}


def test_tags_come_back_from_the_backup(cli, samples, data_dir):
    cli("tag", TFG, "+a", "+b")
    cli("tag", GDRO, "+b")
    (data_dir / "user.sqlite3").unlink()
    restored = cli("tags", "--json")
    assert "restored" in restored.stderr
    assert json.loads(restored.stdout) == {"tags": [{"name": "b", "count": 2},
                                                    {"name": "a", "count": 1}]}
    assert found(cli, "tag:b") == sorted([TFG, GDRO])


def test_tag_names_as_the_library_keeps_them():
    from tui_reader.models import tag_name

    assert [tag_name(t) for t in ("To Read", "+ml", "#cv", "-x", "a/b.c_d", "  ", "!!",
                                  "Ünïcode ok", "x\x1b[31m", "-" * 3 + "y" * 50)] == [
        "to-read", "ml", "cv", "x", "a/b.c_d", "", "", "ünïcode-ok", "x31m", "y" * 40]
