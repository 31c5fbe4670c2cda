"""Odd files and odd data dirs (issue 12): file names that are not UTF-8, decompression and
size bombs, a read-only library, the modes of everything in the data dir.

Real CLI processes on real files: names made of raw bytes, gzip bombs, a read-only bind mount
and a library its user cannot write (root's rights dropped with setpriv), umask 000.
"""

from __future__ import annotations

import json
import os

from tests.test_hardening_support import assert_terminal_safe, cli, corpus


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
