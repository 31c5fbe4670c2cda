"""The index is derived and mended from the store (README "Design").

Imports and rebuilds killed with SIGKILL, index files really damaged, two real imports at once.
User data is never touched by any of it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from whoosh import fields, index

from tests.conftest import FIXTURES
from tests.test_hardening_support import (
    cli,
    cli_command,
    cli_env,
    copy_library,
    integrity,
    one_line_error,
    rows,
    spawn,
    unprivileged,
    write_corpus,
)
from tui_reader.library import Library

PAPERS = 120
USER_TABLES = ("bookmarks", "notes", "saved_searches", "read_state", "settings")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, list[str]]:
    """A data dir with PAPERS papers, two bookmarks, a note and a saved search."""
    root = tmp_path_factory.mktemp("index-template")
    dump = root / "corpus.jsonl"
    ids = write_corpus(dump, PAPERS)
    lib = Library(root / "data")
    lib.import_paths([dump])
    lib.bookmark(ids[1])
    lib.bookmark(ids[2])
    lib.note(ids[3], "walrus thoughts")
    lib.save_search("graphs", "graphs")
    lib.close()
    return root / "data", ids


@pytest.fixture
def library_dir(template, tmp_path) -> Path:
    return copy_library(template[0], tmp_path / "data")


def user_data(data_dir: Path) -> dict[str, list[tuple]]:
    db = data_dir / "user.sqlite3"
    return {t: rows(db, f"SELECT * FROM {t} ORDER BY 1") for t in USER_TABLES}


def segment(data_dir: Path) -> Path:
    """The biggest file of the index's segments."""
    files = [f for f in (data_dir / "index").iterdir()
             if f.is_file() and not f.name.startswith("_") and f.name != "MAIN_WRITELOCK"]
    return max(files, key=lambda f: f.stat().st_size)


def toc(data_dir: Path) -> Path:
    return next((data_dir / "index").glob("_MAIN_*.toc"))


def _toc_missing(d: Path) -> None:
    toc(d).unlink()


def _toc_garbage(d: Path) -> None:
    toc(d).write_bytes(bytes(range(256)) * 4)


