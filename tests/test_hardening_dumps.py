"""Hostile dumps, made here (no checked-in binaries), imported by the real CLI.

The import reports each bad file in one line and goes on; decodable text is decoded; the good
papers are imported; nothing raises; no control character reaches the terminal; Rich/Textual
markup in a title shows exactly as typed.
"""

from __future__ import annotations

import gzip
import json
import os
import pty
import random
import re
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_hardening_support import (
    ROOT,
    assert_terminal_safe,
    cli,
    cli_command,
    cli_env,
    unprivileged,
)
from tui_reader.cli import main
from tui_reader.library import Library
from tui_reader.models import paper_id

ABSTRACT = ("We describe an approach to a hard problem and evaluate it carefully on public"
            " benchmarks, reporting results that improve on earlier work.")

# Titles and abstracts that try to act on the terminal or the app.
HOSTILE = [
    {"id": "2403.00001", "title": "[bold]x[/bold]",
     "abstract": "Markup [link=https://evil.example]click me[/link] and [/] and [red]r[/red]"
                 " and [@click=app.quit]quit[/] inside an abstract."},
    {"id": "2403.00002", "title": "Clear \x1b[2J screen \x1b]52;c;aGVsbG8=\x07 clip \x07 bell",
     "abstract": "Escape \x1b[31mred\x1b[0m, OSC \x1b]52;c;ZXZpbA==\x1b\\ and C1 \x9b2J \x9d0;t"
                 "\x9c and \x90q\x9c and \x85 next line and \x1bc reset and \x1b[?1049h alt."},
    {"id": "2403.00003", "title": "Right \u202eto left\u202c override \u2067isolate\u2069",
     "abstract": "Combining e\u0301 a\u0308 and Z\u0351\u0352\u0353\u0354\u0355 text; zero"
                 " width\u200b space; \u2028line separator."},
    {"id": "2403.00004", "title": "Unterminated OSC \x1b]8;;https://evil.example\x07link",
     "abstract": "A hyperlink \x1b]8;;https://evil.example\x1b\\text\x1b]8;;\x1b\\ and"
                 " \x1bP+q\x1b\\ a DCS query."},
]
GOOD_JSONL = [
    {"id": "2402.00001", "title": "Good Jsonl Paper One", "abstract": ABSTRACT},
    {"id": "2402.00002", "title": "Good Jsonl Paper Two", "abstract": ABSTRACT},
]


