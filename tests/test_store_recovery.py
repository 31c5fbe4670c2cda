"""User data outlives a lost, emptied or rolled-back user file and a lost WAL; a repair says so
in one line (the details go to a log in the data dir); a library of one file (before
user.sqlite3) moves its user data to user.sqlite3 without losing any.

Real files on disk, a real process killed with SIGKILL, the real command line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.test_hardening_store import library_dir, template, user_data_then_close  # noqa: F401
from tests.test_hardening_support import (cli, damage_page, integrity, one_line_error,
                                          root_page, rows, spawn)
from tui_reader.library import Library


def backup_tables(data_dir: Path) -> dict:
    return json.loads((data_dir / "user-backup.json").read_text())["tables"]


def marked(data_dir: Path) -> set[str]:
    return {r[0] for r in backup_tables(data_dir)["bookmarks"]}


@pytest.mark.parametrize("loss", ["missing", "empty"])
def test_a_missing_or_empty_user_file_gets_the_user_data_back_from_the_backup(
        template, library_dir, loss):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    db = library_dir / "user.sqlite3"
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
    assert cli(library_dir, "bookmark", ids[8]).returncode == 0
    assert marked(library_dir) == {ids[5], ids[6], ids[8]}
    assert [r[:2] for r in backup_tables(library_dir)["saved_searches"]] == [["mine", "graphs"]]
    assert cli(library_dir, "unbookmark", ids[5]).returncode == 0
    assert marked(library_dir) == {ids[6], ids[8]}
    assert cli(library_dir, "saved", "rm", "mine").returncode == 0
    assert backup_tables(library_dir)["saved_searches"] == []
    quiet = cli(library_dir, "stats", "--json")
    assert quiet.stderr == b"" and json.loads(quiet.stdout)["bookmarks"] == 2


def test_a_missing_papers_file_is_said_in_one_line_and_the_user_data_is_kept(
        template, library_dir):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    (library_dir / "library.sqlite3").unlink()

    listed = cli(library_dir, "bookmarks", "--json")
    assert listed.returncode == 0, listed.stderr
    line = one_line_error(listed.stderr)
    assert "library.sqlite3 was missing or empty" in line and "import your dump" in line, line
    assert "your 2 bookmarks, 1 notes, 1 saved searches are kept" in line, line
    assert {b["id"] for b in json.loads(listed.stdout)["bookmarks"]} == {ids[5], ids[6]}
    assert cli(library_dir, "import", template[2]).returncode == 0
    shown = json.loads(cli(library_dir, "show", ids[7], "--json").stdout)
    assert shown["note"] == "walrus thoughts" and shown["bookmarked"] is False
    assert cli(library_dir, "stats").stderr == b""


def test_an_older_copy_of_the_user_file_gets_the_newer_user_data_from_the_backup(
        template, library_dir, tmp_path):
    ids = template[1]
    db = library_dir / "user.sqlite3"
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
        assert lib.stats()["papers"] == len(ids)
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
    wal = library_dir / "user.sqlite3-wal"
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
        assert "your 2 bookmarks, 1 notes, 1 saved searches are kept" in notice, notice
        assert "store-repair.log" in notice, notice
        assert {b.id for b in lib.bookmarks()} == {ids[5], ids[6]}
    finally:
        lib.close()
    log = (library_dir / "store-repair.log").read_text()
    assert "btreeInitPage() returns error code 11" in log and "is never used" in log
    assert "library.sqlite3.corrupt-" in log


# The tables of a library of one file, as versions before user.sqlite3 made them.
SINGLE_FILE_USER_TABLES = """
CREATE TABLE bookmarks (paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE notes (paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL,
                    updated_at REAL NOT NULL);
CREATE TABLE saved_searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, sort TEXT NOT NULL,
                             created_at REAL NOT NULL);
