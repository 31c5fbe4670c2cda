"""Marking papers, as mutt, alot and ranger mark messages and files: `v` marks the highlighted
paper of the list (or unmarks it) and moves down, so a run of papers is marked key after key;
the list shows ✓ on them and the status line says "3 marked". `t` then changes the tags of the
marked papers (tagging.py) and the marks go; escape clears them.

Marks are paper ids, kept while other lists are shown (papers marked in several searches are
tagged at once), and only for the session.
"""

from __future__ import annotations


class Marks:
    """The marked papers' ids, in the order they were marked."""

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> list[str]:
        return list(self._ids)

    def toggle(self, paper_id: str) -> bool:
        """Mark a paper, or unmark it when it was marked; whether it is marked now."""
        if paper_id in self._ids:
            del self._ids[paper_id]
            return False
        self._ids[paper_id] = None
        return True

    def clear(self) -> None:
        self._ids.clear()


class Marking:
    """The MainScreen's part of marking (a mixin: MainScreen provides `marks`, `papers`,
    `update_status` and `notify`)."""

    marks: Marks

    def action_toggle_mark(self) -> None:
        """v: mark the highlighted paper of the list (or unmark it), then go down a row."""
        row = self.papers.current
        if row is None:
            self.notify("No paper is highlighted.", severity="warning", timeout=2)
            return
        self.marks.toggle(row.paper.id)
        self.show_marks()
        self.papers.cursor += 1

    def clear_marks(self) -> None:
        """Unmark every paper."""
        self.marks.clear()
        self.show_marks()

    def show_marks(self) -> None:
        """Show the marks in the list and their number in the status line."""
        self.papers.show_marks(set(self.marks.ids()))
        self.update_status()