def make_dumps(root: Path) -> dict[str, Path]:
    """Every hostile dump of the issue, in one folder; returns them by name."""
    rng = random.Random(20240601)
    root.mkdir(parents=True, exist_ok=True)
    f: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        f[name] = root / name
        f[name].write_bytes(data)

    put("empty.txt", b"")
    put("blank.txt", b"  \n\n\t\n")
    put("random.bin", rng.randbytes(200_000))
    put("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(5000))
    put("random.gz", gzip.compress(rng.randbytes(50_000)))
    put("damaged.jsonl.gz", gzip.compress(b"".join(json.dumps(r).encode() + b"\n"
                                                   for r in GOOD_JSONL * 200))[:700])
    put("utf16.txt", ("UTF Sixteen Paper About Widgets\n" + ABSTRACT + "\n").encode("utf-16"))
    put("utf16.jsonl", json.dumps({"id": "2405.00009", "title": "UTF Sixteen Jsonl Paper",
                                   "abstract": ABSTRACT}).encode("utf-16") + "\n".encode(
                                       "utf-16-le"))
    put("latin1.txt", ("Caf\xe9 Na\xefve Paper on R\xe9sum\xe9s\n" + ABSTRACT + " Gr\xfc\xdfe."
                       "\n").encode("latin-1"))
    put("oneline.txt", b"word " * (4 * 1024 * 1024))  # a 20 MB single line
    put("oneline.json", b"[" + b'"' + b"x" * (20 * 1024 * 1024) + b'"]')  # 20 MB, no papers
    put("truncated.html", (
        "<!DOCTYPE html><html><head><title>Daily Papers</title></head><body><article>"
        "<h3><a href='/papers/2401.01234'>Truncated Html Paper</a></h3><p>" + ABSTRACT +
        "</p></article><article><h3><a href='/papers/2401.0").encode())
    put("scripts.html", (
        "<!DOCTYPE html><html><head><script>var s = '### [Script Paper](/papers/2401.99999)'"
        ";</script><style>h3 { color: red }</style></head><body>"
        "<script>document.write('<h3>Injected</h3>')</script><noscript>enable JS</noscript>"
        "<h3><a href='/papers/2401.05678'>Html Paper With Scripts</a></h3><p>" + ABSTRACT +
        "</p><div onclick=\"alert(1)\"><iframe src='https://evil.example'></iframe></div>"
        "</body></html>").encode())
    put("malformed.json", b'[{"paper": {"id": "2401.00001", "title": "x"')
    put("deep.json", b"[" * 300_000 + b"]" * 300_000)
    put("deep-object.json", b'{"a":' * 200_000 + b"1" + b"}" * 200_000)
    padding = "p" * (20 * 1024 * 1024)
    put("huge.json", json.dumps({"papers": [
        {"paper": {"id": f"2406.{i:05d}", "title": f"Huge Json Paper Number {i}",
                   "summary": ABSTRACT}} for i in range(30)], "padding": padding}).encode())
    put("mixed.jsonl", "\n".join([
        json.dumps(GOOD_JSONL[0]), "{bad json", "[1, 2]", '"a string"', "null",
        json.dumps({"id": "2402.00003", "title": 17}), json.dumps(GOOD_JSONL[1]),
        "[" * 100_000, "\xff\xfe broken bytes",
        json.dumps({"id": "2402.00004", "title": "", "abstract": "no title"})]).encode(
            "utf-8", "surrogateescape") + b"\n\xff\xfe\x00garbage\n")
    put("hostile.jsonl", "".join(json.dumps(r) + "\n" for r in HOSTILE).encode())
    put("hostile.json", json.dumps([{"paper": {
        "id": "2407.00001", "title": "[bold red]Markup in the API[/]\x1b[5m",
        "summary": "A summary with \x1b]52;c;c2VjcmV0\x07 a clipboard write.",
        "authors": [{"name": "[i]Mallory[/i]\x07"}], "publishedAt": "2024-07-01T00:00:00Z",
        "upvotes": 3}}]).encode())
    put("hostile.md", ("### [\x1b[2JMarkdown \x1b]52;c;eA==\x07Title](https://huggingface.co/"
                       "papers/2408.00001)\n\n" + ABSTRACT + " \u202eevil\u202c\n").encode())
    put("raw-controls.jsonl", b'{"id": "2409.00001", "title": "Raw \x1b[2J\x07Controls Paper",'
                              b' "abstract": "Raw bytes \x1b]52;c;eA==\x07 in a JSON string."}\n')
    put("escape\x1b[2Jname.txt", b"\x1b[2J\n")  # a file name that is itself hostile
    loop = root / "loop"
    loop.mkdir()
    (loop / "again").symlink_to("..")  # a symlink loop
    (loop / "self").symlink_to("self")  # a symlink to itself
    (loop / "dangling").symlink_to("nowhere")
    (loop / "in-loop.jsonl").write_text(json.dumps(
        {"id": "2404.00001", "title": "Paper In A Loop Folder", "abstract": ABSTRACT}) + "\n")
    f["loop"] = loop
    os.mkfifo(root / "pipe.txt")  # reading a pipe would never end
    (root / "zero").symlink_to("/dev/zero")  # nor would reading /dev/zero
    return f


GOOD_TITLES = [
    "UTF Sixteen Paper About Widgets", "UTF Sixteen Jsonl Paper", "Café Naïve Paper on Résumés",
    "Truncated Html Paper", "Html Paper With Scripts", "Good Jsonl Paper One",
    "Good Jsonl Paper Two", "Paper In A Loop Folder", "Huge Json Paper Number 29",
    "[bold]x[/bold]", "Markdown Title", "Raw Controls Paper",
]
BAD_FILES = {  # name: what the one line says
    "empty.txt": "empty", "blank.txt": "empty", "random.bin": "binary", "image.png": "binary",
    "random.gz": "binary", "malformed.json": "invalid JSON", "deep.json": "nested too deeply",
    "deep-object.json": "nested too deeply", "oneline.txt": "no papers found",
    "oneline.json": "not a recognised dump", "pipe.txt": "not a regular file",
    "zero": "not a regular file", "escape\x1b[2Jname.txt": "no papers found",
    "loop/self": "cannot read", "loop/dangling": "cannot read",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The hostile folder imported by the real CLI: (data dir, dumps, the process)."""
    root = tmp_path_factory.mktemp("hostile")
    make_dumps(root / "dumps")
    started = time.monotonic()
    done = cli(root / "data", "import", root / "dumps", timeout=300)
    return root / "data", root / "dumps", done, time.monotonic() - started


def test_the_import_reports_each_bad_file_in_one_line_and_goes_on(imported):
    data, dumps, done, seconds = imported
    assert done.returncode == 1  # some files failed, the rest were imported
    errors = assert_terminal_safe(done.stderr)
    assert "Traceback" not in errors
    failed = [line for line in errors.splitlines() if line.startswith("failed: ")]
    for name, reason in BAD_FILES.items():
        shown = str(dumps / name).replace("\x1b", "")
        lines = [line for line in failed if line.startswith(f"failed: {shown}: ")]
        assert len(lines) == 1, (name, failed)
        assert reason in lines[0], (name, lines[0])
    assert len(failed) == len(BAD_FILES), failed
    assert all(line.startswith(("failed: ", "warning: ")) for line in errors.splitlines())
    summary = assert_terminal_safe(done.stdout).strip()
    assert re.fullmatch(r"\d+ papers from \d+ files: \d+ new, 0 updated; 15 files failed",
                        summary), summary
    assert seconds < 120


def test_decodable_text_is_decoded_and_the_good_papers_are_imported(imported):
    data = imported[0]
    lib = Library(data)
    try:
        titles = {p.title for p in lib.browse("all", limit=1000)[1]}
        for title in GOOD_TITLES:
            assert title in titles, title
        assert sum(t.startswith("Huge Json Paper Number") for t in titles) == 30
        assert not any("Script Paper" in t or "Injected" in t for t in titles)
        assert lib.search("widgets").total == 1 and lib.search("résumés").total == 1
        html = lib.paper(paper_id("Html Paper With Scripts"))
        assert "alert" not in html.abstract and "document.write" not in html.abstract
        everything = " ".join(f"{p.title} {p.abstract} {' '.join(p.authors)}"
                              for p in lib.browse("all", limit=1000)[1])
        assert_terminal_safe(everything.encode())  # nothing stored can act on a terminal
        assert "\u200b" not in lib.paper(paper_id(HOSTILE[2]["title"])).title
    finally:
        lib.close()


def hostile_ids(data: Path) -> list[str]:
    lib = Library(data)
    try:
        return [p.id for p in lib.browse("all", limit=1000)[1]
                if p.arxiv_id in {r["id"] for r in HOSTILE} | {"2407.00001", "2408.00001",
                                                                "2409.00001"}]
    finally:
        lib.close()


def run_cli(data: Path, *args: str) -> bytes:
    """The CLI in this process (click's runner): the bytes it writes to stdout."""
    result = CliRunner().invoke(main, ["--data-dir", str(data), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.stderr_bytes or b"")
    return result.stdout_bytes


def test_the_cli_shows_hostile_titles_as_typed_and_sends_no_control_characters(imported):
    data = imported[0]
    ids = hostile_ids(data)
    assert len(ids) == 7
    for paper in ids:
        assert_terminal_safe(run_cli(data, "show", paper))
        assert_terminal_safe(run_cli(data, "show", paper, "--json"))
    for query in ("bold", "screen OR clip", "override OR isolate", "hyperlink", "markup",
                  "clipboard", "markdown", "raw controls"):
        assert_terminal_safe(run_cli(data, "search", query))
        assert_terminal_safe(run_cli(data, "search", query, "--json"))
    assert_terminal_safe(run_cli(data, "export", "search", "markup OR bold OR screen"))
    # The real process, its raw bytes:
    shown = cli(data, "show", paper_id("[bold]x[/bold]"))
    text = assert_terminal_safe(shown.stdout)
    assert text.splitlines()[0] == "[bold]x[/bold]"  # exactly as typed
    assert "[link=https://evil.example]click me[/link] and [/]" in text
    listed = cli(data, "search", "markup OR bold OR screen OR clipboard")
    assert "[bold]x[/bold]" in assert_terminal_safe(listed.stdout)
    as_json = json.loads(run_cli(data, "show", paper_id("[bold]x[/bold]"), "--json"))
    assert as_json["title"] == "[bold]x[/bold]"
    api = json.loads(run_cli(data, "search", "markup", "--json"))["results"][0]
    assert api["title"] == "[bold red]Markup in the API[/]" and api["authors"] == ["[i]Mallory[/i]"]


def test_user_text_with_control_characters_is_kept_without_them(imported,
                                                                                  tmp_path):
    data = imported[0]
    paper = paper_id("[bold]x[/bold]")
    note = "mine \x1b]52;c;ZXZpbA==\x07 and \x9b2J and \u202egnp.exe\u202c [bold]kept[/]"
    kept = "mine ]52;c;ZXZpbA== and 2J and gnp.exe [bold]kept[/]"  # what the store keeps
    assert cli(data, "note", paper, "--set", note).returncode == 0
    assert cli(data, "saved", "add", "evil\x1b[2J\u202e", "bold \x07").returncode == 0
    try:
        shown = cli(data, "show", paper)  # the real process
        assert "[bold]kept[/]" in assert_terminal_safe(shown.stdout)
        for args in (("notes",), ("export", "notes"), ("export", "notes", "--format", "bibtex")):
            assert "[bold]kept[/]" in assert_terminal_safe(run_cli(data, *args))
        assert "evil" in assert_terminal_safe(run_cli(data, "saved"))
        assert_terminal_safe(run_cli(data, "saved", "--json"))
        for args in (("show", paper, "--json"), ("notes", "--json"),
                     ("export", "notes", "--format", "json")):
            raw = run_cli(data, *args)
            found = json.loads(raw)
            found = found if "note" in found else (found.get("notes") or found["papers"])[0]
            assert found["note"] == kept
        out = tmp_path / "notes.json"
        assert cli(data, "export", "notes", "--format", "json", "-o", out).returncode == 0
        assert json.loads(out.read_text())["papers"][0]["note"] == kept
    finally:
        cli(data, "note", paper, "--set", "")
        cli(data, "saved", "rm", "evil\x1b[2J\u202e")


def test_on_a_terminal_only_our_own_styling_is_sent(imported):
    """Through a real pseudo-terminal: the only escape sequences are the CLI's SGR styles."""
    data = imported[0]
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([*cli_command(data), "search", "screen OR bold OR markup"],
                                stdout=secondary, stderr=subprocess.PIPE,
                                env={**cli_env(), "TERM": "xterm-256color"}, cwd=ROOT)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
    finally:
        os.close(primary)
    raw = b"".join(chunks)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    without_styles = re.sub(rb"\x1b\[[0-9;]*m", b"", raw)
    assert_terminal_safe(without_styles.replace(b"\r\n", b"\n"))
    assert b"[bold]x[/bold]" in without_styles


def test_an_unreadable_file_is_one_line_too(tmp_path):
    prefix = unprivileged()
    dump = tmp_path / "secret.jsonl"
    dump.write_text(json.dumps(GOOD_JSONL[0]) + "\n")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD_JSONL[1]) + "\n")
    os.chmod(dump, 0)
    done = cli(tmp_path / "data", "import", dump, good, prefix=prefix)
    assert done.returncode == 1
    errors = assert_terminal_safe(done.stderr)
    assert errors.splitlines() == [f"failed: {dump}: cannot read: Permission denied"]
    assert done.stdout.decode().startswith("1 paper from 2 files: 1 new")


def test_the_library_never_raises_on_the_hostile_folder(tmp_path):
    make_dumps(tmp_path / "dumps")
    lib = Library(tmp_path / "data")
    try:
        report = lib.import_paths([tmp_path / "dumps", tmp_path / "missing.jsonl"])
        assert report.new >= len(GOOD_TITLES) + 30
        assert {Path(f.path).name for f in report.failed} >= {
            "empty.txt", "random.bin", "deep.json", "pipe.txt", "missing.jsonl"}
        again = lib.import_paths([tmp_path / "dumps"])  # unchanged files are skipped
        assert again.new == 0 and again.skipped >= 8
    finally:
        lib.close()
