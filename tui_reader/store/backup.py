"""The copy of the user's data in `user-backup.json`, and the generation that orders copies.

Every change of the user's data adds one to its generation, in the same transaction. The
backup is written (atomically: a temporary file, fsync, rename) after changes, at most every
BACKUP_EVERY seconds, and when the store is closed, with the generation it holds. So:
- a backup is never replaced by an older state (a lower generation); a removal the user made
  is a newer state and shrinks it;
- a store whose generation is lower than the backup's (a lost, emptied or rolled-back file, a
  WAL deleted, truncated or zeroed) gets the backup's data back at start, in one sentence
  (`Store.recovered`); so does a new store file beside a backup.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from .changes import ChangeWatch
from .errors import StoreError
from .schema import COUNTED, USER_TABLES, batched, marks

BACKUP_FORMAT = "tui-reader user data"
BACKUP_VERSION = 2  # 2: with the generation
BACKUP_EVERY = 2.0  # seconds: changes closer together are backed up by a later change or close
_GENERATION = re.compile(rb'"generation": (\d+)')
_BUMP = ("INSERT INTO user_generation VALUES (1, 1)"
         " ON CONFLICT(one) DO UPDATE SET generation = generation + 1")


class UserCopy(NamedTuple):
    """The user's data (table -> rows, columns as USER_TABLES) at a generation (None: not
    known, a backup of version 1)."""

    generation: int | None
    tables: dict[str, list[tuple]]


def counts_text(tables: dict[str, list]) -> str:
    """"2 bookmarks, 1 notes, 0 saved searches" of these tables."""
    return ", ".join(f"{len(tables.get(table, []))} {name}" for table, name in COUNTED)


class Backups(ChangeWatch):
    """The user's data: its generation, its backup, its restoration."""

    def __init__(self, path: Path, backup: Path | None = None):
        super().__init__(path, backup)
        self.recovered: str | None = None  # one sentence when start-up restored user data
        self.backup_error: str | None = None  # one sentence when the backup cannot be written
        self._dirty = False
        self._last_backup = 0.0
        self._backup_every = BACKUP_EVERY  # grows with the time a backup takes (big data)
        self._backup_mutex = threading.Lock()  # one backup at a time in this process
        self._backup_thread: threading.Thread | None = None

    @contextmanager
    def _user_change(self) -> Iterator[sqlite3.Connection]:
        """A transaction that changes the user's data: one generation more, then backed up."""
        with self.transaction() as db:
            yield db
            db.execute(_BUMP)
            made = self.generation()
        self._made_here(made)  # (committed: changes.py tells it from other processes')
        self._user_changed()

    def generation(self) -> int:
        """The generation of the user's data in the store (0: never changed)."""
        row = self.db.execute("SELECT generation FROM user_generation").fetchone()
        return row[0] if row else 0

    def _user_changed(self) -> None:
        """After a change of user data: back it up now (in a thread: the caller may be a UI),
        or at a later change, or at close."""
        self._dirty = True
        if time.monotonic() - self._last_backup < self._backup_every:
            return
        if self._backup_thread is not None and self._backup_thread.is_alive():
            return  # it is writing; this change is backed up by a later one or close
        self._last_backup = time.monotonic()
        self._backup_thread = threading.Thread(target=self._backup_in_thread, daemon=True,
                                               name="tui-reader-backup")
        self._backup_thread.start()

    def _backup_in_thread(self) -> None:
        try:
            self.write_backup()
        finally:
            self._drop_thread_connection()

    def _finish_backups(self, backup: bool) -> None:
        """Wait for the backup thread; write the backup when user data changed since."""
        thread = self._backup_thread
        if thread is not None:
            thread.join()
        if backup and self._dirty:
            self.write_backup()

    def user_data(self) -> UserCopy:
        """Every row of the user's tables and their generation, read in one snapshot."""
        with self.transaction("DEFERRED") as db:
            return UserCopy(self.generation(), {table: [tuple(r) for r in db.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}")]
                for table, columns in USER_TABLES.items()})

    def write_backup(self, *, locked: bool = False) -> bool:
        """Write the backup now (atomically) unless the one there is newer; False, with
        `backup_error` set, when it cannot be written (the store itself is unaffected)."""
        started = time.monotonic()
        self._dirty = False  # before the snapshot: a change made meanwhile sets it again
        try:
            with self._backup_mutex:
                if not locked:
                    self._lock.acquire(timeout=30)
                try:
                    copy = self.user_data()
                    there = self._backup_generation()
                    if there is not None and there > copy.generation:
                        raise StoreError(f"it holds newer data (generation {there}) than the"
                                         f" library ({copy.generation}); it was kept: start"
                                         " tui-reader again to restore from it")
                    document = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION,
                                "generation": copy.generation, "written_at": time.time(),
                                "columns": {t: list(c) for t, c in USER_TABLES.items()},
                                "tables": copy.tables}
                    _atomic_write(self.backup_path,
                                  json.dumps(document, ensure_ascii=False).encode("utf-8"))
                finally:
                    if not locked:
                        self._lock.release()
        except (OSError, StoreError, sqlite3.Error) as exc:
            self._dirty = True
            reason = ("the disk is full" if getattr(exc, "errno", None) == errno.ENOSPC
                      else getattr(exc, "strerror", None) or str(exc))
            self.backup_error = f"cannot write the backup {self.backup_path}: {reason}"
            return False
        self._last_backup = time.monotonic()
        self._backup_every = max(BACKUP_EVERY, 10 * (self._last_backup - started))
        self.backup_error = None
        return True

    def _backup_generation(self) -> int | None:
        """The generation of the backup on disk, read from its first bytes (None: none)."""
        try:
            with open(self.backup_path, "rb") as f:
                found = _GENERATION.search(f.read(256))
        except OSError:
            return None
        return int(found.group(1)) if found else None

    def read_backup(self) -> UserCopy | None:
        """The user's data in the backup, or None when there is no usable backup."""
        try:
            document = json.loads(self.backup_path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
            return None
        tables = document.get("tables")
        if not isinstance(tables, dict):
            return None
        data = {}
        for table, columns in USER_TABLES.items():
            rows = tables.get(table, [])
            if isinstance(rows, list):
                data[table] = [tuple(r) for r in rows
                               if isinstance(r, list) and len(r) == len(columns)]
        generation = document.get("generation")
        return UserCopy(generation if isinstance(generation, int) else None, data)

    def _put_user_data(self, copy: UserCopy) -> None:
        """Make the user's tables hold `copy` (one transaction), at a generation above both;
        the papers whose note or tags changed are pending for the index (note:word, tag:x)."""
        with self.transaction() as db:
            before = _indexed_user_data(db.execute("SELECT paper_id, text FROM notes"),
                                        db.execute("SELECT paper_id, tag FROM tags"))
            for table, columns in USER_TABLES.items():
                db.execute(f"DELETE FROM {table}")
                db.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)})"
                               f" VALUES ({', '.join('?' * len(columns))})",
                               copy.tables.get(table, []))
            after = _indexed_user_data([(r[0], r[2]) for r in copy.tables.get("notes", [])],
                                       [(r[0], r[1]) for r in copy.tables.get("tags", [])])
            changed = [i for i in before.keys() | after.keys() if before.get(i) != after.get(i)]
            for chunk in batched(changed):  # papers not in the store have no document
                db.execute("INSERT OR IGNORE INTO index_pending SELECT id FROM papers"
                           f" WHERE id IN ({marks(chunk)})", chunk)
            db.execute("INSERT INTO user_generation VALUES (1, ?) ON CONFLICT(one) DO UPDATE"
                       " SET generation = excluded.generation",
                       (max(self.generation(), copy.generation or 0) + 1,))

    def _catch_up(self, new_file: bool) -> str | None:
        """Restore the backup when it is newer than the user's file (or that file is new);
        returns a sentence that says so, else None."""
        backup = self.read_backup()
        if backup is None:
            return None
        mine = self.user_data()
        newer = backup.generation is not None and backup.generation > mine.generation
        if not (newer or (new_file and any(backup.tables.values()))):
            return None
        restored = {table: set(rows) - set(mine.tables.get(table, []))
                    for table, rows in backup.tables.items()}
        self._put_user_data(backup)
        name = self.user_path.name
        if new_file:
            return (f"the user data file {name} was missing or empty: restored"
                    f" {counts_text(restored)} from {self.backup_path.name}")
        return (f"the user data file {name} had lost recent changes (its {name}-wal was"
                " deleted or damaged, or an older copy was put back): restored"
                f" {counts_text(restored)} from {self.backup_path.name}")


def _indexed_user_data(notes, tags) -> dict[str, tuple]:
    """paper id -> (note, tags): the user's data the index holds, to see what a restore
    changed."""
    found: dict[str, tuple] = {}
    for paper_id, text in notes:
        found[paper_id] = (text, frozenset())
    for paper_id, tag in tags:
        note, kept = found.get(paper_id, (None, frozenset()))
        found[paper_id] = (note, kept | {tag})
    return found


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `path` all or nothing: a temporary file (0600) beside it, fsync, rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:  # the rename itself, durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
