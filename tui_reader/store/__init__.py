"""The SQLite store of a data dir, in two files: `library.sqlite3`, papers and their sources
(a cache of the dumps: a damaged one is made anew and the next import fills it), and
`user.sqlite3`, the user's data (small, never lost), attached to the same connections.

- schema.py: the tables; papers.py: papers, sources, imports (data access);
  user_data.py: bookmarks, notes, saved searches, read state, settings (data access);
- database.py: the files, a connection per thread in WAL mode, transactions, the move of a
  library of one file to two; errors.py: SQLite's errors as one sentence for the user;
- backup.py: the generation of the user's data and its copy in `user-backup.json`, restored
  when the user file has fallen behind it; repair.py: checks at start, the repair of a
  damaged file (notice in one line, details in `store-repair.log`).

Files are created readable by their owner only (0600). A read-only store (`read_only=True`)
is opened and checked, never repaired, restored or changed (a change: `ReadOnly`).
"""

from __future__ import annotations

from pathlib import Path

from ..locks import FileLock
from .errors import ReadOnly, StoreCorrupt, StoreError, os_error
from .papers import PaperTables
from .repair import Repairs
from .schema import REBUILD_MARK, batched
from .user_data import UserTables, user_text

__all__ = ["REBUILD_MARK", "ReadOnly", "Store", "StoreCorrupt", "StoreError", "batched",
           "user_text"]


class Store(PaperTables, UserTables, Repairs):
    """One data dir's SQLite database, checked (and repaired, or brought up to date from the
    backup) when opened; `recovered` says what that did, in one sentence."""

    def __init__(self, path: Path, *, backup: Path | None = None, read_only: bool = False,
                 deep_check_later: bool = False):
        """`deep_check_later`: a big papers' file's daily whole-file check is left for
        `deep_check` (Repairs)."""
        super().__init__(path, backup)
        self.read_only = read_only
        self.deep_check_later = deep_check_later
        self._lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        self._open_checked()

    def _open_checked(self) -> None:
        """Open (and check) the store; repair it when damaged, restore the backup when it is
        newer. Serialised between processes, so that two starting at once do not both move
        the file aside or restore. A read-only store is opened and checked only."""
        if self.read_only:
            self._open()
            try:
                self._check()
            except StoreCorrupt as exc:
                raise StoreError(f"the library in {self.path.parent} is damaged ({exc.reason})"
                                 " and read-only: it cannot be repaired here") from exc
            return
        try:
            self._lock.acquire(timeout=60)
        except OSError as exc:
            raise os_error(exc, self.path, "open") from exc
        try:
            for _ in range(3):  # each file is repaired once at most
                try:
                    new_user_file = self._open()
                    self._check()
                    break
                except StoreCorrupt as exc:
                    if len(self._repairs) == 2:
                        raise
                    self._recover(exc)
            self._restore(new_user_file)
        finally:
            self._lock.release()

    def close(self, backup: bool = True) -> None:
        """Write the backup when user data changed since the last one; close every thread's
        connection."""
        self._finish_backups(backup)
        self._close_connections()

    def counts(self) -> dict[str, int]:
        """The numbers of `tui-reader stats`."""
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "papers": one("SELECT count(*) FROM papers"),
            "sources": one("SELECT count(*) FROM files"),
            "bookmarks": one("SELECT count(*) FROM bookmarks"),
            "notes": one("SELECT count(*) FROM notes"),
            "saved_searches": one("SELECT count(*) FROM saved_searches"),
            "read": one("SELECT count(*) FROM read_state"),
        }

    def problems(self) -> list[str]:
        """What a quick_check of both files finds now, one line each naming the file (for
        `tui-reader check`; the checks at open may skip a big papers' file)."""
        found = []
        for schema, path in (("main", self.path), ("user", self.user_path)):
            try:
                rows = [r[0] for r in self.db.execute(f"PRAGMA {schema}.quick_check")]
            except StoreError as exc:
                rows = [str(exc)]
            found += [f"{path.name}: {row}" for row in rows[:5] if row != "ok"]
        return found

    def paper_ids(self) -> set[str]:
        """The id of every paper."""
        return {row[0] for row in self.db.execute("SELECT id FROM papers")}

    def check_fully_at_next_open(self) -> None:
        """Make the next open check the papers' file whole (and repair it when damaged)."""
        self._stamp_path().unlink(missing_ok=True)
