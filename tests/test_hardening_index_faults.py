"""Faults around the index writer processes (README "Design"): the importing process killed
alone, a disk that fills up. Real processes, a real small file system."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_hardening_support import cli, integrity, one_line_error, rows, spawn, write_corpus

PARALLEL_IMPORT = """
import sys
from tui_reader import importing
importing.PARALLEL_BYTES = 0  # two writer processes for a small dump too
from tui_reader.library import Library
lib = Library(sys.argv[1])
told = False
def progress(p):
    global told
    if p.indexed and p.papers - p.indexed >= 4000 and not told:  # the writers are busy
        told = True
        print("writers", lib._feeder.lead.process.pid, lib._feeder.helper.process.pid,
              flush=True)
lib.import_paths([sys.argv[2]], progress=progress)
print("done", flush=True)
"""


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent to read its status does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return [p for p in pids if _alive(p)]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_writer_processes_end_with_the_importing_process_and_the_next_start_mends(tmp_path):
    data, dump = tmp_path / "data", tmp_path / "papers.jsonl"
    write_corpus(dump, 7000, "Orphan")
    proc = spawn(PARALLEL_IMPORT, data, dump)
    line = proc.stdout.readline().split()
    assert line and line[0] == "writers", proc.stderr.read()
    writers = [int(pid) for pid in line[1:]]
    proc.send_signal(signal.SIGKILL)  # the importing process alone, not its group
    proc.wait()
    # They end with it (at once: they had two batches to index, a second or more of work)
    assert _wait_gone(writers, 0.5) == []
    stored = rows(data / "library.sqlite3", "SELECT count(*) FROM papers")[0][0]
    assert 4000 <= stored < 7000
    done = cli(data, "search", "orphan", "--json")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["total"] == stored  # all that was stored is searchable


WATCHED = """
import os, sys, time
from tui_reader.index import writer_processes
writer_processes._death_signal = lambda: False  # as where prctl is not there
writer_processes.end_with_parent(int(sys.argv[1]))
print("watching", flush=True)
time.sleep(60)
"""

MIDDLE = """
import subprocess, sys
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(__import__("os").getpid())],
                         env=None)
print(child.pid, flush=True)
child.wait()
"""


def test_without_prctl_a_thread_ends_the_writer_when_its_parent_ends():
    middle = spawn(MIDDLE, WATCHED)
    child = int(middle.stdout.readline())
    assert middle.stdout.readline().strip() == "watching", middle.stderr.read()
    middle.send_signal(signal.SIGKILL)
    middle.wait()
    assert _wait_gone([child], 10.0) == []


def _mount_tmpfs(path: Path, size: str, remount: bool = False) -> subprocess.CompletedProcess:
    options = f"{'remount,' if remount else ''}size={size},mode=0700"
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True)


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB file system (tmpfs: needs root); remount(size) grows it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or _mount_tmpfs(disk, "3m").returncode:
        pytest.skip("mounting a tmpfs needs root (test_a_full_disk_met_by_a_writer_process"
                    " covers the same without a mount)")
    try:
        yield disk, lambda size: _mount_tmpfs(disk, size, remount=True)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_full_disk_during_an_import_is_one_line_and_nothing_saved_is_lost(small_disk,
                                                                             tmp_path):
    disk, remount = small_disk
    data, dump, small = disk / "data", tmp_path / "big.jsonl", tmp_path / "small.jsonl"
    kept = write_corpus(small, 20, "Kept", year=23)
    assert cli(data, "import", small).returncode == 0
    assert cli(data, "bookmark", kept[0]).returncode == 0
    write_corpus(dump, 28000, "Full")  # over 8 MB: indexed by two writer processes
    assert dump.stat().st_size >= 8 << 20
    done = cli(data, "import", dump)
    assert done.returncode == 1 and done.stdout == b""
    line = one_line_error(done.stderr)  # no traceback of any process, one line
    assert "full" in line and str(data) in line, line
    assert integrity(data / "library.sqlite3") == "ok"
    stored = rows(data / "library.sqlite3", "SELECT count(*) FROM papers")[0][0]

    [(sha1,)] = rows(data / "library.sqlite3", "SELECT sha1 FROM files WHERE path = ?",
                     str(dump))
    assert sha1 == ""  # not marked done: the next import reads it again

    assert remount("64m").returncode == 0
    found = cli(data, "search", "full", "--json")
    assert found.returncode == 0 and b"Traceback" not in found.stderr, found.stderr
    assert json.loads(found.stdout)["total"] == stored - 20  # what was saved is all there
    assert json.loads(cli(data, "bookmarks", "--json").stdout)["bookmarks"][0]["id"] == kept[0]
