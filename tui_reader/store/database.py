"""The store's two SQLite files: a connection per thread (WAL mode) to the papers' file with
the user's file attached as `user`, transactions, the schema, errors explained (errors.py).

A transaction that changes only the user's tables writes only the user's file (atomic there);
one that changes tables of both files is atomic in each file but not across them (SQLite in
WAL mode), so none does where it matters: a note and its index to-do entry are both in the
user's file.

A read-only store (`read_only`: a read-only mount, a library on a CD, files not the user's) is
opened with SQLite's `mode=ro`, else (its WAL index cannot be made) `immutable=1`; a change
then fails at once with `ReadOnly`."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from .errors import Connection, ReadOnly, StoreError, explain, os_error
from .schema import (ADDED_COLUMNS, AFTER_ADDED_COLUMNS, PAPER_TABLES, PAPERS_SCHEMA,
                     REREAD_FOR_UPVOTES, USER_FILE_TABLES, USER_SCHEMA)

USER_FILE = "user.sqlite3"  # beside the papers' file
READERS = 4  # threads that read a page of papers at once (Database.readers)


class Database:
    """The store's file and this process's connections to it (one per thread)."""

    read_only = False  # (set before the store is opened)
    _read_mode = "mode=ro"  # how a read-only store is opened: "immutable=1" where that fails

    def __init__(self, path: Path, backup: Path | None = None):
        self.path = Path(path)
        self.user_path = self.path.with_name(USER_FILE)
        self.backup_path = Path(backup) if backup else self.path.with_name("user-backup.json")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connecting = False
        self._papers_file_new = False  # the papers' file was missing or empty at open
        self._readers: ThreadPoolExecutor | None = None
        self._readers_lock = threading.Lock()

    def _open(self) -> bool:
        """Open both files (made 0600 when missing), make their tables, move the user's
        tables of a library of one file into the user's file; True when the user's file is
        new (missing or empty). StoreCorrupt when a file is not a database.

        The files are never opened but by SQLite: closing another descriptor of a database
        file drops the POSIX locks SQLite holds on it in this process (another Store open
        here), and another process may then checkpoint and remove a WAL still in use.

        A read-only store is only opened (StoreError when a file is missing)."""
        if self.read_only:
            for path in (self.path, self.user_path):
                if not path.exists():
                    raise StoreError(f"the data dir {path.parent} is read-only and has no"
                                     f" library: {path.name} is missing")
            self.db  # noqa: B018 - opened now: errors are the store's, not a later query's
            return False
        sizes = {}
        for path in (self.path, self.user_path):
            try:
                _private_file(path)
                sizes[path] = path.stat().st_size
            except OSError as exc:
                raise os_error(exc, path, "open") from exc
        db = self.db
        for schema, tables, statements in (("main", PAPER_TABLES, PAPERS_SCHEMA),
                                           ("user", USER_FILE_TABLES, USER_SCHEMA)):
            if not tables <= self._tables(schema):
                with self.transaction():
                    for statement in statements.split(";"):
                        if statement.strip():
                            db.execute(statement)
        self._add_columns()
        self._papers_file_new = not sizes[self.path]
        return self._move_user_tables() is None and not sizes[self.user_path]

    def _add_columns(self) -> None:
        """Give a store made by an earlier version the columns added since (ADDED_COLUMNS)."""
        db = self.db
        for table, column, declaration in ADDED_COLUMNS:
            if column not in {r[1] for r in db.execute(f"PRAGMA main.table_info({table})")}:
                with self.transaction():
                    db.execute(f"ALTER TABLE main.{table} ADD COLUMN {column} {declaration}")
                    if (table, column) == ("sources", "upvotes"):  # its captures' upvotes:
                        db.execute(REREAD_FOR_UPVOTES)  # the next import reads them again
        db.execute(AFTER_ADDED_COLUMNS)

    def _tables(self, schema: str) -> set[str]:
        return {r[0] for r in self.db.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")}

    def _move_user_tables(self) -> int | None:
        """A library of one file (before user.sqlite3): its user tables move to the user's
        file (copied in one transaction, then dropped in another: a crash between leaves
        them in both, and the next start only drops them). Returns how many moved, or None
        when there were none."""
        old = self._tables("main") & USER_FILE_TABLES
        if not old:
            return None
        moved = 0
        with self.transaction() as db:
            fresh = not any(db.execute(f"SELECT 1 FROM user.{t} LIMIT 1").fetchone()
                            for t in USER_FILE_TABLES)
            if fresh:
                for table in sorted(old):
                    columns = [r[1] for r in db.execute(f"PRAGMA main.table_info({table})")]
                    names = ", ".join(columns)
                    moved += db.execute(f"INSERT OR IGNORE INTO user.{table} ({names})"
                                        f" SELECT {names} FROM main.{table}").rowcount
        with self.transaction() as db:
            for table in old:
                db.execute(f"DROP TABLE main.{table}")
        return moved

    def explain(self, exc: sqlite3.DatabaseError) -> Exception:
        """The StoreError that says what an SQLite error means to the user (or `exc`)."""
        return explain(exc, self.path, connecting=self._connecting,
                       backup_name=self.backup_path.name)

    def unwritable(self) -> ReadOnly:
        """The error of a change asked of a read-only store."""
        return ReadOnly(f"the library in {self.path.parent} is read-only: changes cannot be"
                        " saved")

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._connecting = True
            try:
                try:
                    conn = self._connect()
                except StoreError:
                    if not (self.read_only and self._read_mode == "mode=ro"):
                        raise
                    self._read_mode = "immutable=1"  # its WAL index cannot be made here
                    conn = self._connect()
            finally:
                self._connecting = False
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def readers(self) -> ThreadPoolExecutor:
        """READERS threads for reads that may run at once, each with its own connection (the
        disk then has several reads to serve at a time); started when first asked."""
        with self._readers_lock:
            if self._readers is None:
                self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="store-read")
            return self._readers

    def _connect(self) -> sqlite3.Connection:
        """A new connection to the papers' file with the user's file attached, checked."""
        files = ((self._uri(self.path), self._uri(self.user_path)) if self.read_only
                 else (self.path, str(self.user_path)))
        try:
            conn = sqlite3.connect(files[0], uri=self.read_only, timeout=30,
                                   isolation_level=None, check_same_thread=False,
                                   factory=Connection)
        except sqlite3.DatabaseError as exc:
            raise self.explain(exc) from exc
        conn.store = self
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("ATTACH DATABASE ? AS user", (files[1],))
            for schema in () if self.read_only else ("main", "user"):
                conn.execute(f"PRAGMA {schema}.journal_mode=WAL")
                conn.execute(f"PRAGMA {schema}.synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("SELECT count(*) FROM main.sqlite_master").fetchone()
            conn.execute("SELECT count(*) FROM user.sqlite_master").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _uri(self, path: Path) -> str:
        """The URI that opens `path` read-only."""
        return f"file:{quote(os.fsencode(path.resolve()))}?{self._read_mode}"

    def _drop_thread_connection(self) -> None:
        """Close this thread's connection (a thread that ends takes its connection along)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            try:
                self._connections.remove(conn)
            except ValueError:
                pass
            conn.close()

    def _close_connections(self) -> None:
        with self._readers_lock:
            if self._readers is not None:
                self._readers.shutdown()
                self._readers = None
        for conn in self._connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self, kind: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE (a change) or DEFERRED (reads that see one state of the files) ...
        COMMIT, rolled back on any error (a failed COMMIT too). A read-only store refuses a
        change at once (ReadOnly)."""
        if self.read_only and kind != "DEFERRED":
            raise self.unwritable()
        db = self.db
        db.execute(f"BEGIN {kind}")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise


def _private_file(path: Path) -> None:
    """Create `path` empty and 0600 when it is missing; tighten it when others can read it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode
        if mode & 0o077:
            os.chmod(path, 0o600)
        return
    os.close(fd)
