"""What SQLite's and the file system's errors mean to the user: StoreError with one sentence.

Every statement and fetch goes through one translation (`_explained`): a damaged page can
show while rows are fetched, not only when a statement starts.
"""

from __future__ import annotations

import errno
import functools
import shutil
import sqlite3
from pathlib import Path

_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_READ_ONLY = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM,
              sqlite3.SQLITE_AUTH}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class StoreError(Exception):
    """The store cannot be opened or written (with a message for the user)."""


class ReadOnly(StoreError):
    """A change asked of a read-only store (with a message for the user)."""


class StoreCorrupt(StoreError):
    """The store file is damaged (the next start repairs it).

    `reason`: what is wrong, short and on one line; `details`: all that SQLite said (for the
    repair log); `path`: the damaged file, where known."""

    def __init__(self, message: str, reason: str = "", details: str = "",
                 path: Path | None = None):
        super().__init__(message)
        self.reason = reason or message
        self.details = details or self.reason
        self.path = path


def explain(exc: sqlite3.DatabaseError, path: Path, *, connecting: bool = False,
            backup_name: str = "user-backup.json") -> Exception:
    """The StoreError that says what an SQLite error on the store `path` means to the user
    (or `exc` itself). `connecting`: SQLite was opening the file (making its WAL files)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    where = path.parent
    if primary in _CORRUPT:
        return StoreCorrupt(f"the library file {path} is damaged ({exc}); start tui-reader"
                            " again to repair it (your bookmarks and notes are kept in"
                            f" {backup_name})", reason=str(exc))
    if primary == sqlite3.SQLITE_FULL or (primary == sqlite3.SQLITE_IOERR
                                          and _disk_full(where)):
        if connecting:
            return StoreError(f"the disk is full: cannot open the library in {where}"
                              " (free some space and try again)")
        return StoreError(f"the disk is full: cannot save to {where} (the change was not"
                          " saved)")
    if primary in _READ_ONLY:
        return StoreError(f"cannot write to the data dir {where}: it is read-only or not"
                          f" yours ({exc})")
    if primary in _BUSY:
        return StoreError("the library is busy: another tui-reader is writing to it;"
                          " try again in a moment")
    if primary == sqlite3.SQLITE_IOERR:
        return StoreError(f"cannot read or write {path}: disk I/O error ({exc})")
    return exc


def os_error(exc: OSError, path: Path, action: str) -> StoreError:
    """The StoreError of a file-system error met while `action`-ing the store `path`."""
    where = path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(f"the disk is full: cannot save to {where}")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(f"cannot write to the data dir {where}: it is read-only or not"
                          f" yours ({exc.strerror})")
    return StoreError(f"cannot {action} the store {path}: {exc.strerror or exc}")


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < (1 << 20)
    except OSError:
        return False


def _explained(method):
    """`method` of a connection or cursor, its SQLite errors explained by the store."""

    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except sqlite3.DatabaseError as exc:
            conn = self if isinstance(self, sqlite3.Connection) else self.connection
            raise conn.store.explain(exc) from exc

    return wrapper


class Cursor(sqlite3.Cursor):
    """A cursor whose errors that mean something to the user become StoreError."""

    execute = _explained(sqlite3.Cursor.execute)
    executemany = _explained(sqlite3.Cursor.executemany)
    fetchone = _explained(sqlite3.Cursor.fetchone)
    fetchmany = _explained(sqlite3.Cursor.fetchmany)
    fetchall = _explained(sqlite3.Cursor.fetchall)
    __next__ = _explained(sqlite3.Cursor.__next__)


class Connection(sqlite3.Connection):
    """A connection whose errors that mean something to the user become StoreError; `store`
    is the Store that explains them."""

    store = None

    def execute(self, *args):
        return self.cursor(Cursor).execute(*args)

    def executemany(self, *args):
        return self.cursor(Cursor).executemany(*args)

    executescript = _explained(sqlite3.Connection.executescript)
