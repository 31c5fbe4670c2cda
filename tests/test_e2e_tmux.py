"""End to end: the installed `tui-reader` in a real terminal (tmux), driven by keys.

The story: the first start imports the bundled samples; search, go to the results, bookmark the
first, write a note, save the search, quit; start again and find the bookmark, the note and the
saved search. Skipped (with the reason) where tmux or the installed command is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
COMMAND = shutil.which("tui-reader")

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(COMMAND is None, reason="the tui-reader command is not installed"),
]

WIDTH, HEIGHT = 120, 40


class Terminal:
    """One tmux session on a private tmux server (its own socket), killed in the end."""

    def __init__(self, data_dir: Path) -> None:
        self.socket = f"tui-reader-e2e-{uuid.uuid4().hex[:8]}"
        self.session = "reader"
        self.data_dir = data_dir

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # COLUMNS and LINES (set under pytest) would override the size of the tmux window
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                              text=True, check=check, timeout=30, env=env)

    def start(self, *command: str, cwd: Path | None = None) -> None:
        """Run the reader (or `command`, in `cwd`) in the session."""
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", str(HEIGHT),
                  *(["-c", str(cwd)] if cwd else []),
                  "-e", f"TUI_READER_DATA_DIR={self.data_dir}", "-e", "TERM=xterm-256color",
                  "-e", "TUI_READER_DEBUG=1", *(command or [COMMAND]))
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        """Send tmux key names (Enter, Escape, C-s ...), one at a time."""
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        """Send literal text, a character at a time, as a person types."""
        for char in text:
            self.tmux("send-keys", "-t", self.session, "-l", char)
            time.sleep(0.03)

    def screen(self, history: bool = False) -> str:
        extra = ["-S", "-300"] if history else []
        return self.tmux("capture-pane", "-p", "-t", self.session, *extra).stdout

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear on the screen:\n{self.screen(True)}")

    def wait_until(self, check, what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{what} did not happen:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} stayed on the screen:\n{screen}")

    def escape(self) -> None:
        """Escape, then a pause: an escape followed at once by a key reads as alt+key."""
        time.sleep(0.2)
        self.keys("Escape")
        time.sleep(0.4)

    def exited(self, timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}",
                             check=False).stdout.strip()
            if dead == "1":
                return True
            time.sleep(0.2)
        return False

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


def cli(data_dir: Path, *args: str) -> dict:
    out = subprocess.run([COMMAND, "--data-dir", str(data_dir), *args, "--json"],
                         capture_output=True, text=True, check=True, timeout=60,
                         env={**os.environ, "TUI_READER_DEBUG": "1"})
    return json.loads(out.stdout)


def test_the_story_in_a_real_terminal(tmp_path):
    data_dir = tmp_path / "data"
    term = Terminal(data_dir)
    try:
        term.start()
        term.wait_for("All papers", timeout=60)  # the first start imported the samples
        term.wait_for("papers · newest first")
        total = cli(data_dir, "search", "language")["total"]
        assert total > 1
        term.keys("/")
        term.type("language")
        term.wait_until(lambda s: "▊  language " in s and f"· {total} results" in s,
                        f"the {total} results of 'language'")
        term.keys("Enter", "b")
        term.wait_for("★")
        term.keys("n")
        term.wait_for("Note on")
        term.type("e2e note: reread section 3")
        term.escape()
        term.wait_gone("Note on")
        term.keys("s")
        term.wait_for("Save the search")
        term.keys("C-u")
        term.wait_for("a name")  # the name box is empty: its placeholder shows
        term.type("e2e-saved")
        term.keys("Enter")
        term.wait_for("▸ e2e-saved")
        term.keys("q")
        assert term.exited(), term.screen()
        term.kill()

        bookmarks = cli(data_dir, "bookmarks")["bookmarks"]
        assert len(bookmarks) == 1
        title = bookmarks[0]["title"]
        assert bookmarks[0]["note"] == "e2e note: reread section 3"
        assert [s["name"] for s in cli(data_dir, "saved")["saved"]] == ["e2e-saved"]

        term = Terminal(data_dir)
        term.start()
        term.wait_for("e2e-saved")  # the saved search is in the sidebar
        term.wait_for("papers · newest first")
        term.keys("]")  # the next view: Bookmarks
        # The status line can change a moment before the list's rows: wait for both.
        screen = term.wait_until(
            lambda shown: "Bookmarks · 1 paper" in shown and title[:40] in shown,
            "the bookmarked paper in the Bookmarks view")
        assert "★" in screen, screen
        term.keys("Enter")  # into the detail pane, then to its end: the note
        term.wait_for("has a note")  # the pane shows the paper (it loads in a worker)
        for _ in range(10):  # End again while the pane may still be filling in
            term.keys("End")
            try:
                term.wait_for("e2e note: reread section 3", timeout=2)
                break
            except AssertionError:
                continue
        term.wait_for("e2e note: reread section 3")
        term.escape()
        term.keys("[", "[")  # back to the list, then views: All papers, e2e-saved
        screen = term.wait_for("e2e-saved · ")
        assert "language" in screen, screen  # the saved query is back in the search box
    finally:
        term.kill()