CREATE TABLE read_state (paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, read_at REAL NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE index_pending (paper_id TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def test_a_library_of_one_file_moves_its_user_data_to_the_user_file(template, library_dir):
    ids = template[1]
    (library_dir / "user.sqlite3").unlink()  # the template has no user data yet
    db = library_dir / "library.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript(SINGLE_FILE_USER_TABLES)
        conn.executemany("INSERT INTO bookmarks VALUES (?, ?, ?)",
                         [(ids[i], f"Paper {i}", 1000.0 + i) for i in (1, 2)])
        conn.execute("INSERT INTO notes VALUES (?, 'Paper 3', 'old walrus', 1003.0)", (ids[3],))
        conn.execute("INSERT INTO saved_searches VALUES ('mine', 'graphs', 'date', 1004.0)")
        conn.execute("INSERT INTO read_state VALUES (?, 'Paper 4', 1005.0)", (ids[4],))
        conn.execute("INSERT INTO settings VALUES ('theme', 'dark')")
        conn.execute("INSERT INTO index_pending VALUES (?)", (ids[3],))  # never indexed
    conn.close()
    # A backup of that version (no generation), a little older than the store.
    (library_dir / "user-backup.json").write_text(json.dumps({
        "format": "tui-reader user data", "version": 1,
        "tables": {"bookmarks": [[ids[1], "Paper 1", 1001.0]]}}))

    lib = Library(library_dir)
    try:
        assert lib.notices == []
        assert lib.stats() == {"papers": len(ids), "sources": 1, "bookmarks": 2, "notes": 1,
                               "saved_searches": 1, "read": 1}
        assert [b.id for b in lib.bookmarks()] == [ids[2], ids[1]]
        assert lib.paper(ids[3]).note == "old walrus" and lib.paper(ids[4]).read
        assert [(s.name, s.query) for s in lib.saved_searches()] == [("mine", "graphs")]
        assert lib.setting("theme") == "dark"
        # the pending note was indexed at start
        assert [h.paper.id for h in lib.search("note:walrus").hits] == [ids[3]]
        lib.bookmark(ids[5])
    finally:
        lib.close()
    tables = {r[0] for r in rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"bookmarks", "notes", "saved_searches", "read_state", "settings"}
    assert marked(library_dir) == {ids[1], ids[2], ids[5]}
    assert integrity(library_dir / "user.sqlite3") == "ok"


def test_a_second_library_in_one_process_leaves_the_first_ones_locks_alone(
        template, library_dir):
    """Opening a store never opens its files but through SQLite: closing another descriptor
    of a database file drops the locks SQLite holds on it in this process, and a process
    that closes the library next then thinks it is the last one and removes the WAL."""
    ids = template[1]
    lasting = Library(library_dir)  # as the reader keeps it
    try:
        lasting.note(ids[1], "in the WAL")
        Library(library_dir).close()  # as a command in the same process would
        assert cli(library_dir, "stats").returncode == 0  # another process opens and closes
        assert lasting.paper(ids[1]).note == "in the WAL"
        lasting.note(ids[2], "and more")
        for i, text in ((1, "in the WAL"), (2, "and more")):  # seen by another process
            shown = cli(library_dir, "show", ids[i], "--json")
            assert shown.returncode == 0 and json.loads(shown.stdout)["note"] == text, shown
    finally:
        lasting.close()


def test_a_backup_is_never_replaced_by_an_older_state(template, library_dir):
    """A user file put back from an older copy while a library runs: its backups stop (one
    sentence), the newer backup stays, and the next start restores from it."""
    ids = template[1]
    lib = Library(library_dir)
    try:
        lib.bookmark(ids[1])
        lib.bookmark(ids[2])
        assert lib.store.write_backup()
        with sqlite3.connect(library_dir / "user.sqlite3") as conn:  # the older copy's state
            conn.execute("DELETE FROM bookmarks WHERE paper_id = ?", (ids[2],))
            conn.execute("UPDATE user_generation SET generation = 1")
        conn.close()
        assert not lib.store.write_backup()
        assert "holds newer data" in lib.store.backup_error and "\n" not in lib.store.backup_error
        assert marked(library_dir) == {ids[1], ids[2]}
    finally:
        lib.close()
    assert marked(library_dir) == {ids[1], ids[2]}
    lib = Library(library_dir)
    try:
        assert "restored 1 bookmarks" in lib.notices[0]
        assert {b.id for b in lib.bookmarks()} == {ids[1], ids[2]}
    finally:
        lib.close()
