"""The reader with hostile data, hostile queries, a repaired store and a second writer
(README "The reader"): what the app renders, through Pilot, and the real program in a pty.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import termios
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input, TextArea

from tests.conftest import settle, until
from tests.reader_pilot import make_app as reader_app
from tests.test_hardening_dumps import make_dumps
from tests.test_hardening_queries import NASTY, queries
from tests.test_hardening_support import (
    ROOT,
    assert_terminal_safe,
    cli_command,
    cli_env,
    rows,
    write_corpus,
)
from tui_reader.app.app import ReaderApp
from tui_reader.library import Library
from tui_reader.models import paper_id

SIZE = (120, 40)
HOSTILE_FILES = ("hostile.jsonl", "hostile.json", "hostile.md", "raw-controls.jsonl")


def make_app(library, **options) -> ReaderApp:
    """The reader as the Pilot tests make it (reader_pilot.py), without importing the bundled
    samples."""
    return reader_app(library, import_samples=False, **options)


def screen_text(app: ReaderApp) -> str:
    """What the screen shows now, every segment of every line, checked to hold nothing a
    terminal would act on."""
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    text = "\n".join(lines)
    assert_terminal_safe(text.encode())
    return text


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("app-hostile")
    dumps = make_dumps(root / "all")
    lib = Library(root / "data")
    lib.import_paths([dumps[name] for name in HOSTILE_FILES])
    write_corpus(root / "corpus.jsonl", 6)
    lib.import_paths([root / "corpus.jsonl"])
    lib.close()
    return root / "data"


def test_the_app_shows_hostile_papers_as_typed(hostile_dir, tmp_path):
    import shutil
    data = shutil.copytree(hostile_dir, tmp_path / "data")

    async def run() -> None:
        lib = Library(data)
        app = make_app(lib)
        try:
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                await settle(pilot)
                screen = app.main_screen
                total = screen.papers.total
                assert total >= 13
                seen_markup = False
                for _ in range(total):  # every paper in the list and the detail pane
                    await settle(pilot)
                    text = screen_text(app)
                    seen_markup |= "[bold]x[/bold]" in text
                    await pilot.press("j")
                assert seen_markup
                await pilot.press("slash", *"markup", "enter")
                await settle(pilot)
                text = screen_text(app)
                assert "[bold red]Markup in the API[/]" in text and "[i]Mallory[/i]" in text
                await pilot.press("slash", "ctrl+a", *"bold")  # ctrl+a: start of the box
                for _ in range(30):
                    await pilot.press("delete")
                await settle(pilot)
                await pilot.press("enter")
                await settle(pilot)
                text = screen_text(app)
                assert "[bold]x[/bold]" in text
                assert "[link=https://evil.example]click me[/link]" in text
                await pilot.press("b")  # the toast repeats the title: as typed too
                await settle(pilot)
                assert "[bold]x[/bold]" in screen_text(app)
        finally:
            lib.close()

    asyncio.run(run())


SEARCH_SETTINGS = settings(max_examples=1, deadline=None, derandomize=True, database=None,
                           phases=[Phase.generate],  # a session is seconds: no shrinking
                           suppress_health_check=list(HealthCheck))


@SEARCH_SETTINGS
@given(typed=st.lists(queries, min_size=15, max_size=15))
def test_the_search_box_answers_anything_typed(hostile_dir, tmp_path_factory, typed):
    """Generated queries (hypothesis) and the nasty ones, in the search box of one session:
    results or a message in place, never an exception, nothing a terminal would act on."""
    import shutil
    data = shutil.copytree(hostile_dir, tmp_path_factory.mktemp("search") / "data")

    async def run() -> None:
        lib = Library(data)
        app = make_app(lib)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                screen = app.main_screen
                box = screen.query_one(Input)
                await pilot.press("slash")
                for query in [*typed, *NASTY, "x" * 1100]:
                    box.value = query
                    await settle(pilot)
                    assert app.is_running and app._exception is None, query
                    assert app.focused is box
                    text = screen_text(app)
                    status = str(screen.query_one("#status").render())
                    assert status.strip() or box.has_class("-error"), (query, text[:400])
                # typed key by key, then enter and escape
                for query in ('"unbalanced', "title:(", "year:..", "paper~9", "(a OR"):
                    box.value = ""
                    await pilot.press(*query)
                    await settle(pilot)
                    await pilot.press("enter")
                    await settle(pilot)
                    await pilot.press("escape")
                    await settle(pilot)
                    await pilot.press("slash")
                    assert app._exception is None, query
                    screen_text(app)
        finally:
            lib.close()

    asyncio.run(run())


def test_pasted_control_characters_never_reach_the_screen(hostile_dir, tmp_path):
    """A title copied from elsewhere with an OSC 52 in it, pasted into the search box and
    into the note editor: kept as text without its control characters."""
    import shutil
    data = shutil.copytree(hostile_dir, tmp_path / "data")
    pasted = "bold\x1b]52;c;ZXZpbA==\x07 \x9b2J\u202e"

    async def run() -> None:
        lib = Library(data)
        app = make_app(lib)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                box = app.main_screen.query_one(Input)
                await pilot.press("slash")
                box.post_message(events.Paste(pasted))
                await settle(pilot)
                assert box.value == "bold]52;c;ZXZpbA== 2J"
                screen_text(app)
                box.value = ""  # back to every paper
                await settle(pilot)
                await pilot.press("escape")
                await settle(pilot)
                if app.focused is box:
                    await pilot.press("escape")
                    await settle(pilot)
                await pilot.press("n")
                await settle(pilot)
                area = app.screen.query_one(TextArea)
                area.post_message(events.Paste(pasted + "\r\nsecond line\x07"))
                await settle(pilot)
                assert area.text.endswith("bold]52;c;ZXZpbA== 2J\nsecond line")
                screen_text(app)
                await pilot.press("ctrl+s", "escape")
                await settle(pilot)
            assert any((p.note or "").endswith("second line") for p in lib.notes())
        finally:
            lib.close()

    asyncio.run(run())


def test_a_repaired_store_is_told_in_the_app(hostile_dir, tmp_path):
    import shutil
    data = shutil.copytree(hostile_dir, tmp_path / "data")
    lib = Library(data)
    lib.bookmark(paper_id("[bold]x[/bold]"))
    lib.close()
    db = data / "user.sqlite3"
    with open(db, "r+b") as f:
        f.write(b"garbage" * 20)

    async def run() -> None:
        lib = Library(data)
        app = make_app(lib)
        try:
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                await settle(pilot)
                text = " ".join(screen_text(app).split())
                assert "is not a database" in text or "damaged" in text
                assert "user.sqlite3 was damaged" in text and "restored 1" in text
        finally:
            lib.close()

    asyncio.run(run())


CLI_WRITER = """
import json, subprocess, sys
ids = json.loads(sys.argv[2])
for i, pid in enumerate(ids):
    for args in (["bookmark", pid], ["note", pid, "--set", f"from the cli {i}"]):
        done = subprocess.run([sys.executable, "-m", "tui_reader", "--data-dir", sys.argv[1],
                               *args], capture_output=True)
        if done.returncode:
            sys.exit(done.stderr.decode())
