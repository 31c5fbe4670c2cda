"""One SQLite database file: a connection per thread (WAL mode), transactions, the schema,
errors explained (errors.py)."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Connection, StoreCorrupt, explain, os_error
from .schema import SCHEMA, TABLES

SQLITE_HEADER = b"SQLite format 3\x00"


class Database:
    """The store's file and this process's connections to it (one per thread)."""

    def __init__(self, path: Path, backup: Path | None = None):
        self.path = Path(path)
        self.backup_path = Path(backup) if backup else self.path.with_name("user-backup.json")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connecting = False

    def _open(self) -> bool:
        """Open the file (made 0600 when missing) and make its tables; True when the file was
        missing or empty (a new library). StoreCorrupt when it is not a database."""
        try:
            _private_file(self.path)
            with open(self.path, "rb") as f:
                head = f.read(100)
        except OSError as exc:
            raise os_error(exc, self.path, "open") from exc
        if head and (len(head) < 100 or not head.startswith(SQLITE_HEADER)):
            raise StoreCorrupt(f"the library file {self.path} is not a database",
                               reason="it is not a database: its header is damaged")
        db = self.db
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not TABLES <= tables:
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
        return not head

    def explain(self, exc: sqlite3.DatabaseError) -> Exception:
        """The StoreError that says what an SQLite error means to the user (or `exc`)."""
        return explain(exc, self.path, connecting=self._connecting,
                       backup_name=self.backup_path.name)

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._connecting = True
            try:
                try:
                    conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                           check_same_thread=False, factory=Connection)
                except sqlite3.DatabaseError as exc:
                    raise self.explain(exc) from exc
                conn.store = self
                conn.row_factory = sqlite3.Row
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                    conn.execute("PRAGMA foreign_keys=ON")
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                except BaseException:
                    conn.close()
                    raise
            finally:
                self._connecting = False
            self._local.conn = conn
            self._connections.append(conn)
        return conn

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
        for conn in self._connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (a failed COMMIT too)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
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

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that see one state of the file (a deferred transaction)."""
        db = self.db
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")


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
