"""Importing from the reader: in the background, with a progress bar and a status line.

`i` (or "Import dumps" in the palette) asks for files or folders; the import runs in a worker
thread outside the LibraryGate (the reader keeps answering), papers show in the list as soon
as they are stored (the list is refreshed every REFRESH_EVERY seconds), and search covers the
papers the index has committed so far; the bar under the list says how far both have got.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static

from ..models import ImportReport
from .safe import SafeInput

if TYPE_CHECKING:
    from ..importing import ImportProgress

REFRESH_EVERY = 2.0  # seconds between refreshes of the list while an import runs
STEP_EVERY = 0.2  # seconds between progress messages from the worker


class ImportPaths(ModalScreen[list[str] | None]):
    """Asks for the files or folders to import (several: separated by spaces, quoted)."""

    DEFAULT_CSS = """
    ImportPaths { align: center middle; }
    ImportPaths > Vertical {
        width: 80; height: auto; padding: 1 2; background: $panel; border: tall $accent;
    }
    ImportPaths Label { width: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="import.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Import dump files or folders (folders are read recursively):")
            yield SafeInput(placeholder="~/papers/arxiv.jsonl.gz  ~/papers/daily/", id="paths")
            yield Label("", id="import-error")

    @on(Input.Submitted, "#paths")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            paths = [str(Path(p).expanduser()) for p in shlex.split(event.value)]
        except ValueError as exc:
            self.query_one("#import-error", Label).update(Text(f"⚠ {exc}", style="red"))
            return
        missing = [p for p in paths if not Path(p).exists()]
        if not paths or missing:
            message = f"⚠ no such file or folder: {missing[0]}" if missing else "⚠ a path, please"
            self.query_one("#import-error", Label).update(Text(message, style="red"))
            return
        self.dismiss(paths)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ImportBar(Horizontal):
    """The progress of a running import: a bar and how many papers are stored and searchable."""

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
        if progress.files_total > 1 and progress.bytes_total:
            bar.update(total=progress.bytes_total, progress=progress.bytes_done)
        elif progress.files_done >= progress.files_total:
            bar.update(total=1, progress=1)
        else:  # one big file: its papers are counted, not its bytes
            bar.update(total=None)
        self.query_one("#import-status", Static).update(status_text(progress))

    def hide(self) -> None:
        self.remove_class("-running")


def status_text(progress) -> Text:
    """"Importing arxiv.jsonl.gz (1 of 2): 12,000 papers stored, 10,000 searchable"."""
    text = Text()
    name = Path(progress.path).name if progress.path else ""
    text.append("Importing ", "bold")
    if name:
        text.append(name)
    if progress.files_total > 1:
        text.append(f" ({min(progress.files_done + 1, progress.files_total)} of "
                    f"{progress.files_total})", "dim")
    text.append(f": {progress.papers:,} papers stored, ")
    text.append(f"{progress.indexed:,} searchable", "bold")
    return text


class BackgroundImport:
    """The MainScreen's part of importing (a mixin: MainScreen provides run_search,
    refresh_counts, `library` and `importing`)."""

    _last_refresh = 0.0
    import_steps: list  # the progress the screen was shown (for tests)

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

    def _import_chosen(self, paths: list[str] | None) -> None:
        if paths:
            self.start_import(paths)

    def start_import(self, paths: list[str]) -> None:
        """Import in the background; the list and search follow as it goes."""
        self.importing = True
        self.import_steps = []
        self._last_refresh = time.monotonic()
        self._run_import(paths)

    @work(thread=True, exclusive=True, group="import")
    def _run_import(self, paths: list[str]) -> None:
        library = self.library.library  # not through the gate: the reader keeps answering
        last = [0.0, -1]

        def progress(p) -> None:
            now = time.monotonic()
            if now - last[0] >= STEP_EVERY or p.indexed != last[1] \
                    or p.files_done == p.files_total:
                last[0], last[1] = now, p.indexed
                self.post_message(self.Step(p))

        try:
            report = library.import_paths(paths, progress=progress)
        except Exception as exc:  # shown to the user, never a crash
            self.post_message(self.Finished(None, str(exc) or type(exc).__name__))
            return
        self.post_message(self.Finished(report))

    def on_background_import_step(self, message: Step) -> None:
        self.import_steps.append(message.progress)
        self.query_one(ImportBar).show(message.progress)
        now = time.monotonic()
        if now - self._last_refresh >= REFRESH_EVERY:
            self._last_refresh = now
            self.run_search(0, keep_cursor=True)
            self.refresh_counts()

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
