"""For you (recommend) and rising (upvotes across captures), through the real CLI and Library
on the bundled samples."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests.captures import FERRET, SIGMA, write_captures
from tests.conftest import SAMPLE_DUMPS
from tui_reader.ingest import read_dump
from tui_reader.library import Library
from tui_reader.models import UpvoteCount
from tui_reader.upvotes import history_text

# For you after bookmarking Sigma and Ferret: the first five, with the words they share
FOR_YOU = [
    ("a7b49ea442df", ["efficient", "local", "communication"], FERRET),
    ("16e450296596", ["federated", "overhead", "efficient"], FERRET),
    ("45d5e05ef357", ["federated", "efficient", "local"], FERRET),
    ("5478b3b3b720", ["full", "efficient", "attention"], FERRET),
    ("42a1a4bdb574", ["efficient", "attention", "query"], SIGMA),
]


class _opened:
    """A Library of the data dir for the length of a `with`."""

    def __init__(self, data_dir: Path):
        self.lib = Library(data_dir)

    def __enter__(self) -> Library:
        return self.lib

    def __exit__(self, *exc) -> None:
        self.lib.close()


def recommended(cli, *args: str) -> dict:
    result = cli("recommend", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_recommend_json_lists_papers_like_the_bookmarked_ones_with_why(cli):
    cli("import", SAMPLE_DUMPS)
    cli("bookmark", SIGMA, FERRET)
    found = recommended(cli, "--limit", "5")
    assert (found["tag"], found["liked"]) == (None, 2)
    assert [(r["id"], r["terms"], r["like"]) for r in found["results"]] == FOR_YOU
    first = found["results"][0]
    assert first["why"] == "shares: efficient, local, communication"
    assert first["title"].startswith("Just One Byte (per gradient)")
    assert first["bookmarked"] is False and first["read"] is False and first["score"] > 0
    text = cli("recommend", "--limit", "2").stdout.splitlines()
    assert text[0] == "For you: 100 papers like your 2 bookmarked papers, showing 2"
    assert text[1].startswith("a7b49ea442df")
    assert text[2] == "    shares: efficient, local, communication"


def test_recommendations_leave_out_read_and_bookmarked_papers(cli, data_dir):
    cli("import", SAMPLE_DUMPS)
    cli("bookmark", SIGMA, FERRET)
    first, second, third = (i for i, _, _ in FOR_YOU[:3])
    with _opened(data_dir) as lib:
        lib.mark_read(first)
        ids = [r.paper.id for r in lib.recommend(limit=100).results]
        assert ids[:2] == [second, third]  # the read one is gone, the others move up
        assert not {first, SIGMA, FERRET} & set(ids)
        lib.bookmark(second)
        liked = lib.recommend(limit=100)
        assert liked.liked == 3 and second not in [r.paper.id for r in liked.results]


def test_a_paper_read_then_unread_again_is_recommended_again(cli, data_dir):
    """The ranking was kept while the bookmarks stayed, with the papers read at the time left
    out: a paper marked unread again (r, or elsewhere) stayed out of For you."""
    cli("import", SAMPLE_DUMPS)
    cli("bookmark", SIGMA, FERRET)
    first, second = (i for i, _, _ in FOR_YOU[:2])
    with _opened(data_dir) as lib:
        lib.mark_read(first)
        assert lib.recommend(limit=1).results[0].paper.id == second
        lib.mark_read(first, False)
        assert [r.paper.id for r in lib.recommend(limit=2).results] == [first, second]


def test_recommend_without_bookmarks_says_what_to_do(cli):
    cli("import", SAMPLE_DUMPS)
    assert recommended(cli) == {"tag": None, "liked": 0, "total": 0, "results": []}
    result = cli("recommend")
    assert result.exit_code == 0
    assert result.stdout.startswith("No bookmarks yet: bookmark papers you like")


def test_recommend_by_tag_starts_from_the_tagged_papers(cli):
    cli("import", SAMPLE_DUMPS)
    assert cli("recommend", "--tag", "efficiency").stdout.strip() == \
        "No papers tagged 'efficiency' yet."
    assert cli("tag", SIGMA, FERRET, "+Efficiency").exit_code == 0
    found = recommended(cli, "--tag", "efficiency", "--limit", "5")
    assert (found["tag"], found["liked"]) == ("efficiency", 2)
    ids = [r["id"] for r in found["results"]]
    # the papers For you finds from the same two bookmarked: tagging rewrote their index entries,
    # which moves the collection's statistics a little (two close scores swap)
    assert ids[:2] == [i for i, _, _ in FOR_YOU][:2] and set(ids) == {i for i, _, _ in FOR_YOU}


# -- rising ------------------------------------------------------------------------------

@pytest.fixture
def captures(tmp_path: Path) -> Path:
    return write_captures(tmp_path / "dumps")


def test_each_capture_keeps_its_upvotes_and_day(cli, captures):
    assert cli("import", captures).exit_code == 0
    shown = json.loads(cli("show", SIGMA, "--json").stdout)
    assert shown["upvote_history"] == [{"date": "2026-03-06", "upvotes": 2},
                                       {"date": "2026-03-09", "upvotes": 14},
                                       {"date": "2026-03-12", "upvotes": 31}]
    assert shown["upvotes"] == 31
    assert [(Path(s["path"]).name, s["position"], s["captured"], s["upvotes"])
            for s in shown["sources"]] == [
        ("000_22fef89dacfdd73b.txt", 1, "2026-03-01", None),  # no dates: the file's day
        ("003_94c168d4f8ce26e7.txt", 5, "2026-03-06", 2),
        ("later.txt", 0, "2026-03-09", 14),
        ("latest.txt", 0, "2026-03-12", 31)]
    text = cli("show", SIGMA).stdout.splitlines()
    assert "     upvotes: ▲ 2 -> 14 -> 31 over 3 captures, Mar 6 - Mar 12" in text
    assert f"     seen in: {captures / 'later.txt'} (#1, text, captured Mar 9 2026, ▲14)" in text
    once = json.loads(cli("show", "ed4a75c04071", "--json").stdout)  # PhyX: one capture
    assert once["upvote_history"] == [{"date": "2026-03-06", "upvotes": 4}]


def test_sort_rising_puts_the_fastest_rising_first_then_by_upvotes(cli, captures, data_dir):
    cli("import", captures)
    every = json.loads(cli("search", "", "--sort", "rising", "--limit", "4", "--json").stdout)
    # Sigma: 29 upvotes in 6 days; Ferret: 3 in 3 days; then papers seen once by upvotes
    assert [r["id"] for r in every["results"]] == [SIGMA, FERRET, "ed4a75c04071",
                                                   "bcb5e798fcda"]
    query = json.loads(cli("search", "language models", "--sort", "rising", "--limit", "3",
                           "--json").stdout)
    assert [r["id"] for r in query["results"]][:2] == [SIGMA, FERRET]
    assert query["total"] == json.loads(cli("search", "language models", "--json").stdout)["total"]
    page = json.loads(cli("search", "language models", "--sort", "rising", "--limit", "2",
                          "--json").stdout)
    assert [r["id"] for r in page["results"]] == [SIGMA, FERRET]
    alone = json.loads(cli("search", "Sigma DiffQKV", "--sort", "rising", "--json").stdout)
    assert [r["id"] for r in alone["results"]] == [SIGMA]
    with _opened(data_dir) as lib:  # pages of it: the rising papers, then the others
        whole = [h.paper.id for h in lib.search("language models", sort="rising", limit=39).hits]
        pages = [h.paper.id for offset in range(0, 39, 3) for h in lib.search(
            "language models", sort="rising", offset=offset, limit=3).hits]
        assert pages == whole and len(set(whole)) == len(whole) == min(39, query["total"])


def test_the_capture_day_of_each_kind_of_dump(tmp_path):
    assert read_dump(SAMPLE_DUMPS / "003_94c168d4f8ce26e7.txt").captured == date(2026, 3, 6)
    stated = tmp_path / "page.md"
    stated.write_text("---\nretrieved: 2025-10-02\n---\n\n# Daily Papers\n\n"
                      "### [A Paper About Things](https://huggingface.co/papers/2509.00001)\n\n"
                      "We study things at length and find that things are good.\n")
    assert read_dump(stated).captured == date(2025, 10, 2)
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text(json.dumps({"id": "2401.00001", "title": "A Paper About Things",
                                 "abstract": "We study things at length."}) + "\n")
    assert read_dump(jsonl).captured is None  # metadata, not a capture of a listing page
    undated = tmp_path / "undated.txt"  # a page that prints no date: its file's day
    shutil.copy(SAMPLE_DUMPS / "000_22fef89dacfdd73b.txt", undated)
    os.utime(undated, (1_700_000_000, 1_700_000_000))
    assert read_dump(undated).captured == date.fromtimestamp(1_700_000_000)


def test_a_store_made_before_captures_gets_their_columns(cli, data_dir, captures):
    cli("import", SAMPLE_DUMPS)
    db = sqlite3.connect(data_dir / "library.sqlite3")
    db.execute("DROP INDEX papers_by_rising")
    for table, column in (("papers", "rising"), ("sources", "captured"), ("sources", "upvotes")):
        db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    db.commit()
    db.close()
    again = cli("import", SAMPLE_DUMPS)  # read again for their upvotes, not skipped
    assert again.exit_code == 0 and "skipped" not in again.stdout
    assert json.loads(cli("show", SIGMA, "--json").stdout)["upvote_history"] == [
        {"date": "2026-03-06", "upvotes": 2}]
    assert cli("import", captures).exit_code == 0
    every = json.loads(cli("search", "", "--sort", "rising", "--limit", "2", "--json").stdout)
    assert [r["id"] for r in every["results"]] == [SIGMA, FERRET]
    assert "3 unchanged files skipped" in cli("import", SAMPLE_DUMPS).stdout


def test_a_long_upvote_history_reads_as_a_sparkline():
    days = [date(2025, 12, 30), date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 5),
            date(2026, 1, 9)]
    history = [UpvoteCount(date=d, upvotes=n) for d, n in zip(days, (0, 7, 14, 21, 28))]
    assert history_text(history) == ("▲ ▁▂▄▆█ 0 -> 28 over 5 captures,"
                                     " Dec 30 2025 - Jan 9 2026")
    assert history_text(history[1:4]) == "▲ 7 -> 14 -> 21 over 3 captures, Jan 2 - Jan 5"
    assert history_text(history[:1]) == ""
