"""Helpers of the hardening tests (hostile input, faults, privacy): real processes, real files.

No tests here: the CLI run as a subprocess (its raw bytes), small driver programs that use the
Library and report what they finished, corpora and hostile dumps made on the fly.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui_reader.models import paper_id

ROOT = Path(__file__).resolve().parent.parent
ABSTRACT = ("We study {topic} with a simple method and report careful experiments on several"
            " benchmarks, with ablations and a discussion of limitations.")
TOPICS = ["graphs", "proteins", "robots", "galaxies", "languages", "markets", "weather",
          "music", "vision", "games", "chemistry", "climate"]

# What must never reach a terminal from imported text: C0 controls but newline and tab (ESC,
# BEL, ...), DEL, the C1 controls (U+009B is an 8-bit CSI, U+009D an OSC), bidi overrides and
# isolates.
_UNSAFE = {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {chr(c) for c in range(0x7f, 0xa0)
           } | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def assert_terminal_safe(data: bytes) -> str:
    """`data` (what a command wrote) is UTF-8 without a character a terminal would act on;
    returns the text."""
    text = data.decode("utf-8")  # strict: no stray bytes either
    found = sorted({f"U+{ord(c):04X}" for c in text if c in _UNSAFE})
    assert not found, (found, text[:2000])
    return text


def corpus(n: int, prefix: str = "Paper", year: int = 24) -> list[dict]:
    """`n` arXiv records with distinct titles (and arXiv ids yy01.10000 on, `year` = yy: give
    two corpora of one library different years, else they merge by arXiv id)."""
    return [{"id": f"{year}{(i // 90000) + 1:02d}.{i % 90000 + 10000:05d}",
             "title": f"{prefix} {i} on {TOPICS[i % len(TOPICS)]} number {i}",
             "abstract": ABSTRACT.format(topic=TOPICS[i % len(TOPICS)]),
             "authors": ["Ada Lovelace", "Alan Turing"], "categories": "cs.LG",
             "update_date": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"} for i in range(n)]


def write_corpus(path: Path, n: int, prefix: str = "Paper", year: int = 24) -> list[str]:
    """A JSONL dump of `corpus(n)`; returns the paper ids in order."""
    records = corpus(n, prefix, year)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return [paper_id(r["title"]) for r in records]


def env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this checkout first on the path, no tracebacks
    turned on, no terminal colours."""
    out = {k: v for k, v in os.environ.items() if k not in ("TUI_READER_DEBUG",
                                                             "TUI_READER_DATA_DIR")}
    out["PYTHONPATH"] = str(ROOT) + os.pathsep + out.get("PYTHONPATH", "")
    out.setdefault("NO_COLOR", "1")
    out.update(extra)
    return out


def cli(data_dir: Path, *args: str, timeout: float = 120, prefix: list[str] | None = None,
        **kwargs) -> subprocess.CompletedProcess:
    """Run `tui-reader --data-dir DATA ARGS...` in a real process; stdout/stderr as bytes.
    `prefix`: a command to run it under (see `unprivileged`)."""
    return subprocess.run([*(prefix or []), *cli_command(data_dir), *map(str, args)],
                          capture_output=True, timeout=timeout, env=env(), cwd=ROOT, **kwargs)


def cli_command(data_dir: Path) -> list[str]:
    """The command line of the CLI on a data dir (for Popen)."""
    return [sys.executable, "-m", "tui_reader", "--data-dir", str(data_dir)]


def cli_env() -> dict[str, str]:
    return env()


def spawn(script: str, *args: str, **kwargs) -> subprocess.Popen:
    """Start a Python driver program (text of a script) with arguments; line-buffered text
    stdout to read its reports from."""
    return subprocess.Popen([sys.executable, "-u", "-c", textwrap.dedent(script), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env(), cwd=ROOT, **kwargs)


def one_line_error(stderr: bytes) -> str:
    """The stderr of a failed command, checked to be one clear line without a traceback."""
    text = stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert lines[0].startswith("tui-reader: "), text
    return lines[0]


def integrity(db: Path) -> str:
    """PRAGMA integrity_check of a store file (read in a fresh connection)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def copy_library(template: Path, to: Path) -> Path:
    """A copy of a prepared data dir (cheaper than importing again)."""
    shutil.copytree(template, to)
    return to


def checkpoint(db: Path) -> None:
    """Move everything from the WAL into the store file (as a clean close does)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def page_size(db: Path) -> int:
    return rows(db, "PRAGMA page_size")[0][0]


def root_page(db: Path, table: str) -> int:
    return rows(db, "SELECT rootpage FROM sqlite_master WHERE name = ?", table)[0][0]


def damage_page(db: Path, page: int, data: bytes | None = None) -> None:
    """Overwrite page `page` (1-based) of a store file (closed and checkpointed) with junk."""
    size = page_size(db)
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(data if data is not None else bytes((i * 37 + 11) % 256 for i in range(size)))


def unprivileged() -> list[str]:
    """A command prefix that makes the permission bits apply (root bypasses them)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permission bits cannot be made to apply")
    probe = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--",
                            "true"], capture_output=True)
    if probe.returncode:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr!r}")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