def _segment_truncated(d: Path) -> None:
    f = segment(d)
    os.truncate(f, f.stat().st_size // 2)


def _segment_zeroed(d: Path) -> None:
    f = segment(d)
    f.write_bytes(bytes(f.stat().st_size))


def _segment_tail_garbage(d: Path) -> None:
    f = segment(d)
    with open(f, "r+b") as out:
        out.seek(-600, os.SEEK_END)
        out.write(bytes((i * 91 + 7) % 256 for i in range(600)))


def _segment_missing(d: Path) -> None:
    segment(d).unlink()


def _index_is_a_file(d: Path) -> None:
    import shutil
    shutil.rmtree(d / "index")
    (d / "index").write_text("not an index")


def _other_version(d: Path) -> None:
    import shutil
    shutil.rmtree(d / "index")
    (d / "index").mkdir()
    ix = index.create_in(d / "index", fields.Schema(id=fields.ID(stored=True),
                                                    title=fields.TEXT))
    with ix.writer() as w:
        w.add_document(id="x", title="an index of some older version")


@pytest.mark.parametrize("damage", [
    _toc_missing, _toc_garbage, _segment_truncated, _segment_zeroed, _segment_tail_garbage,
    _segment_missing, _index_is_a_file, _other_version], ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_index_is_detected_at_start_and_rebuilt_from_the_store(
        template, library_dir, damage):
    ids = template[1]
    before = user_data(library_dir)
    damage(library_dir)
    seen: list[tuple[int, int]] = []
    lib = Library(library_dir, progress=lambda done, total: seen.append((done, total)))
    try:
        assert lib.index_rebuilt
        assert len(lib.notices) == 1 and "rebuilt" in lib.notices[0], lib.notices
        assert seen and seen[-1] == (PAPERS, PAPERS)  # progress while it rebuilt
        assert lib.search("number", limit=1).total == PAPERS
        assert [h.paper.id for h in lib.search("note:walrus").hits] == [ids[3]]
        assert lib.count("graphs") == PAPERS // 12
    finally:
        lib.close()
    assert user_data(library_dir) == before  # user data never touched
    assert integrity(library_dir / "library.sqlite3") == "ok"
    assert integrity(library_dir / "user.sqlite3") == "ok"
    lib = Library(library_dir)
    try:
        assert not lib.index_rebuilt and lib.notices == []
    finally:
        lib.close()


def test_an_unreadable_index_is_rebuilt_by_the_real_cli(template, library_dir):
    prefix = unprivileged()
    os.chmod(segment(library_dir), 0)
    done = cli(library_dir, "search", "number", "--json", prefix=prefix)
    assert done.returncode == 0, done.stderr
    errors = done.stderr.decode()
    assert "Traceback" not in errors
    assert f"updating the search index from the library ({PAPERS} papers)" in errors
    assert "the search index could not be read" in errors and "rebuilt" in errors
    assert json.loads(done.stdout)["total"] == PAPERS
    again = cli(library_dir, "stats", prefix=prefix)
    assert again.returncode == 0 and again.stderr == b""


SLOW_IMPORT = """
import sys, time
from tui_reader.library import Library
lib = Library(sys.argv[1])
told = False
def progress(p):
    global told
    if p.papers and not told:
        told = True
        print("importing", flush=True)
        time.sleep(float(sys.argv[3]))
report = lib.import_paths([sys.argv[2]], progress=progress)
lib.close()
print("done", report.new, flush=True)
"""


def test_a_second_import_while_one_runs_waits_or_says_another_import_is_running(
        template, library_dir, tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_corpus(first, 300, "First", year=23)
    write_corpus(second, 200, "Second", year=22)
    running = spawn(SLOW_IMPORT, library_dir, first, 4)
    assert running.stdout.readline().strip() == "importing", running.stderr.read()
    others = [subprocess.Popen([*cli_command(library_dir), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=cli_env())
              for args in (("import", second), ("reindex",))]
    results = [(p, *p.communicate(timeout=120)) for p in others]
    still_running = running.poll() is None
    for proc, out, err in results:
        if proc.returncode == 1:  # it said so, in one line, and changed nothing
            assert "another import is running" in one_line_error(err)
        else:  # it waited for the first one
            assert proc.returncode == 0, err
    if still_running:  # the import lock refuses at once, while the first import runs
        assert [p.returncode for p, _, _ in results] == [1, 1]
    out, err = running.communicate(timeout=120)
    assert running.returncode == 0 and out.strip().endswith("done 300"), err
    if results[0][0].returncode == 1:
        assert cli(library_dir, "import", second).returncode == 0
    lib = Library(library_dir)
    try:
        assert lib.notices == []
        assert lib.stats()["papers"] == PAPERS + 500
        assert lib.search("first", limit=1).total == 300
        assert lib.search("second", limit=1).total == 200
    finally:
        lib.close()


IMPORT = """
import sys
from tui_reader.library import Library
lib = Library(sys.argv[1])
lib.import_paths([sys.argv[2]], progress=lambda p: print("progress", p.papers, flush=True))
print("done", flush=True)
"""


def test_an_import_killed_midway_leaves_a_usable_index_and_a_reimport_completes(
        template, library_dir, tmp_path):
    ids = template[1]
    big = tmp_path / "big.jsonl"
    write_corpus(big, 4000, "Killed", year=21)
    before = user_data(library_dir)
    rng = random.Random(7)
    proc = spawn(IMPORT, library_dir, big)
    while True:  # until a first batch is in the store
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        if line.startswith("progress") and int(line.split()[1]) > 0:
            break
    time.sleep(rng.uniform(0, 0.02))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    db = library_dir / "library.sqlite3"
    assert integrity(db) == "ok"
    [(sha1,)] = rows(db, "SELECT sha1 FROM files WHERE path = ?", str(big.resolve()))
    assert sha1 == ""  # not marked done: the next import reads the file again
    stored = rows(db, "SELECT count(*) FROM papers")[0][0]
    assert PAPERS < stored <= PAPERS + 4000

    lib = Library(library_dir)  # usable: everything the store has is searchable
    try:
        assert lib.search("number", limit=1).total == stored
        assert lib.search("killed", limit=1).total == stored - PAPERS
        assert [h.paper.id for h in lib.search("note:walrus").hits] == [ids[3]]
        report = lib.import_paths([big])  # the re-import completes
        assert not report.failed and report.files[0].skipped is False
        assert lib.stats()["papers"] == PAPERS + 4000
        assert lib.search("killed", limit=1).total == 4000
    finally:
        lib.close()
    assert user_data(library_dir) == before
    [(sha1,)] = rows(db, "SELECT sha1 FROM files WHERE path = ?", str(big.resolve()))
    assert len(sha1) == 40
    again = cli(library_dir, "import", big)
    assert again.returncode == 0 and b"1 unchanged file skipped" in again.stdout


REINDEX = """
import sys
from tui_reader.library import Library
lib = Library(sys.argv[1])
print("ready", flush=True)
lib.reindex(progress=lambda done, total: print("progress", done, flush=True))
print("done", flush=True)
"""


def test_a_rebuild_killed_midway_is_finished_at_the_next_start(template, library_dir,
                                                             tmp_path):
    big = tmp_path / "big.jsonl"
    write_corpus(big, 2500, "Rebuilt", year=21)
    lib = Library(library_dir)
    lib.import_paths([big])
    lib.close()
    before = user_data(library_dir)
    proc = spawn(REINDEX, library_dir)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    line = proc.stdout.readline()
    assert line.startswith("progress"), (line, proc.stderr.read())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lib = Library(library_dir)
    try:
        assert lib.search("number", limit=1).total == PAPERS + 2500
        assert lib.index_rebuilt and "was rebuilt" in lib.notices[0]
    finally:
        lib.close()
    assert user_data(library_dir) == before


def test_concurrent_starts_do_not_rebuild_under_a_running_import(template, library_dir,
                                                                tmp_path):
    """A reader starting while another process imports leaves the index to it."""
    first = tmp_path / "first.jsonl"
    write_corpus(first, 300, "First", year=23)
    running = spawn(SLOW_IMPORT, library_dir, first, 3)
    assert running.stdout.readline().strip() == "importing", running.stderr.read()
    readers = [subprocess.Popen([*cli_command(library_dir), "search", "number", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env())
               for _ in range(2)]
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0 and err == b"", err
        assert json.loads(out)["total"] >= PAPERS
    out, err = running.communicate(timeout=120)
    assert running.returncode == 0, err
    lib = Library(library_dir)
    try:
        assert not lib.index_rebuilt and lib.notices == []
        assert lib.search("number", limit=1).total == PAPERS + 300
    finally:
        lib.close()


NOTE_WRITER = """
import json, sys, time
from tui_reader.library import Library
ids = json.loads(sys.argv[2])
lib = Library(sys.argv[1])
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[3])
i = 0
while time.monotonic() < end:
    lib.note(ids[i % len(ids)], f"kiwi {i}")
    i += 1
lib.close()
print("wrote", i, flush=True)
"""


def test_searches_hold_while_other_processes_commit_the_index(template, library_dir):
    """Another process's commit may remove the files of segments a searcher has not opened
    yet (Whoosh opens them lazily): searching goes on, on the new generation."""
    ids = template[1]
    writers = [spawn(NOTE_WRITER, library_dir, json.dumps(ids[k::2]), 3) for k in (0, 1)]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
    lasting = Library(library_dir)  # as the reader keeps it
    errors: list[str] = []
    searches = 0
    try:
        while any(w.poll() is None for w in writers):
            fresh = Library(library_dir)  # as a command does
            try:
                for lib in (lasting, fresh):
                    for query in ("graphs", "number", "note:kiwi", "paper*"):
                        result = lib.search(query)
                        searches += 1
                        if result.error:
                            errors.append(result.error)
                    lib.similar(ids[0])
            finally:
                fresh.close()
    finally:
        lasting.close()
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
    assert errors == [] and searches > 20


def test_start_clears_only_what_it_wrote_of_the_index_to_do_list(tmp_path, monkeypatch):
    """A start writes the pending index documents; a note another process defers meanwhile
    (it leaves the index alone while the start holds the import lock) stays pending."""
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        first, second = lib.browse(limit=2)[1]
        lib.store.set_note(first.id, first.title, "a note the index has not seen")
        write = lib.index.write

        def write_then_another_note(docs, **kwargs):
            written = write(docs, **kwargs)
            # another process's note, meanwhile
            lib.store.set_note(second.id, second.title, "saved meanwhile")
            return written

        monkeypatch.setattr(lib.index, "write", write_then_another_note)
        lib._check_index()
        assert lib.store.index_pending() == (False, [second.id])
    finally:
        lib.close()


def test_the_index_size_counts_a_file_another_commit_removes_meanwhile_as_none(corpus_lib,
                                                                              monkeypatch):
    """The start's size check lists the index folder, then asks each file's size: another
    process's commit may remove a file in between (it did, in the test above)."""
    folder = corpus_lib.index.path
    vanishing = folder / "MAIN_vanishing.pst"
    vanishing.write_bytes(b"x" * 1000)
    kept = sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and p != vanishing)
    listed = os.scandir

    def scandir(path):
        entries = list(listed(path))
        vanishing.unlink()  # removed after the listing
        return iter(entries)

    monkeypatch.setattr(os, "scandir", scandir)
    assert corpus_lib.index.size() == kept
