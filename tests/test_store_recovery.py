"""User data outlives a lost, emptied or rolled-back store file and a lost WAL; a repair says
so in one line (the details go to a log in the data dir).

Real files on disk, a real process killed with SIGKILL, the real command line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.test_hardening_store import library_dir, template, user_data_then_close  # noqa: F401
from tests.test_hardening_support import cli, damage_page, one_line_error, root_page, spawn
from tui_reader.library import Library


def backup_tables(data_dir: Path) -> dict:
    return json.loads((data_dir / "user-backup.json").read_text())["tables"]


def marked(data_dir: Path) -> set[str]:
    return {r[0] for r in backup_tables(data_dir)["bookmarks"]}


@pytest.mark.parametrize("loss", ["missing", "empty"])
def test_a_missing_or_empty_store_gets_the_user_data_back_from_the_backup(
        template, library_dir, loss):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    db = library_dir / "library.sqlite3"
    if loss == "missing":
        db.unlink()
    else:
        db.write_bytes(b"")

    listed = cli(library_dir, "bookmarks", "--json")
    assert listed.returncode == 0, listed.stderr
    line = one_line_error(listed.stderr)
    assert "restored 2 bookmarks, 1 notes, 1 saved searches from user-backup.json" in line, line
    assert {b["id"] for b in json.loads(listed.stdout)["bookmarks"]} == {ids[5], ids[6]}
    notes = json.loads(cli(library_dir, "notes", "--json").stdout)["notes"]
    assert [(n["id"], n["note"]) for n in notes] == [(ids[7], "walrus thoughts")]

    # The next change keeps the backup whole; a deliberate removal still shrinks it.
    assert cli(library_dir, "import", template[2]).returncode == 0
    assert marked(library_dir) == {ids[5], ids[6]}
    assert cli(library_dir, "bookmark", ids[8]).returncode == 0
    assert marked(library_dir) == {ids[5], ids[6], ids[8]}
    assert [r[:2] for r in backup_tables(library_dir)["saved_searches"]] == [["mine", "graphs"]]
    assert cli(library_dir, "unbookmark", ids[5]).returncode == 0
    assert marked(library_dir) == {ids[6], ids[8]}
    assert cli(library_dir, "saved", "rm", "mine").returncode == 0
    assert backup_tables(library_dir)["saved_searches"] == []
    quiet = cli(library_dir, "stats", "--json")
    assert quiet.stderr == b"" and json.loads(quiet.stdout)["bookmarks"] == 2


def test_an_older_copy_of_the_store_gets_the_newer_user_data_from_the_backup(
        template, library_dir, tmp_path):
    ids = template[1]
    db = library_dir / "library.sqlite3"
    lib = Library(library_dir)
    lib.bookmark(ids[1])
    lib.close()
    shutil.copy(db, tmp_path / "old.sqlite3")  # a copy the user kept, with one bookmark
    lib = Library(library_dir)
    lib.bookmark(ids[1], on=False)  # removed on purpose: stays removed
    lib.bookmark(ids[2])
    lib.note(ids[3], "newer than the copy")
    lib.close()
    shutil.copy(tmp_path / "old.sqlite3", db)

    lib = Library(library_dir)
    try:
        [notice] = lib.notices
        assert "user-backup.json" in notice and "\n" not in notice, notice
        assert [b.id for b in lib.bookmarks()] == [ids[2]]
        assert [(n.id, n.note) for n in lib.notes()] == [(ids[3], "newer than the copy")]
        assert lib.stats()["papers"] == len(ids)  # the papers of the copy are kept
    finally:
        lib.close()
    assert marked(library_dir) == {ids[2]}


CHANGE_THEN_DIE = """
import sys
from tui_reader.library import Library
lib = Library(sys.argv[1])
lib.bookmark(sys.argv[2])
lib.note(sys.argv[2], "the latest thought")
assert lib.store.write_backup()
print("saved", flush=True)
sys.stdin.readline()
"""


def _deleted(wal: Path) -> None:
    wal.unlink()


def _truncated(wal: Path) -> None:
    os.truncate(wal, wal.stat().st_size // 3)


def _zeroed(wal: Path) -> None:
    wal.write_bytes(bytes(wal.stat().st_size))


@pytest.mark.parametrize("damage", [_deleted, _truncated, _zeroed],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_lost_wal_loses_no_change_the_backup_holds_and_says_so(template, library_dir, damage):
    ids = template[1]
    proc = spawn(CHANGE_THEN_DIE, library_dir, ids[4], stdin=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "saved", proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    wal = library_dir / "library.sqlite3-wal"
    assert wal.stat().st_size > 0  # the changes were in the WAL only
    damage(wal)

    shown = cli(library_dir, "show", ids[4], "--json")
    assert shown.returncode == 0, shown.stderr
    line = one_line_error(shown.stderr)
    assert "restored 1 bookmarks, 1 notes, 0 saved searches from user-backup.json" in line, line
    paper = json.loads(shown.stdout)
    assert paper["bookmarked"] and paper["note"] == "the latest thought"
    found = json.loads(cli(library_dir, "search", "note:latest", "--json").stdout)
    assert [r["id"] for r in found["results"]] == [ids[4]]
    assert cli(library_dir, "stats").stderr == b""  # said once


def test_the_repair_notice_is_one_line_and_the_details_go_to_a_log(template, library_dir):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    db = library_dir / "library.sqlite3"
    damage_page(db, root_page(db, "papers_by_title"))  # quick_check answers in many lines

    lib = Library(library_dir)
    try:
        [notice] = lib.notices
        assert "\n" not in notice and len(notice) < 400, notice
        assert "restored 2 bookmarks, 1 notes, 1 saved searches" in notice, notice
        assert "store-repair.log" in notice, notice
        assert {b.id for b in lib.bookmarks()} == {ids[5], ids[6]}
    finally:
        lib.close()
    log = (library_dir / "store-repair.log").read_text()
    assert "btreeInitPage() returns error code 11" in log and "is never used" in log
    assert "library.sqlite3.corrupt-" in log
