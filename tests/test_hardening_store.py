"""User data is transactional, backed up, repaired when damaged (README "Other commands").

Real processes killed with SIGKILL, real concurrent processes, real files corrupted, a real
full disk (a small tmpfs). A read-only library: test_hardening_files.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_hardening_support import (
    checkpoint,
    cli,
    cli_command,
    cli_env,
    copy_library,
    damage_page,
    integrity,
    one_line_error,
    root_page,
    rows,
    spawn,
    write_corpus,
)
from tui_reader.store import repair
from tui_reader.library import Library
from tui_reader.store import StoreCorrupt

PAPERS = 120


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, list[str], Path]:
    """A data dir with PAPERS papers imported: (data dir, paper ids, the dump)."""
    root = tmp_path_factory.mktemp("template")
    dump = root / "corpus.jsonl"
    ids = write_corpus(dump, PAPERS)
    lib = Library(root / "data")
    assert lib.import_paths([dump]).new == PAPERS
    lib.close()
    (root / "ids.json").write_text(json.dumps(ids))
    return root / "data", ids, dump


@pytest.fixture
def library_dir(template, tmp_path) -> Path:
    return copy_library(template[0], tmp_path / "data")


# -- a driver that changes user data and says what it finished ------------------------------

USER_DATA_DRIVER = """
import json, sys
from tui_reader.library import Library
data, ids_file, start, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ids = json.load(open(ids_file))
lib = Library(data)
print("ready", flush=True)
for i in range(start, stop):
    lib.bookmark(ids[i])
    lib.note(ids[i], f"kiwi {i} " + "x" * (i % 40))
    if i % 5 == 0:
        lib.save_search(f"s{i}", f"number {i}")
    print(i, flush=True)
