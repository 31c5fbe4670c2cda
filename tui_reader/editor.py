"""A note in the user's own editor ($VISUAL, else $EDITOR), as git does it: the note goes into a
temporary file (the user's only), the editor runs on it in the terminal, and what the file
holds when the editor exits is the note. The reader (key `E`, suspended meanwhile) and
`tui-reader note ID` share this.

An unchanged text changes nothing; an emptied one removes the note; an editor that fails
(exits with an error) changes nothing either.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping


class EditorProblem(Exception):
    """No editor can be run, or it failed: one sentence for the user."""


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """The user's editor as a command ($VISUAL, else $EDITOR, split as a shell would: `code
    --wait` works); EditorProblem when neither is set or its program is not found."""
    environ = os.environ if environ is None else environ
    name = next((n for n in ("VISUAL", "EDITOR") if environ.get(n, "").strip()), None)
    if name is None:
        raise EditorProblem("no editor is set: set $VISUAL or $EDITOR")
    try:
        command = shlex.split(environ[name])
    except ValueError as exc:
        raise EditorProblem(f"${name} is not a command ({exc})") from exc
    if not command or shutil.which(command[0], path=environ.get("PATH")) is None:
        raise EditorProblem(f"the editor of ${name} ({environ[name].strip()}) is not found")
    return command


def edit_note(note: str | None, command: list[str], *, paper_id: str = "note") -> str | None:
    """Run the editor `command` on a note (None: none yet); the new note ("" removes it), or
    None when the text is unchanged (but for the newline an editor adds at its end).
    EditorProblem when the editor cannot start or exits with an error."""
    before = (note or "").rstrip()
    fd, path = tempfile.mkstemp(prefix=f"tui-reader-{paper_id}-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(before + "\n" if before else "")
        try:
            status = subprocess.run([*command, path]).returncode
        except OSError as exc:
            raise EditorProblem(f"the editor {command[0]} cannot be started:"
                                f" {exc.strerror or exc}") from exc
        if status != 0:
            raise EditorProblem(f"the editor {command[0]} exited with status {status}:"
                                " the note is unchanged")
        try:
            with open(path, encoding="utf-8", errors="replace") as file:
                after = file.read().rstrip()
        except OSError as exc:
            raise EditorProblem(f"the edited note cannot be read back ({exc.strerror or exc}):"
                                " the note is unchanged") from exc
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return None if after == before else after
