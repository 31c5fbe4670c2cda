"""Importing from the reader: in the background, with a progress bar and a status line.

`i` (or "Import dumps" in the palette) asks for files or folders, or takes a pasted page (kept
in the data dir as a source, "pasted 2026-11-30 14:02"); the import runs in a worker
thread outside the LibraryGate (the reader keeps answering), papers show in the list as soon
as they are stored (live.py refreshes it as the store changes), and search covers the papers
the index has committed so far; the bar under the list says how far both have got.
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static

from ..models import ImportReport, counted
from .path_completion import SHOWN, PathSuggester, complete
from .safe import SafeInput
from .text import one_line

if TYPE_CHECKING:
    from ..importing import ImportProgress

STEP_EVERY = 0.2  # seconds between progress messages from the worker


class PathsInput(SafeInput):
    """The box for paths: pasted paths, one a line, are quoted into it; a pasted page (several
    lines that are not all paths) goes on to the dialog. `tab` completes the last path
    (path_completion.py; the focus stays), and so does `right` at the end of the box."""

    BINDINGS = [Binding("tab", "complete", "Complete the path", id="import.complete")]

    @dataclass
    class Completed(Message):
        """`tab` completed the box as far as it could; `names`: the files that match."""

        names: list[str]

    def __init__(self, **kwargs) -> None:
        super().__init__(suggester=PathSuggester(), **kwargs)

    def action_complete(self) -> None:
        value, names = complete(self.value)
        if value != self.value:
            self.value = value
            self.cursor_position = len(value)
        self.post_message(self.Completed(names))

    def _on_paste(self, event: events.Paste) -> None:
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if len(lines) > 1 and not all(_exists(line) for line in lines):
            event.prevent_default()  # not flattened into one line: it bubbles to ImportPaths
        else:
            event.text = " ".join(map(shlex.quote, lines)) if len(lines) > 1 else "".join(lines)


class ImportPaths(ModalScreen[list[str] | str | None]):
    """Asks for the files or folders to import (several: separated by spaces, quoted), or takes
    a pasted page; dismissed with the paths, the page's text, or None."""

    DEFAULT_CSS = """
    ImportPaths { align: center middle; }
    ImportPaths > Vertical {
        width: 80; height: auto; padding: 1 2; background: $panel; border: tall $accent;
    }
    ImportPaths Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="import.cancel")]

    page: str | None = None  # a pasted page, imported on enter while the box is empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Import dump files or folders (folders are read recursively), "
                        "or paste a page:")
            yield PathsInput(placeholder="~/papers/arxiv.jsonl.gz  ~/papers/daily/", id="paths")
            yield Label("", id="import-note")

    def on_paste(self, event: events.Paste) -> None:
        """A pasted page: kept whole (not flattened into the box) until enter imports it."""
        event.stop()
        self.page = event.text.replace("\r\n", "\n").replace("\r", "\n")  # a terminal's CRs
        self.query_one("#paths", Input).value = ""
        lines = sum(1 for line in self.page.split("\n") if line.strip())
        self._say(Text(f"A pasted page of {counted(lines, 'line')}: enter imports it "
                       "(typing paths instead drops it)."))

    def on_paths_input_completed(self, message: PathsInput.Completed) -> None:
        names = [one_line(name) for name in message.names]  # (a name may hold anything)
        if not names:
            self._say(Text("No file or folder starts so.", style="dim"))
        elif len(names) > 1:
            listed = "  ".join(names[:SHOWN])
            more = f"  … and {len(names) - SHOWN:,} more" if len(names) > SHOWN else ""
            self._say(Text(listed + more, style="dim"))
        else:
            self._say(Text(""))

    @on(Input.Changed, "#paths")
    def typed(self, event: Input.Changed) -> None:
        if event.value and self.page is not None:
            self.page = None
            self._say(Text(""))

    @on(Input.Submitted, "#paths")
    def submitted(self, event: Input.Submitted) -> None:
        if self.page is not None and not event.value.strip():
            self.dismiss(self.page)
            return
        try:
            paths = [os.path.expanduser(p) for p in shlex.split(event.value)]
        except ValueError as exc:
            self._say(Text(f"⚠ {exc}", style="red"))
            return
        missing = [p for p in paths if not _exists(p)]
        if not paths or missing:
            message = f"⚠ no such file or folder: {missing[0]}" if missing else "⚠ a path, please"
            self._say(Text(message, style="red"))
            return
        self.dismiss(paths)

    def _say(self, text: Text) -> None:
        self.query_one("#import-note", Label).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _exists(path: str) -> bool:
    """Whether a typed or pasted path is there ("~" expanded; never an error, whatever it is)."""
    return os.path.exists(os.path.expanduser(path))


class ImportBar(Horizontal):
    """The progress of a running import: a bar of the bytes read (of every file; a JSONL or
    CSV file counts as it is read), how many papers are stored and searchable."""

    DEFAULT_CSS = """
    ImportBar { height: 1; display: none; background: $panel; padding: 0 1; }
    ImportBar.-running { display: block; }
    ImportBar ProgressBar { width: 34; }
    ImportBar #import-status { width: 1fr; padding: 0 0 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield ProgressBar(show_eta=False, id="import-progress")
        yield Static(id="import-status")

    def show(self, progress) -> None:
        self.add_class("-running")
        bar = self.query_one(ProgressBar)
        if progress.bytes_total:
            bar.update(total=progress.bytes_total,
                       progress=min(progress.bytes_done, progress.bytes_total))
        else:  # empty files only
            bar.update(total=max(progress.files_total, 1), progress=progress.files_done)
        self.query_one("#import-status", Static).update(status_text(progress))

    def hide(self) -> None:
        self.remove_class("-running")


