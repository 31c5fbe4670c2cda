"""End to end: the installed `tui-reader` in a real terminal (tmux), driven by keys.

The story: the first start imports the bundled samples; search, go to the results, bookmark the
first, write a note, save the search, quit; start again and find the bookmark, the note and the
saved search. Skipped (with the reason) where tmux or the installed command is missing.
"""

from __future__ import annotations

import json
import os
import re
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
POLL = 0.1  # seconds between looks at the screen while waiting for a state


def footer(screen: str) -> str:
    """The screen's last line: the Footer, whose keys say which part of the reader has the focus
    (the search box shows only its own)."""
    return screen.rstrip("\n").rsplit("\n", 1)[-1]


def line_with(screen: str, text: str) -> str:
    """The first line of `screen` that holds `text` ("" when none does)."""
    return next((line for line in screen.splitlines() if text in line), "")


class Terminal:
    """One tmux session on a private tmux server (its own socket), killed in the end."""

    def __init__(self, data_dir: Path, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        self.socket = f"tui-reader-e2e-{uuid.uuid4().hex[:8]}"
        self.session = "reader"
        self.data_dir = data_dir
        self.size = size

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # COLUMNS and LINES (set under pytest) would override the size of the tmux window
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                              text=True, check=check, timeout=30, env=env)

    def start(self, *command: str, cwd: Path | None = None,
              env: dict[str, str] | None = None) -> None:
        """Run the reader (or `command`, in `cwd`, with more environment `env`) in the
        session."""
        width, height = self.size
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                  *(["-c", str(cwd)] if cwd else []),
                  "-e", f"TUI_READER_DATA_DIR={self.data_dir}", "-e", "TERM=xterm-256color",
                  "-e", "TUI_READER_DEBUG=1",
                  *[arg for k, v in (env or {}).items() for arg in ("-e", f"{k}={v}")],
                  *(command or [COMMAND]))
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        """Send tmux key names (Enter, Escape, C-s ...). The next step waits for what they do:
        a key sent before the reader has acted on the last one may reach another widget (and
        one sent at once after an Escape reads as alt+key)."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Send literal text, as a person types it."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self, history: bool = False, styled: bool = False) -> str:
        """What the pane shows (`history`: with the lines scrolled off; `styled`: with the
        escape sequences of its colours)."""
        extra = (["-S", "-300"] if history else []) + (["-e"] if styled else [])
        return self.tmux("capture-pane", "-p", "-t", self.session, *extra).stdout

    def pane_dead(self) -> str:
        """"1" once the reader has exited (the pane remains, dead)."""
        return self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}",
                         check=False).stdout.strip()

    def wait_until(self, check, what: str, timeout: float = 30, look=None) -> str:
        """Look at the screen (or call `look`) until `check` holds for what is seen, and return
        that; fail naming `what`, with the screen, after `timeout` seconds."""
        look = look or self.screen
        deadline = time.monotonic() + timeout
        while True:
            seen = look()
            if check(seen):
                return seen
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen:\n{self.screen(history=True)}")
            time.sleep(POLL)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        return self.wait_until(lambda screen: text in screen, f"{text!r} on the screen", timeout)

    def wait_gone(self, text: str, timeout: float = 30) -> str:
        return self.wait_until(lambda screen: text not in screen, f"{text!r} off the screen",
                               timeout)

    def wait_exited(self, timeout: float = 15) -> None:
        self.wait_until(lambda dead: dead == "1", "the reader's exit", timeout, look=self.pane_dead)

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
        term.wait_until(lambda screen: "Bookmark" not in footer(screen), "the search box focused")
        term.type("language")
        term.wait_until(lambda s: "▊  language " in s and f"· {total} results" in s,
                        f"the {total} results of 'language'")
        term.keys("Enter")
        term.wait_until(lambda screen: "Bookmark" in footer(screen), "the results focused")
        term.keys("b")
        term.wait_for("★")
        term.keys("n")
        term.wait_for("Note on")
        term.type("e2e note: reread section 3")
        term.wait_for("e2e note: reread section 3")
        term.keys("Escape")
        term.wait_gone("Note on")
        term.keys("s")
        term.wait_for("Save the search")
        term.keys("C-u")
        term.wait_for("a name")  # the name box is empty: its placeholder shows
        term.type("e2e-saved")
        term.wait_for("e2e-saved")
        term.keys("Enter")
        term.wait_for("▸ e2e-saved")
        term.keys("Escape")  # the list keeps the focus: escape never enters the search box
        term.wait_for("All papers · ")  # back from the saved search to All papers
        term.keys("q")  # the top level: q quits
        term.wait_exited()
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
        note = "e2e note: reread section 3"
        term.wait_until(lambda screen: note in screen or term.keys("End"),  # End again while
                        "the note at the end of the detail pane")  # the pane is filling in
        row = line_with(term.screen(styled=True), title[:40])
        term.keys("Escape")  # back to the list: its row of the paper takes the focus colours
        term.wait_until(lambda screen: line_with(screen, title[:40]) != row,
                        "the list focused again", look=lambda: term.screen(styled=True))
        term.keys("[")  # the previous views: All papers, then e2e-saved
        term.wait_for("All papers · ")
        term.keys("[")
        screen = term.wait_for("e2e-saved · ")
        assert "language" in screen, screen  # the saved query is back in the search box
        term.keys("C-q")  # quits from anywhere
        term.wait_exited()
        term.kill()

        term = Terminal(data_dir)  # a restart opens where the reader was left
        term.start()
        screen = term.wait_for("e2e-saved · ")
        assert "▸ e2e-saved" in screen and "language" in screen, screen
    finally:
        term.kill()


def test_for_you_after_bookmarking_in_a_real_terminal(tmp_path):
    """Bookmark a paper in the reader, open For you: papers like it, each row saying why."""
    data_dir = tmp_path / "data"
    term = Terminal(data_dir)
    try:
        term.start()
        term.wait_for("All papers", timeout=60)  # the first start imported the samples
        term.wait_for("papers · newest first")
        assert cli(data_dir, "search", "Sigma DiffQKV")["total"] == 1
        term.wait_until(lambda screen: "Bookmark" in footer(screen), "the list focused")
        term.keys("/")
        term.wait_until(lambda screen: "Bookmark" not in footer(screen), "the search box focused")
        term.type("Sigma DiffQKV")
        term.wait_until(lambda s: "▊  Sigma DiffQKV " in s and "· 1 result" in s,
                        "the one result of 'Sigma DiffQKV'")
        term.keys("Enter")
        term.wait_until(lambda screen: "Bookmark" in footer(screen), "the results focused")
        term.keys("b")
        term.wait_for("★")
        first = cli(data_dir, "recommend", "--limit", "1")["results"][0]
        term.keys("Escape")  # from the results to All papers, then the last view: For you
        term.wait_for("All papers · ")
        term.keys("[")
        screen = term.wait_until(
            lambda shown: "For you · " in shown and first["title"][:30] in shown,
            "the first paper For you")
        row = line_with(screen, first["title"][:30])
        assert f"· {first['why']}"[:20] in row, row
        term.keys("C-q")
        term.wait_exited()
    finally:
        term.kill()


def test_the_command_line_and_the_users_editor_while_the_reader_is_open(tmp_path):
    """A bookmark made on the command line shows in the open reader without a key; E hands
    the terminal to $VISUAL (here a script) and the reader comes back with the note."""
    data_dir = tmp_path / "data"
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'written in the editor\\n' > \"$1\"\n")
    editor.chmod(0o700)
    subprocess.run([COMMAND, "--data-dir", str(data_dir), "import",
                    str(Path(__file__).parent / "fixtures" / "hf_api")], check=True,
                   capture_output=True, timeout=120)  # not empty: no sample import at start
    term = Terminal(data_dir)
    try:
        term.start(env={"VISUAL": str(editor)})
        term.wait_for("papers · newest first", timeout=60)
        screen = term.wait_until(lambda s: re.search(r"Id +([0-9a-f]{12})", s),
                                 "the highlighted paper's id in the detail pane")
        paper = re.search(r"Id +([0-9a-f]{12})", screen).group(1)
        title = cli(data_dir, "show", paper)["title"]
        assert "★" not in line_with(screen, title[:40]), screen
        subprocess.run([COMMAND, "--data-dir", str(data_dir), "bookmark", paper], check=True,
                       capture_output=True, timeout=60)
        term.wait_until(lambda s: "★" in line_with(s, title[:40]),
                        "the bookmark made on the command line in the list")
        term.wait_for("★ bookmarked")  # and in the detail pane
        term.keys("E")
        term.wait_for("has a note")  # the reader is back, the note saved and shown
        assert cli(data_dir, "show", paper)["note"] == "written in the editor"
        term.keys("C-q")
        term.wait_exited()
    finally:
        term.kill()


def test_import_in_the_reader_with_tab_completion(tmp_path):
    """i, a path completed with tab from its first letters (the names listed where several
    match), enter: the papers come in the background, the bar gone when it has finished."""
    data_dir = tmp_path / "data"
    subprocess.run([COMMAND, "--data-dir", str(data_dir), "import",
                    str(Path(__file__).parent / "fixtures" / "hf_api")], check=True,
                   capture_output=True, timeout=120)  # not empty: no sample import at start
    before = cli(data_dir, "stats")["papers"]
    folder = tmp_path / "my dumps"
    folder.mkdir()
    dump = Path(__file__).parent / "fixtures" / "arxiv_100.jsonl"
    (folder / "arxiv_100.jsonl").write_bytes(dump.read_bytes())
    (folder / "arxiv_notes.txt").write_text("not a dump")
    term = Terminal(data_dir)
    try:
        term.start(COMMAND, cwd=tmp_path)  # paths typed in the dialog are from here
        term.wait_for(f"All papers · {before:,} papers", timeout=60)
        term.keys("i")
        term.wait_for("Import dump files or folders")
        term.type("my")
        term.wait_for("▊  my")
        term.keys("Tab")  # one match: completed, the space escaped; the focus kept
        term.wait_for("my\\ dumps/")
        term.keys("Tab")  # two matches: their names listed under the box
        term.wait_for("arxiv_100.jsonl  arxiv_notes.txt")
        term.type("1")
        term.keys("Tab", "Enter")  # (an incomplete path would be "no such file")
        term.wait_for(f"All papers · {before + 100:,} papers", timeout=60)
        term.wait_gone("Importing ")  # the bar is gone: the import has finished
        term.keys("C-q")
        term.wait_exited()
    finally:
        term.kill()


NEWEST_SAMPLE = ("RFEval: Benchmarking Reasoning Faithfulness under Counterfactual Reasoning "
                 "Intervention in Large Reasoning Models")  # the newest of the bundled samples


def test_a_narrow_terminal_folds_the_sidebar_and_keeps_the_titles(tmp_path):
    term = Terminal(tmp_path / "data", size=(80, 24))
    try:
        term.start()
        term.wait_for("All papers · 146 papers · newest first", timeout=60)
        screen = term.wait_until(  # the footer: the reader's keys, compact, all of them
            lambda shown: NEWEST_SAMPLE[:50] in shown and "q Back/quit" in footer(shown),
            "the newest paper's title, its first 50 characters, and the footer")
        row = line_with(screen, NEWEST_SAMPLE[:50])
        assert row.index(NEWEST_SAMPLE[:50]) < 25, row  # no sidebar before it
        assert "Saved searches" not in screen and "▸ All papers" not in screen, screen
        assert "\\ Views" in footer(screen), footer(screen)
        term.keys("\\")  # the views over the list
        screen = term.wait_for("Saved searches")
        assert line_with(screen, "▸ All papers").startswith("▸ All papers"), screen
        term.keys("Down", "Enter")  # Bookmarks: it opens and the sidebar folds again
        screen = term.wait_for("Bookmarks · ")
        term.wait_gone("Saved searches")
        term.keys("\\")
        term.wait_for("Saved searches")
        term.keys("Escape")  # folds it; the view stays
        screen = term.wait_gone("Saved searches")
        assert "Bookmarks · " in screen, screen
        term.tmux("resize-window", "-t", term.session, "-x", "120", "-y", "40")  # wide again:
        screen = term.wait_for("Saved searches")  # the sidebar in its place
        assert line_with(screen, "▸ Bookmarks").startswith("▸ Bookmarks"), screen
        term.keys("C-q")
        term.wait_exited()
    finally:
        term.kill()


def test_tagging_a_paper_in_a_real_terminal(tmp_path):
    data_dir = tmp_path / "data"
    term = Terminal(data_dir)
    try:
        term.start()
        term.wait_for("papers · newest first", timeout=60)
        term.wait_for("none yet: t tags a paper")  # the sidebar's Tags section
        term.keys("t")
        term.wait_for("Tags of ")
        term.type("+e2e-tag later")
        term.wait_for("+e2e-tag later")
        term.keys("Enter")
        term.wait_gone("Tags of ")
        screen = term.wait_until(lambda s: "#e2e-tag 1" in " ".join(s.split()),
                                 "the tag and its count in the sidebar")
        assert "#e2e-tag #later" in screen, screen  # in the list row and the detail pane
        assert "like #e2e-tag" in screen and "like #later" in screen, screen  # For you: TAG
        first = cli(data_dir, "recommend", "--tag", "e2e-tag", "--limit", "1")["results"][0]
        # [ from All papers: the last views first: the tags, then For you of each tag
        for status in ("#later · 1 result", "#e2e-tag · 1 result", "For you: later · "):
            term.keys("[")
            term.wait_for(status)
        term.keys("[")
        screen = term.wait_until(
            lambda shown: "For you: e2e-tag · " in shown and first["title"][:25] in shown,
            "the first paper like the tagged one")
        row = line_with(screen, first["title"][:25])  # (the title cut to leave the why room)
        assert f"· {first['why']}"[:20] in row, screen
        assert "most like #e2e-tag first" in screen, screen
        term.keys("C-q")
        term.wait_exited()
        term.kill()
        assert cli(data_dir, "tags") == {"tags": [{"name": "e2e-tag", "count": 1},
                                                  {"name": "later", "count": 1}]}
        assert cli(data_dir, "search", "tag:e2e-tag")["total"] == 1
    finally:
        term.kill()


def test_the_facet_panel_in_a_real_terminal(tmp_path):
    data_dir = tmp_path / "data"
    term = Terminal(data_dir)
    try:
        term.start()
        term.wait_for("papers · newest first", timeout=60)
        term.keys("f")
        screen = term.wait_for("Facets of All papers · 146 papers")
        assert "▊ 2025 26 ▎" in " ".join(line_with(screen, "2025").split()), screen
        term.keys("Enter")  # the first value: 2025, its filter into the search
        term.wait_until(lambda s: "▊  year:2025 " in s and "· 26 results" in s,
                        "the 26 papers of 2025")
        term.keys("f")
        term.wait_for("✓ 2025")
        term.keys("Enter")  # chosen again: the filter goes
        term.wait_gone("year:2025")
        term.keys("C-q")
        term.wait_exited()
    finally:
        term.kill()
