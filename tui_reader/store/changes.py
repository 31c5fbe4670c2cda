"""Telling that the store changed, cheaply: for a reader that shows what another process (the
command line) changes while it is open.

SQLite's `PRAGMA data_version` of a connection changes when another connection commits to the
file (another process, or another thread of this one: each has its own connection), and costs
next to nothing. The user's data also has a generation (backup.py), one more with each change;
the generations this process made are remembered, so a change of the user's file can be told
apart from the reader's own (which it shows already).
"""

from __future__ import annotations

import threading
from pathlib import Path

from .database import Database

_OWN_KEPT = 10_000  # generations of this process remembered at most between two looks


class ChangeWatch(Database):
    """The files' data versions and the user data's generations made here."""

    def __init__(self, path: Path, backup: Path | None = None):
        super().__init__(path, backup)
        self._own_generations: set[int] = set()
        self._own_lock = threading.Lock()

    def _made_here(self, generation: int) -> None:
        """A change of the user's data by this process committed `generation`."""
        with self._own_lock:
            if len(self._own_generations) < _OWN_KEPT:
                self._own_generations.add(generation)

    def data_versions(self) -> tuple[int, int]:
        """SQLite's data_version of the papers' file and of the user's file, on this thread's
        connection: each changes when another connection commits to that file."""
        db = self.db
        return (db.execute("PRAGMA main.data_version").fetchone()[0],
                db.execute("PRAGMA user.data_version").fetchone()[0])

    def changed_elsewhere(self, since: int) -> tuple[int, bool]:
        """The user data's generation now, and whether a change after generation `since`
        was made by another process (else all were this one's). Forgets this process's
        generations up to now: one caller looks."""
        row = self.db.execute("SELECT generation FROM user_generation").fetchone()
        now = row[0] if row else 0
        with self._own_lock:
            own = self._own_generations
            elsewhere = now < since or now - since > len(own) or any(
                g not in own for g in range(since + 1, now + 1))
            self._own_generations = {g for g in own if g > now}
        return now, elsewhere