lib.close()
print("done", flush=True)
"""


def expected_note(i: int) -> str:
    return f"kiwi {i} " + "x" * (i % 40)


def check_user_data(db: Path, ids: list[str], acknowledged: list[int], in_flight: set[int]
                    ) -> None:
    """Every acknowledged change is in the store, complete; each change of a step that was
    in flight is there completely or not at all; nothing else is there."""
    assert integrity(db) == "ok"
    marks = {r[0] for r in rows(db, "SELECT paper_id FROM bookmarks")}
    notes = dict(rows(db, "SELECT paper_id, text FROM notes"))
    saved = {r[0] for r in rows(db, "SELECT name FROM saved_searches")}
    for i in acknowledged:
        assert ids[i] in marks and notes.get(ids[i]) == expected_note(i), i
        if i % 5 == 0:
            assert f"s{i}" in saved
    allowed = set(acknowledged) | in_flight
    assert marks <= {ids[i] for i in allowed}
    for pid, text in notes.items():
        i = ids.index(pid)
        assert i in allowed and text == expected_note(i)  # never a torn note


def test_sigkill_while_saving_bookmarks_and_notes_keeps_every_acknowledged_change(
        template, library_dir, tmp_path):
    ids_file = template[0].parent / "ids.json"
    ids = template[1]
    db = library_dir / "user.sqlite3"
    rng = random.Random(1234)
    acknowledged: list[int] = []
    in_flight: set[int] = set()
    start = 0
    for _ in range(4):
        proc = spawn(USER_DATA_DRIVER, library_dir, ids_file, start, start + 30)
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        kill_after = rng.randint(2, 12)
        done = []
        while len(done) < kill_after:
            line = proc.stdout.readline().strip()
            assert line.isdigit(), (line, proc.stderr.read())
            done.append(int(line))
        time.sleep(rng.uniform(0, 0.03))  # somewhere in the next bookmark, note or backup
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        done += [int(x) for x in rest.split() if x.isdigit()]
        acknowledged += done
        in_flight.add(done[-1] + 1)
        check_user_data(db, ids, acknowledged, in_flight)
        start = done[-1] + 2
        backup = json.loads((library_dir / "user-backup.json").read_text())  # never torn
        assert backup["format"] == "tui-reader user data"
    # The next start finds the store intact and brings the index up to date with the notes
    # whose index writes were killed (note:word finds every note).
    lib = Library(library_dir)
    try:
        assert lib.notices == []
        noted = lib.stats()["notes"]
        assert len(acknowledged) <= noted <= len(acknowledged) + len(in_flight)
        assert lib.search("note:kiwi", limit=1).total == noted
        assert {ids[i] for i in acknowledged} <= {p.id for p in lib.bookmarks()}
    finally:
        lib.close()


def test_sigkill_of_the_real_cli_saving_a_note(template, library_dir):
    """The real command killed at random moments: the note is the old text or the new."""
    ids = template[1]
    db = library_dir / "user.sqlite3"
    rng = random.Random(99)
    started = time.monotonic()
    first = cli(library_dir, "note", ids[0], "--set", "committed text")
    assert first.returncode == 0, first.stderr
    duration = time.monotonic() - started
    committed = "committed text"
    for round_ in range(4):
        text = f"round {round_} " + "y" * 500
        proc = subprocess.Popen(
            [*cli_command(library_dir), "note", ids[0], "--set", text],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env())
        time.sleep(rng.uniform(0.5, 1.1) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert integrity(db) == "ok"
        [(now,)] = rows(db, "SELECT text FROM notes WHERE paper_id = ?", ids[0])
        assert now in (committed, text)
        committed = now
    shown = cli(library_dir, "show", ids[0], "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["note"] == committed


def test_two_processes_and_several_clis_write_at_the_same_moment(template, library_dir):
    ids_file = template[0].parent / "ids.json"
    ids = template[1]
    drivers = [spawn(USER_DATA_DRIVER, library_dir, ids_file, 0, 20),
               spawn(USER_DATA_DRIVER, library_dir, ids_file, 20, 40)]
    clis = [subprocess.Popen([*cli_command(library_dir), "bookmark", ids[i], ids[i + 1]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
            for i in range(60, 64, 2)]
    clis += [subprocess.Popen([*cli_command(library_dir), "saved", "add", f"cli{i}", "graphs"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
             for i in range(2)]
    for proc in drivers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip().endswith("done"), err
    for proc in clis:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    db = library_dir / "user.sqlite3"
    check_user_data_many = {r[0] for r in rows(db, "SELECT paper_id FROM bookmarks")}
    assert check_user_data_many == {ids[i] for i in range(40)} | {ids[i] for i in range(60, 64)}
    notes = dict(rows(db, "SELECT paper_id, text FROM notes"))
    assert notes == {ids[i]: expected_note(i) for i in range(40)}
    saved = {r[0] for r in rows(db, "SELECT name FROM saved_searches")}
    assert saved == {f"s{i}" for i in range(0, 40, 5)} | {f"cli{i}" for i in range(2)}
    # Notes that met a busy index are in the index after the next start.
    found = cli(library_dir, "search", "note:kiwi", "--json", "--limit", "100")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] == 40


HOLD_INDEX = """
import sys, time
from whoosh import index
ix = index.open_dir(sys.argv[1])
writer = ix.writer()
print("holding", flush=True)
sys.stdin.readline()
writer.cancel()
"""


def test_a_note_is_saved_while_another_process_holds_the_index_writer(template, library_dir):
    ids = template[1]
    holder = spawn(HOLD_INDEX, library_dir / "index", stdin=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        started = time.monotonic()
        saved = cli(library_dir, "note", ids[3], "--set", "zebra stripes")
        assert saved.returncode == 0, saved.stderr
        assert time.monotonic() - started < 20
        shown = cli(library_dir, "show", ids[3], "--json")
        assert json.loads(shown.stdout)["note"] == "zebra stripes"
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    found = cli(library_dir, "search", "note:zebra", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == 1, found.stderr


def test_the_backup_follows_every_change_and_is_private(template, library_dir):
    ids = template[1]
    assert cli(library_dir, "bookmark", ids[1]).returncode == 0
    assert cli(library_dir, "note", ids[2], "--set", "a note").returncode == 0
    assert cli(library_dir, "saved", "add", "gr", "graphs").returncode == 0
    backup = library_dir / "user-backup.json"
    assert backup.stat().st_mode & 0o777 == 0o600
    data = json.loads(backup.read_text())
    assert [r[0] for r in data["tables"]["bookmarks"]] == [ids[1]]
    assert [(r[0], r[2]) for r in data["tables"]["notes"]] == [(ids[2], "a note")]
    assert [r[:2] for r in data["tables"]["saved_searches"]] == [["gr", "graphs"]]
    assert cli(library_dir, "unbookmark", ids[1]).returncode == 0
    assert json.loads(backup.read_text())["tables"]["bookmarks"] == []


# -- damaged store files ---------------------------------------------------------------------

def _header(db: Path) -> None:
    with open(db, "r+b") as f:
        f.write(b"this is no longer an SQLite header, sorry" * 3)


def _truncated(db: Path) -> None:
    os.truncate(db, db.stat().st_size * 2 // 5)


def _papers_pages(db: Path) -> None:
    page = root_page(db, "papers")
    for n in range(page, page + 3):
        damage_page(db, n)


def _user_table(db: Path) -> None:
    damage_page(db, root_page(db, "bookmarks"))


def _to_do_list(db: Path) -> None:
    """Damage the user file's index to-do list: the user's own tables still read cleanly."""
    damage_page(db, root_page(db, "index_pending"))


def _text_file(db: Path) -> None:
    db.write_text("hello, I am a text file now\n")


def _zeroed(db: Path) -> None:
    db.write_bytes(bytes(db.stat().st_size))


def user_data_then_close(data_dir: Path, ids: list[str]) -> None:
    lib = Library(data_dir)
    lib.bookmark(ids[5])
    lib.bookmark(ids[6])
    lib.note(ids[7], "walrus thoughts")
    lib.save_search("mine", "graphs")
    lib.close()  # writes the backup
    for name in ("library.sqlite3", "user.sqlite3"):
        assert not Path(f"{data_dir / name}-wal").exists()  # all in the files now


@pytest.mark.parametrize("damage", [_header, _truncated, _user_table, _to_do_list, _text_file,
                                    _zeroed], ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_user_file_is_detected_at_start_and_restored_from_the_backup(
        template, library_dir, damage):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    db = library_dir / "user.sqlite3"
    damage(db)

    listed = cli(library_dir, "bookmarks", "--json")  # the real command, a real start
    assert listed.returncode == 0, listed.stderr
    line = one_line_error(listed.stderr)
    assert "the user data file user.sqlite3" in line, line
    assert "damaged" in line or "not a database" in line, line
    assert "moved to user.sqlite3.corrupt-" in line, line
    assert "import your dump files" not in line, line  # the papers are where they were
    assert "restored 2 bookmarks, 1 notes, 1 saved searches" in line, line
    assert {b["id"] for b in json.loads(listed.stdout)["bookmarks"]} == {ids[5], ids[6]}
    assert len(list(library_dir.glob("user.sqlite3.corrupt-*[0-9]"))) == 1  # kept, not deleted
    assert integrity(db) == "ok"
    lib = Library(library_dir)  # repaired once, quiet after
    try:
        assert lib.notices == []
        assert lib.stats() == {"papers": PAPERS, "sources": 1, "bookmarks": 2, "notes": 1,
                               "saved_searches": 1, "read": 0}
        assert [p.note for p in lib.notes()] == ["walrus thoughts"]
        assert [h.paper.id for h in lib.search("note:walrus").hits] == [ids[7]]
    finally:
        lib.close()


@pytest.mark.parametrize("damage", [_header, _truncated, _papers_pages, _text_file, _zeroed],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_papers_file_is_made_anew_and_the_user_data_is_untouched(
        template, library_dir, damage):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    user_file = library_dir / "user.sqlite3"
    before = {t: rows(user_file, f"SELECT * FROM {t}") for t in ("bookmarks", "notes")}
    damage(library_dir / "library.sqlite3")

    listed = cli(library_dir, "bookmarks", "--json")
    assert listed.returncode == 0, listed.stderr
    line = one_line_error(listed.stderr)
    assert "damaged" in line or "not a database" in line, line
    assert "moved to library.sqlite3.corrupt-" in line and "import your dump files again" in line
    assert "your 2 bookmarks, 1 notes, 1 saved searches are kept" in line, line
    assert {b["id"] for b in json.loads(listed.stdout)["bookmarks"]} == {ids[5], ids[6]}
    assert {t: rows(user_file, f"SELECT * FROM {t}") for t in before} == before
    assert len(list(library_dir.glob("library.sqlite3.corrupt-*[0-9]"))) == 1  # and its WAL
    stats = cli(library_dir, "stats", "--json")
    assert stats.stderr == b"" and json.loads(stats.stdout) == {
        "papers": 0, "sources": 0, "bookmarks": 2, "notes": 1, "saved_searches": 1, "read": 0,
        "fast_paths": True}


def test_after_a_repair_a_reimport_brings_the_papers_back_with_their_user_data(
        template, library_dir):
    ids, dump = template[1], template[2]
    user_data_then_close(library_dir, ids)
    _header(library_dir / "library.sqlite3")
    assert b"moved to library.sqlite3.corrupt-" in cli(library_dir, "stats").stderr
    again = cli(library_dir, "import", dump)
    assert again.returncode == 0 and again.stderr == b"", again.stderr
    shown = json.loads(cli(library_dir, "show", ids[7], "--json").stdout)
    assert shown["note"] == "walrus thoughts" and shown["title"].startswith("Paper 7 on ")
    found = json.loads(cli(library_dir, "search", "note:walrus", "--json").stdout)
    assert [r["id"] for r in found["results"]] == [ids[7]]  # the note is searchable again
    [saved] = json.loads(cli(library_dir, "saved", "--json").stdout)["saved"]
    assert saved["count"] == PAPERS // 12  # "graphs": every twelfth paper


@pytest.mark.parametrize("backup", ["missing", "garbage", "wrong shape"])
@pytest.mark.parametrize("damage", [_header, _to_do_list], ids=["header", "to_do_list"])
def test_a_damaged_store_without_a_usable_backup_still_opens_and_says_so(
        template, library_dir, damage, backup):
    ids = template[1]
    user_data_then_close(library_dir, ids)
    copy = library_dir / "user-backup.json"
    if backup == "missing":
        copy.unlink()
    elif backup == "garbage":
        copy.write_bytes(b"\x00{not json")
    else:
        copy.write_text(json.dumps({"format": "tui-reader user data", "tables": [1, 2]}))
    damage(library_dir / "user.sqlite3")
    lib = Library(library_dir)
    try:
        [notice] = lib.notices
        if damage is _header:  # nothing can be read from the damaged file either
            assert "restored 0 bookmarks, 0 notes, 0 saved searches from nothing" in notice
            assert "no backup was found" in notice
        else:  # the user's tables still read cleanly: nothing is lost
            assert "restored 2 bookmarks, 1 notes, 1 saved searches from the damaged file (" \
                in notice
            assert {b.id for b in lib.bookmarks()} == {ids[5], ids[6]}
        lib.save_search("after", "graphs")  # and it works
    finally:
        lib.close()
    assert json.loads(copy.read_text())["format"] == "tui-reader user data"  # a new backup


KILL_AFTER_A_QUIET_NOTE = """
import sys, time
from tui_reader.library import Library
lib = Library(sys.argv[1])
lib.note(sys.argv[2], "first thought")
lib.store.write_backup()
lib.store._last_backup = time.monotonic()  # the next change is not backed up at once
lib.note(sys.argv[2], "second thought, newer than the backup")
print("noted", flush=True)
time.sleep(60)
"""


def test_repair_keeps_user_data_newer_than_the_backup_when_it_still_reads(
        template, library_dir):
    ids = template[1]
    proc = spawn(KILL_AFTER_A_QUIET_NOTE, library_dir, ids[9])
    assert proc.stdout.readline().strip() == "noted", proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    backup = json.loads((library_dir / "user-backup.json").read_text())
    assert backup["tables"]["notes"][0][2] == "first thought"
    db = library_dir / "user.sqlite3"
    checkpoint(db)
    _to_do_list(db)
    shown = cli(library_dir, "notes", "--json")
    assert "restored 0 bookmarks, 1 notes" in one_line_error(shown.stderr)
    assert "from the damaged file and the backup" in shown.stderr.decode()
    assert json.loads(shown.stdout)["notes"][0]["note"] == "second thought, newer than the backup"


def test_damage_met_by_a_query_is_repaired_at_the_next_start(template, library_dir,
                                                            monkeypatch):
    """A big store is checked whole only once a day; damage a query meets is reported in a
    sentence and makes the next start check the whole file (and repair it)."""
    ids = template[1]
    monkeypatch.setattr(repair, "DEEP_CHECK_MAX_BYTES", 0)  # as if the store were big
    lib = Library(library_dir)
    lib.bookmark(ids[0])
    lib.close()
    db = library_dir / "library.sqlite3"
    stamp = library_dir / "library.sqlite3.checked"
    assert stamp.exists()  # the whole-file check ran and is remembered
    _papers_pages(db)
    lib = Library(library_dir)  # only the user tables are checked: the damage is not seen
    try:
        assert lib.notices == []
        with pytest.raises(StoreCorrupt, match="is damaged .* start tui-reader again"):
            lib.browse("all", limit=500)
        assert not stamp.exists()
    finally:
        lib.close()
    _assert_repaired_with_bookmark(library_dir, ids[0])


def _assert_repaired_with_bookmark(library_dir, paper_id: str) -> None:
    """The next plain start moved the damaged store aside, rebuilt it, and kept the
    bookmark."""
    lib = Library(library_dir)
    try:
        assert lib.notices and "moved to library.sqlite3.corrupt-" in lib.notices[0]
        assert [b.id for b in lib.bookmarks()] == [paper_id]
    finally:
        lib.close()


def test_the_readers_start_checks_a_big_store_whole_after_its_first_screen(
        template, library_dir, monkeypatch):
    """The daily whole-file check of a big store takes seconds at a million papers: the
    reader (Library(defer_checks=True)) does it after its first screen, in the background
    (Library.check_store); damage it finds is said and repaired at the next start."""
    ids = template[1]
    monkeypatch.setattr(repair, "DEEP_CHECK_MAX_BYTES", 0)  # as if the store were big
    stamp = library_dir / "library.sqlite3.checked"
    stamp.unlink(missing_ok=True)  # not checked for a day
    lib = Library(library_dir, defer_checks=True)
    try:
        assert not stamp.exists()  # left for later
        lib.bookmark(ids[0])
        lib.check_store()
        assert lib.notices == [] and stamp.exists()
    finally:
        lib.close()
    _papers_pages(library_dir / "library.sqlite3")
    stamp.unlink()
    lib = Library(library_dir, defer_checks=True)
    try:
        assert lib.notices == []  # the open did not read the papers' file whole
        lib.check_store()
        assert len(lib.notices) == 1
        assert "is damaged" in lib.notices[0] and "start tui-reader again" in lib.notices[0]
        assert not stamp.exists()
    finally:
        lib.close()
    _assert_repaired_with_bookmark(library_dir, ids[0])


def test_a_command_leaves_a_big_stores_daily_check_to_the_reader(template, library_dir,
                                                                  monkeypatch):
    """A command's start (Library without defer_checks) checks a big papers' file whole when
    it was never checked, but not every day: that is the reader's, in the background."""
    ids = template[1]
    monkeypatch.setattr(repair, "DEEP_CHECK_MAX_BYTES", 0)  # as if the store were big
    stamp = library_dir / "library.sqlite3.checked"
    stamp.unlink(missing_ok=True)
    lib = Library(library_dir)
    lib.bookmark(ids[0])
    lib.close()
    assert stamp.exists()  # never checked: checked whole
    day_old = time.time() - repair.DEEP_CHECK_EVERY - 60
    os.utime(stamp, (day_old, day_old))
    _papers_pages(library_dir / "library.sqlite3")
    Library(library_dir).close()
    assert stamp.stat().st_mtime == day_old  # not read whole, not repaired
    lib = Library(library_dir, defer_checks=True)
    try:
        lib.check_store()
        assert len(lib.notices) == 1 and "is damaged" in lib.notices[0]
    finally:
        lib.close()
    _assert_repaired_with_bookmark(library_dir, ids[0])


