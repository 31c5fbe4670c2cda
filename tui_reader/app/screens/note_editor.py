"""The note editor: a multi-line TextArea for the note of one paper.

ctrl+s saves and stays; escape saves and closes. Nothing typed is lost: the editor saves when
it closes for any reason (escape, the app quitting with the editor open, the screen going away);
when the library cannot take the note, the editor stays open with the text and says why, and
on the way out the text goes to a rescue file (`rescue(text)`, see `rescue_note`), which the
message names.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...models import PaperView
from ..safe import SafeTextArea
from ..text import one_line


def rescue_note(folder: Path, paper: PaperView, text: str) -> Path:
    """Keep a note the library could not take in a file of `folder`, else (it cannot be
    written: a read-only library) of a new temporary folder; returns its path."""
    name = f"{paper.id}-{time.strftime('%Y%m%d-%H%M%S')}.md"
    content = f"# {one_line(paper.title)}\n\n{text}\n"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
        return folder / name
    except OSError:
        path = Path(tempfile.mkdtemp(prefix="tui-reader-unsaved-notes-")) / name
        path.write_text(content, encoding="utf-8")
        return path


class NoteEditor(ModalScreen[str | None]):
    """Edit the note of a paper; `save(text)` is called with the text whenever it is saved."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="note.save"),
        Binding("escape", "close", "Save and close", priority=True, id="note.close"),
    ]

    def __init__(self, paper: PaperView, save: Callable[[str], None],
                 rescue: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.paper = paper
        self._save = save
        self._rescue = rescue
        self.saved_text = paper.note or ""
        self.area = SafeTextArea(paper.note or "", id="note-text", soft_wrap=True,
                             show_line_numbers=False, tab_behavior="indent")

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            title = Text("Note on ", style="dim")
            title.append(one_line(self.paper.readable_title), "bold")
            yield Static(title, id="note-title")
            yield self.area
            yield Static(Text("Markdown. ctrl+s saves, escape saves and closes; an empty note "
                              "is removed.", style="dim"), id="note-help")
        yield Footer()

    def on_mount(self) -> None:
        area = self.area
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        """What is in the editor (readable after the editor was removed, too)."""
        return self.area.text

    def save_now(self) -> bool:
        """Save the text if it changed since the last save; True when it is saved."""
        text = self.text
        if text == self.saved_text:
            return True
        try:
            self._save(text)
        except Exception as exc:  # the store is locked, the disk full...: keep the text
            self.notify(f"The note could not be saved: {exc}", severity="error",
                        markup=False, timeout=8)
            return False
        self.saved_text = text
        return True

    def action_save(self) -> None:
        if self.text != self.saved_text and self.save_now():
            self.notify("Note saved.", timeout=2)

    def action_close(self) -> None:
        if self.save_now():
            self.dismiss(self.saved_text)

    def on_unmount(self) -> None:
        if not self.save_now() and self._rescue is not None:
            self._rescue(self.text)
