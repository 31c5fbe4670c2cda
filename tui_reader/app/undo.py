"""Undo: the reader's changes to the user's data, each with the Library calls that revert it.

A change is recorded when the reader makes it (a bookmark, a read state, marking a list read,
a note, a deleted saved search), with the state before it; `z` reverts the latest, then the
one before, several steps deep. Papers read by staying in the detail pane are not recorded:
they are no one's command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEPTH = 100  # the changes kept; older ones cannot be undone


@dataclass(frozen=True)
class Change:
    """A change to the user's data: what it was (e.g. "the bookmark of “X”", said after
    "Undone: ") and how to put back the state before it."""

    what: str
    revert: Callable[[], object]


class UndoStack:
    """The latest changes, newest last."""

    def __init__(self, depth: int = DEPTH) -> None:
        self._changes: list[Change] = []
        self._depth = depth

    def __len__(self) -> int:
        return len(self._changes)

    def record(self, what: str, revert: Callable[[], object]) -> None:
        """Remember a change made just now, and how to revert it."""
        self._changes.append(Change(what, revert))
        del self._changes[:-self._depth]

    def undo(self) -> Change | None:
        """Revert the latest change (None: nothing to undo). When its revert fails, the
        change is kept (the error is raised), so `z` can try again."""
        if not self._changes:
            return None
        change = self._changes[-1]
        change.revert()
        self._changes.pop()
        return change
