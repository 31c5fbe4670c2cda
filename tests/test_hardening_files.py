"""Odd files and odd data dirs (issue 12): file names that are not UTF-8, decompression and
size bombs, a read-only library, the modes of everything in the data dir.

Real CLI processes on real files: names made of raw bytes, gzip bombs, a read-only bind mount
and a library its user cannot write (root's rights dropped with setpriv), umask 000.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.test_e2e_tmux import TMUX, Terminal
from tests.test_hardening_support import (ROOT, assert_terminal_safe, cli, cli_command,
                                          cli_env, copy_library, corpus, one_line_error,
                                          unprivileged, write_corpus)


def jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


# -- file names that are not UTF-8 -------------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_imported_and_shown_with_escapes(tmp_path):
    folder = tmp_path / "dumps"
    folder.mkdir()
    records = corpus(3)
    for name, record in zip((b"a.jsonl", b"bad\xff.json", b"c.jsonl"), records):
        (folder / os.fsdecode(name)).write_bytes(jsonl([record]))
    (folder / os.fsdecode(b"junk\xfe.txt")).write_bytes(b"\x00\x01 not a dump")
    data = tmp_path / "data"

    done = cli(data, "import", folder)
    assert done.returncode == 1  # the junk file failed; every other file was read
    errors = assert_terminal_safe(done.stderr)
    assert errors.splitlines() == [f"failed: {folder}/junk\\xfe.txt: not a recognised dump:"
                                   " binary file"]
    assert done.stdout.decode().strip() == ("3 papers from 4 files: 3 new, 0 updated; 1 file"
                                            " failed")

    shown = json.loads(cli(data, "show", records[1]["id"], "--json").stdout)
    assert shown["title"] == records[1]["title"]
    assert [s["path"] for s in shown["sources"]] == [f"{folder}/bad\\xff.json"]
    again = cli(data, "import", folder)  # the same file under the same odd name: unchanged
    assert "(3 unchanged files skipped)" in again.stdout.decode(), again.stdout
    assert json.loads(cli(data, "stats", "--json").stdout)["papers"] == 3


# -- decompression and size bombs --------------------------------------------------------------

MB = 1 << 20


def gzip_bomb(path: Path, before: bytes, run: bytes, size: int, after: bytes) -> Path:
    """A gzip file of `before`, `run` repeated up to `size` bytes, `after`: a few hundred KB
    that expand to `size`."""
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(before)
        chunk = run * (MB // len(run))
        for _ in range(size // len(chunk)):
            f.write(chunk)
        f.write(after)
    return path


def measured_cli(data: Path, *args) -> dict:
    """The real CLI in a process (started by a small one: see benchmarks/bombs.py): its
    exit status, stdout, stderr, wall seconds and peak RSS in MB."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bombs.py"), "--measure",
                           *cli_command(data), *map(str, args)],
                          capture_output=True, env=cli_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_gzip_bomb_stops_at_its_bound_in_one_line_and_the_rest_is_imported(tmp_path):
    good = corpus(6)
    bomb = gzip_bomb(tmp_path / "bomb.jsonl.gz", jsonl(good[:2]) + b'{"title": "', b"A",
                     150 * MB, b'"}\n' + jsonl(good[2:3]))
    page = gzip_bomb(tmp_path / "page.txt.gz", b"Daily Papers\n\nA title\n\n", b"word ",
                     150 * MB, b"\n")
    other = tmp_path / "other.jsonl"
    other.write_bytes(jsonl(good[3:]))
    data = tmp_path / "data"

    done = measured_cli(data, "import", bomb, page, other)
    assert done["exit"] == 1
    errors = assert_terminal_safe(done["err"].encode()).splitlines()
    assert f"failed: {bomb}: the gzip data expands past 64 MB, more than 100 times the file's" \
           f" {round(bomb.stat().st_size / 1024)} KB: not read further" in errors, errors
    assert f"failed: {page}: more than 32 MB: a dump read as text is read whole, up to 32 MB" \
           " (JSONL and CSV are read as streams)" in errors, errors
    assert len(errors) == 2, errors  # one line a bomb
    assert done["out"].startswith("3 papers from 3 files: 3 new")
    assert done["peak_mb"] < 250 and done["s"] < 60, done  # was 1.3 GB and 40 s for 200 MB

    stats = json.loads(cli(data, "stats", "--json").stdout)
    assert stats["papers"] == 3
    size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    assert size < 5 * MB, size
    found = measured_cli(data, "search", "galaxies", "--json")
    assert json.loads(found["out"])["total"] >= 1
    assert found["peak_mb"] < 250, found


def test_every_field_is_bounded_and_what_is_cut_is_named(tmp_path):
    good = corpus(3)
    long_title = "Scaling " * 100_000  # 800,000 characters
    records = [
        good[0],
        {**good[1], "title": long_title},
        {**good[2], "abstract": "words " * 40_000, "authors": [f"Author {i}" for i in range(9000)],
         "categories": ["cs.LG", "x" * 5000]},
    ]
    dump = tmp_path / "big.jsonl"
    dump.write_bytes(jsonl(records) + b'{"title": "' + b"T" * (5 * MB) + b'"}\n'
                     + jsonl([{**good[0], "title": "After the long line", "id": "2499.00001"}]))
    data = tmp_path / "data"
    done = cli(data, "import", dump)
    assert done.returncode == 0, done.stderr
    warnings = assert_terminal_safe(done.stderr).splitlines()
    assert warnings == [  # the title's last space is cleaned away
        f"warning: {dump}: record 2 ('{long_title[:40]}'): cut the title (799,999 characters)",
        f"warning: {dump}: record 3 ('{good[2]['title']}'): cut the abstract (239,999"
        " characters) and the authors (9,000, 5,000 kept) and categories longer than 300"
        " characters",
        f"warning: {dump}: line 4: longer than 4 MB: skipped",
    ], warnings
    assert done.stdout.decode().startswith("4 papers from 1 file: 4 new")

    def show(arxiv_id: str) -> dict:
        return json.loads(cli(data, "show", arxiv_id, "--json").stdout)

    title = show(good[1]["id"])["title"]
    assert len(title) == 500 and title.endswith("…") and title.startswith("Scaling Scaling")
    third = show(good[2]["id"])
    assert len(third["abstract"]) == 50_000 and len(third["authors"]) == 5000
    assert third["authors_count"] == 9000 and len(third["categories"][1]) == 300
    assert show("2499.00001")["title"] == "After the long line"