def status_text(progress) -> Text:
    """"Importing arxiv.jsonl.gz (file 1 of 2, 12.5 MB of 40.1 MB): 12,000 papers stored,
    10,000 searchable"."""
    text = Text()
    name = Path(progress.path).name if progress.path else ""
    text.append("Importing ", "bold")
    if name:
        text.append(name + " ")
    where = [f"file {min(progress.files_done + 1, progress.files_total)} of "
             f"{progress.files_total}"] if progress.files_total > 1 else []
    if progress.bytes_total:
        where.append(f"{size_text(progress.bytes_done)} of {size_text(progress.bytes_total)}")
    if where:
        text.append(f"({', '.join(where)})", "dim")
    text.rstrip()
    text.append(f": {counted(progress.papers, 'paper')} stored, ")
    text.append(f"{progress.indexed:,} searchable", "bold")
    return text


def size_text(size: int) -> str:
    """A byte count for people: "120 bytes", "48 KB", "12.5 MB", "1.2 GB"."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1e6:
        return f"{size / 1e3:.0f} KB"
    return f"{size / 1e6:,.1f} MB" if size < 1e9 else f"{size / 1e9:,.1f} GB"


class BackgroundImport:
    """The MainScreen's part of importing (a mixin: MainScreen provides run_search,
    refresh_counts, `library` and `importing`)."""

    @dataclass
    class Step(Message):
        """How far the running import has got."""

        progress: ImportProgress

    @dataclass
    class Finished(Message):
        """An import ended: its report (None: nothing to import), or why it failed;
        `samples`: it was the import of the bundled samples into a new library."""

        report: ImportReport | None
        error: str | None = None
        samples: bool = False

    def action_import_dumps(self) -> None:
        if self.importing:
            self.notify("An import is running; the next one can start when it has finished.",
                        severity="warning")
            return
        self.app.push_screen(ImportPaths(), self._import_chosen)

    def _import_chosen(self, chosen: list[str] | str | None) -> None:
        """What the dialog was given: paths, or a pasted page (a str)."""
        if isinstance(chosen, str):
            self.start_import([], page=chosen)
        elif chosen:
            self.start_import(chosen)

    def start_import(self, paths: list[str], page: str | None = None) -> None:
        """Import in the background (a pasted `page` is kept as a source of the library first,
        then imported like a file); the list and search follow as it goes."""
        self.importing = True
        self._run_import(paths, page)

    @work(thread=True, exclusive=True, group="import")
    def _run_import(self, paths: list[str], page: str | None) -> None:
        library = self.library.library  # not through the gate: the reader keeps answering
        last = [0.0, -1]

        def progress(p) -> None:
            now = time.monotonic()
            if now - last[0] >= STEP_EVERY or p.indexed != last[1] \
                    or p.files_done == p.files_total:
                last[0], last[1] = now, p.indexed
                self.post_message(self.Step(p))

        try:
            if page is not None:  # "pasted 2026-11-30 14:02" in the data dir
                paths = [str(library.save_paste(page.encode("utf-8", "replace")))]
            report = library.import_paths(paths, progress=progress)
        except Exception as exc:  # shown to the user, never a crash
            self.post_message(self.Finished(None, str(exc) or type(exc).__name__))
            return
        self.post_message(self.Finished(report))

    def on_background_import_step(self, message: Step) -> None:
        self.query_one(ImportBar).show(message.progress)

    def on_background_import_finished(self, message: Finished) -> None:
        self.importing = False
        self.query_one(ImportBar).hide()
        if message.error:
            what = "The sample import" if message.samples else "The import"
            self.notify(f"{what} failed: {message.error}", severity="error", markup=False,
                        timeout=8)
        elif message.report is not None:
            report = message.report
            what = "Imported the samples" if message.samples else "Imported"
            self.notify(f"{what}: {report.summary()}", markup=False, timeout=6,
                        severity="warning" if report.failed else "information")
        self.run_search(0, keep_cursor=True)
        self.refresh_counts()
