"""`E`: the note of the highlighted paper in the user's own editor ($VISUAL, else $EDITOR), the
reader suspended meanwhile as git suspends for a commit message (tui_reader/editor.py runs it).
Where none is set or found, or the terminal cannot be handed over, one line says so and `n`
(the built-in editor) stays. An unchanged text changes nothing, an emptied one removes the
note; a note the library cannot take is kept in a file, as the built-in editor keeps it.
"""

from __future__ import annotations

from textual.app import SuspendNotSupported

from ..editor import EditorProblem, edit_note, editor_command
from .text import one_line


class OutsideEditor:
    """The MainScreen's part of editing notes outside (a mixin: MainScreen provides
    `library`, `need_paper`, `save_note`, `_rescue_note` and `_stop_read_timer`)."""

    def action_note_in_editor(self) -> None:
        paper = self.need_paper()
        if paper is None:
            return
        try:
            command = editor_command()
            note = self.library.paper(paper.id).note  # as the store has it now
            with self.app.suspend():
                text = edit_note(note, command, paper_id=paper.id)
        except EditorProblem as exc:
            self.notify(f"{exc}; n edits the note here.", severity="warning", markup=False,
                        timeout=6)
            return
        except SuspendNotSupported:
            self.notify("This terminal cannot be handed to an editor; n edits the note here.",
                        severity="warning", timeout=6)
            return
        except LookupError as exc:  # the paper is gone from the store
            self.notify(str(exc), severity="error", markup=False, timeout=6)
            return
        if text is None:
            self.notify("The note is unchanged.", timeout=2)
            return
        self._stop_read_timer()
        try:
            self.save_note(paper, text)
        except Exception as exc:  # the store is locked, read-only...: the text is kept
            path = self._rescue_note(paper, text)
            self.notify(f"The note could not be saved ({exc}); it is kept in {path}.",
                        severity="error", markup=False, timeout=12)
            return
        self.notify(("Note saved: " if text.strip() else "Note removed: ")
                    + one_line(paper.title), markup=False, timeout=2)