# -- a read-only library -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def library_template(tmp_path_factory) -> tuple[Path, list[str]]:
    """A data dir with 30 papers, a bookmark, a note and a saved search: (data dir, ids)."""
    root = tmp_path_factory.mktemp("read-only")
    dump = root / "corpus.jsonl"
    ids = write_corpus(dump, 30)
    data = root / "data"
    for args in (("import", dump), ("bookmark", ids[0]), ("note", ids[1], "--set", "kiwi"),
                 ("saved", "add", "mine", "graphs")):
        assert cli(data, *args).returncode == 0
    return data, ids


@pytest.fixture(params=["chmod", "mount"])
def read_only_library(request, library_template, tmp_path):
    """A copy of the template made read-only for real, and the prefix to run the CLI with:
    `chmod -R a-w` (as root, run without the right to override permissions), or a read-only
    bind mount."""
    data = copy_library(library_template[0], tmp_path / "data")
    if request.param == "chmod":
        prefix = unprivileged()
        subprocess.run(["chmod", "-R", "a-w", str(data)], check=True)
        yield data, prefix
        subprocess.run(["chmod", "-R", "u+w", str(data)], check=True)
        return
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (the chmod case covers the rest)")
    subprocess.run(["mount", "--bind", str(data), str(data)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(data)], check=True)
        yield data, []
    finally:
        subprocess.run(["umount", "-l", str(data)], check=True)


def snapshot(data: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*"))
            if p.is_file()}


def test_a_read_only_library_reads_and_each_change_is_refused_in_one_line(
        library_template, read_only_library):
    ids = library_template[1]
    data, prefix = read_only_library
    before = snapshot(data)

    def run(*args, **kwargs) -> subprocess.CompletedProcess:
        return cli(data, *args, prefix=prefix, **kwargs)

    out = {}
    for args in (("stats", "--json"), ("search", "graphs", "--json"), ("show", ids[1], "--json"),
                 ("bookmarks", "--json"), ("notes", "--json"), ("saved", "--json"),
                 ("export", "bookmarks", "--format", "json"), ("search", "number 3")):
        done = run(*args)
        assert done.returncode == 0 and done.stderr == b"", (args, done.stderr)
        out[args[:2]] = done.stdout
    assert json.loads(out["stats", "--json"])["papers"] == 30
    assert json.loads(out["search", "graphs"])["total"] == 3
    shown = json.loads(out["show", ids[1]])
    assert shown["note"] == "kiwi" and not shown["bookmarked"]
    assert [p["id"] for p in json.loads(out["bookmarks", "--json"])["bookmarks"]] == [ids[0]]
    assert json.loads(out["saved", "--json"])["saved"][0]["count"] == 3

    for args in (("bookmark", ids[2]), ("unbookmark", ids[0]), ("note", ids[1], "--set", "x"),
                 ("saved", "add", "more", "robots"), ("saved", "rm", "mine"),
                 ("import", library_template[0].parent / "corpus.jsonl"), ("import", "-"),
                 ("reindex",)):
        done = run(*args, input=b"A pasted title\n\nA pasted abstract of a page.\n")
        assert done.returncode == 1, (args, done.stdout)
        assert one_line_error(done.stderr) == (f"tui-reader: the library in {data} is"
                                               " read-only: changes cannot be saved"), args
    assert snapshot(data) == before  # nothing was written


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (the CLI test covers the rest)")
def test_the_reader_opens_a_read_only_library_with_a_notice(library_template,
                                                            read_only_library):
    data, prefix = read_only_library
    before = snapshot(data)
    started = time.time()
    terminal = Terminal(data)
    terminal.start(*prefix, sys.executable, "-m", "tui_reader", "--data-dir", data.name,
                   cwd=data.parent)
    try:
        terminal.wait_until(lambda screen: "the library in data is read-only: you can read"
                            in screen and "changes cannot be saved" in screen  # (wrapped)
                            and " number " in screen, "the notice and the papers")
        terminal.keys("j")  # a paper shown past the read delay (1.5 s) is marked read: not
        time.sleep(2.5)  # kept here, and not an error (there is no state to wait for)
        assert "failed" not in terminal.screen()
        terminal.keys("n")  # a note: escape cannot save it, the editor stays open
        terminal.wait_for("Save and close")
        terminal.type("kiwi pie")
        terminal.wait_for("kiwi pie")
        terminal.keys("Escape")
        terminal.wait_for("The note could not be saved")
        terminal.keys("C-q")  # the note goes to a file, named on the way out
        terminal.wait_exited()
        screen = terminal.screen(history=True)
    finally:
        terminal.kill()
    assert "Traceback" not in screen
    assert "a note could not be saved in the library; it is in" in screen, screen
    rescued = [p for p in Path(tempfile.gettempdir()).glob("tui-reader-unsaved-notes-*/*.md")
               if p.stat().st_mtime >= started and "kiwi pie" in p.read_text()]
    assert len(rescued) == 1, rescued
    assert snapshot(data) == before