print("done", flush=True)
"""


def test_the_app_and_the_cli_write_at_the_same_moment(tmp_path):
    ids = write_corpus(tmp_path / "corpus.jsonl", 30)
    data = tmp_path / "data"
    lib = Library(data)
    lib.import_paths([tmp_path / "corpus.jsonl"])
    first = {p.id for p in lib.browse("all", sort="date", limit=12)[1]}  # where the app works
    lib.close()
    cli_ids = [i for i in ids if i not in first][:3]  # different papers: nothing to toggle

    async def run() -> None:
        lib = Library(data)
        app = make_app(lib)
        writer = subprocess.Popen([sys.executable, "-c", CLI_WRITER, str(data),
                                   json.dumps(cli_ids)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=cli_env(), cwd=ROOT)
        try:
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                screen = app.main_screen
                marked: list[str] = []
                for _ in range(6):  # six papers of the list, one after the other
                    marked.append(screen.papers.current.paper.id)
                    await pilot.press("b")
                    await settle(pilot)
                    await pilot.press("n", *"app", "ctrl+s", "escape")
                    await settle(pilot)
                    await pilot.press("j")
                    await settle(pilot)
                assert len(set(marked)) == 6, marked
                await until(pilot, lambda: writer.poll() is not None, timeout=300)
                marked = set(marked)
        finally:
            lib.close()
        out, err = writer.communicate()
        assert writer.returncode == 0 and b"done" in out, err
        db = data / "user.sqlite3"
        assert {r[0] for r in rows(db, "SELECT paper_id FROM bookmarks")} == marked | set(cli_ids)
        notes = dict(rows(db, "SELECT paper_id, text FROM notes"))
        assert {p: notes[p] for p in marked} == {p: "app" for p in marked}
        assert {p: notes[p] for p in cli_ids} == {p: f"from the cli {i}"
                                                  for i, p in enumerate(cli_ids)}

    asyncio.run(run())


def test_the_real_program_in_a_terminal_sends_no_control_sequence_of_the_data(hostile_dir,
                                                                             tmp_path):
    """`tui-reader` in a pseudo-terminal on the hostile library: its bytes hold no clipboard
    write, no hyperlink, no bell, no screen clear of the data; '[bold]x[/bold]' as typed."""
    import shutil
    data = shutil.copytree(hostile_dir, tmp_path / "data")
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([*cli_command(data)], stdin=secondary, stdout=secondary,
                            stderr=secondary, env={**cli_env(), "TERM": "xterm-256color",
                                                   "COLUMNS": "120", "LINES": "40"},
                            cwd=ROOT, start_new_session=True)
    os.close(secondary)
    out = bytearray()

    def read_for(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([primary], [], [], 0.1)
            if ready:
                try:
                    out.extend(os.read(primary, 65536))
                except OSError:
                    return

    try:
        end = time.monotonic() + 60
        while b"[bold]x[/bold]" not in out and time.monotonic() < end:  # the first screen
            read_for(0.2)
        read_for(0.5)
        for key in (b"j", b"j", b"/", b"b", b"o", b"l", b"d", b"\r", b"j"):  # "bold" typed in the box
            os.write(primary, key)
            read_for(0.25)
        os.write(primary, b"\x1b")
        read_for(0.5)
        os.write(primary, b"\x11")  # ctrl+q quits from anywhere
        end = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < end:  # all it writes until it quits
            read_for(0.2)
        read_for(0.2)
        proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(primary)
    raw = bytes(out)
    assert b"[bold]x[/bold]" in raw  # shown, as typed
    assert b"\x1b]52;" not in raw  # no clipboard write (nothing was copied)
    assert not re.search(rb"\x1b\]8;[^\x07\x1b]*evil", raw)  # no hyperlink from the data
    for payload in (b"aGVsbG8=", b"ZXZpbA==", b"c2VjcmV0", b"\x1b[2J screen", b"\x1bc"):
        assert payload not in raw
    # Everything but well-formed control sequences is text: what remains has no control
    # character (the bell, C1 controls, bidi overrides of the data would show here).
    text = re.sub(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]"
                  rb"|\x1b[=>78]|\x1bP[^\x1b]*\x1b\\", b"", raw)
    text = text.replace(b"\r", b"").replace(b"\n", b"")
    assert_terminal_safe(text)