def test_two_processes_starting_on_a_damaged_store_repair_it_once(template, library_dir):
    ids = template[1]
    assert cli(library_dir, "bookmark", ids[1]).returncode == 0
    _header(library_dir / "library.sqlite3")
    procs = [subprocess.Popen([*cli_command(library_dir), "bookmarks", "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
             for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert sum(b"moved to library.sqlite3.corrupt-" in err for _, err in results) == 1
    assert all(json.loads(out)["bookmarks"][0]["id"] == ids[1] for out, _ in results)
    assert len(list(library_dir.glob("library.sqlite3.corrupt-*"))) == 1


# -- a full disk (a read-only library: test_hardening_files.py) ---------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs (a real disk that fills up); skipped where mounting is not allowed."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root (a full disk cannot be made otherwise)")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_gives_a_clear_error_and_loses_nothing(template, small_disk, tmp_path):
    ids, dump = template[1], template[2]
    data = small_disk / "data"
    assert cli(data, "import", dump).returncode == 0
    assert cli(data, "bookmark", ids[0]).returncode == 0
    assert cli(data, "note", ids[1], "--set", "before the disk filled").returncode == 0
    other = tmp_path / "other.jsonl"
    write_corpus(other, 400, "Other", year=22)
    filler = fill(small_disk)

    for args in (("bookmark", ids[2]), ("note", ids[1], "--set", "lost?"), ("import", other),
                 ("saved", "add", "x", "graphs")):
        done = cli(data, *args)
        assert done.returncode == 1, (args, done.stdout)
        assert "the disk is full" in one_line_error(done.stderr), args

    filler.unlink()
    assert integrity(data / "library.sqlite3") == integrity(data / "user.sqlite3") == "ok"
    marks = json.loads(cli(data, "bookmarks", "--json").stdout)["bookmarks"]
    assert [m["id"] for m in marks] == [ids[0]]
    shown = json.loads(cli(data, "show", ids[1], "--json").stdout)
    assert shown["note"] == "before the disk filled"
    assert cli(data, "bookmark", ids[2]).returncode == 0  # works again with space
    assert json.loads(cli(data, "search", "graphs", "--json").stdout)["total"] > 0


def test_an_import_that_fills_the_disk_stops_with_a_clear_error(template, small_disk, tmp_path):
    data = small_disk / "data"
    ids, dump = template[1], template[2]
    assert cli(data, "import", dump).returncode == 0
    assert cli(data, "bookmark", ids[0]).returncode == 0
    big = tmp_path / "big.jsonl"
    write_corpus(big, 3000, "Bulky", year=23)
    free = shutil.disk_usage(small_disk).free  # leave about 600 kB
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - 600_000))
    done = cli(data, "import", big)
    assert done.returncode == 1
    said = done.stderr.decode()  # the store's sentence, or the index writer's (naming the dir)
    assert "the disk is full" in said or f"the disk holding {data} is full" in said
    assert "Traceback" not in done.stderr.decode()
    (small_disk / "filler").unlink()
    assert integrity(data / "library.sqlite3") == integrity(data / "user.sqlite3") == "ok"
    again = cli(data, "import", big)  # a re-import completes
    assert again.returncode == 0, again.stderr
    assert json.loads(cli(data, "stats", "--json").stdout)["papers"] == PAPERS + 3000
    assert json.loads(cli(data, "search", "bulky", "--json").stdout)["total"] == 3000
    assert json.loads(cli(data, "bookmarks", "--json").stdout)["bookmarks"][0]["id"] == ids[0]
