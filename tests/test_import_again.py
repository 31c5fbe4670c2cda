"""Importing from standard input, re-reading with --year, the same content under another path, and
the summary line's counts (issue 10, items 5 and 6)."""

from __future__ import annotations

import json
import shutil

from tests.conftest import CORPUS, FIXTURES, SAMPLE_DUMPS
from tui_reader.models import FileReport, ImportReport, paper_id

BLOCKS = SAMPLE_DUMPS / "003_94c168d4f8ce26e7.txt"
UNWRITTEN = "Language Models Surface the Unwritten Code of Science and Society"


def test_import_from_standard_input_is_kept_as_a_pasted_source(cli, data_dir):
    page = BLOCKS.read_text(encoding="utf-8")
    result = cli("import", "-", input=page)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "56 papers from 1 file: 56 new, 0 updated; 0 files failed"
    [pasted] = (data_dir / "pasted").iterdir()
    assert pasted.name.startswith("pasted 20") and len(pasted.name) == len("pasted 2026-11-30 14:02")
    assert pasted.read_text(encoding="utf-8") == page
    again = cli("import", "-", input=page)  # the same paste: the same source, unchanged
    assert "0 new, 0 updated" in again.stdout and "1 unchanged file skipped" in again.stdout
    assert len(list((data_dir / "pasted").iterdir())) == 1
    shown = json.loads(cli("show", paper_id(UNWRITTEN), "--json").stdout)
    assert (shown["title"], shown["sources"][0]["path"]) == (UNWRITTEN, str(pasted))
    assert json.loads(cli("stats", "--json").stdout)["sources"] == 1
    other = (SAMPLE_DUMPS / "002_3558552d1792b2fb.txt").read_text(encoding="utf-8")
    # 2 of its 64 papers are also in the first page
    assert cli("import", "-", input=other).stdout.startswith("64 papers from 1 file: 62 new")
    names = sorted(p.name for p in (data_dir / "pasted").iterdir())
    assert len(names) == 2 and all(n.startswith("pasted 20") for n in names)


def test_empty_standard_input_is_one_failure(cli):
    result = cli("import", "-", input="")
    assert (result.exit_code, result.stderr.strip()) == (1, "failed: -: nothing on standard input")


def test_year_re_reads_an_imported_file(cli, tmp_path):
    dump = tmp_path / "page.txt"
    shutil.copy(BLOCKS, dump)
    assert cli("import", dump).exit_code == 0
    again = cli("import", "--year", "2020", dump)
    assert again.stdout.strip() == "56 papers from 1 file: 0 new, 6 updated; 0 files failed"
    found = json.loads(cli("search", "GDRO", "--json", "--limit", "1").stdout)["results"][0]
    assert found["title"].startswith("GDRO: ")
    assert found["published"] == "2020-01-05"  # "Jan 5" (2026-01-05 by the year rule before)


def test_the_same_content_under_another_path_is_unchanged(cli, tmp_path, corpus_file):
    copy = tmp_path / "elsewhere" / "renamed.jsonl"
    copy.parent.mkdir()
    shutil.copy(corpus_file, copy)
    cli("import", corpus_file)
    result = cli("import", copy)
    assert result.stdout.strip() == (
        f"{len(CORPUS)} papers from 1 file: 0 new, 0 updated; 0 files failed (1 unchanged file skipped)"
    )


def test_summary_counts_distinct_papers(cli, tmp_path):
    # One paper in two files of different formats: one paper.
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "2401.00001", "title": "Only One", "abstract": "Words."}) + "\n")
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"paper": {"id": "2401.00001", "title": "Only One"}}]))
    result = cli("import", one, other)
    assert result.stdout.strip() == "1 paper from 2 files: 1 new, 0 updated; 0 files failed"
    api = cli("import", FIXTURES / "hf_api")
    assert api.stdout.strip() == "83 papers from 5 files: 83 new, 0 updated; 0 files failed"


def test_summary_plurals_and_thousands():
    report = ImportReport(files=[FileReport(path="a", papers=9577, new=9577)], distinct=9577)
    assert report.summary() == "9,577 papers from 1 file: 9,577 new, 0 updated; 0 files failed"
    failed = ImportReport(files=[FileReport(path="a", error="x"), FileReport(path="b", skipped=True)],
                          distinct=0)
    assert failed.summary() == "0 papers from 2 files: 0 new, 0 updated; 1 file failed (1 unchanged file skipped)"
