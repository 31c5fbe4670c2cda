"""The SQLite store: papers and their sources, imported files, and the user's data.

WAL mode, every change in one transaction. User data (bookmarks, notes, saved searches, read
state, settings) is keyed by paper id with a copy of the title, so it outlives the papers.

Trust (DESIGN.md section 6):
- The user's data is copied to `user-backup.json` (atomically: a temporary file, fsync,
  rename) after changes, at most every BACKUP_EVERY seconds, and when the store is closed.
- At start the store is checked: its header, its schema, and `PRAGMA quick_check` of the user
  tables every time, of the whole file when it is small, once a day, or after a query met a
  damaged page. A damaged file is moved aside (kept as `library.sqlite3.corrupt-TIME`), a new
  store is made, and the user's data is restored from the damaged file where it still reads
  cleanly and from the backup; `Store.recovered` says so in one sentence. Papers come back with
  the next import (the index is rebuilt by the Library).
- SQLite's errors become StoreError with a sentence for the user: a full disk, a read-only
  data dir, a busy library, a damaged file (StoreCorrupt).
- Files are created readable by their owner only (0600).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from .locks import FileLock
from .models import CONTROL_CHARACTERS, Bookmark, Note, Paper, SavedSearch, Source

SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    authors_count INTEGER,
    organization TEXT,
    published TEXT,
    year_inferred INTEGER NOT NULL DEFAULT 0,
    upvotes INTEGER,
    arxiv_id TEXT,
    url TEXT,
    categories TEXT NOT NULL DEFAULT '[]',
    import_id INTEGER
);
CREATE INDEX IF NOT EXISTS papers_arxiv ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS papers_import ON papers(import_id);
-- the list's sort orders (SORT_SQL), so a page deep in 75,000 papers is an index walk
CREATE INDEX IF NOT EXISTS papers_by_date ON papers(published IS NULL, published DESC, title);
CREATE INDEX IF NOT EXISTS papers_by_upvotes ON papers(upvotes IS NULL, upvotes DESC, title);
CREATE INDEX IF NOT EXISTS papers_by_title ON papers(title COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha1 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    format TEXT,
    papers INTEGER NOT NULL DEFAULT 0,
    imported_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    paper_id TEXT NOT NULL,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (paper_id, file_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sources_file ON sources(file_id);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS bookmarks (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS saved_searches (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, sort TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS read_state (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, read_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS index_pending (paper_id TEXT PRIMARY KEY) WITHOUT ROWID;
"""
TABLES = frozenset({"papers", "files", "sources", "imports", "bookmarks", "notes",
                    "saved_searches", "read_state", "settings", "index_pending"})
# The user's data: what a backup holds and a repair restores (table -> columns, key first).
USER_TABLES = {
    "bookmarks": ("paper_id", "title", "created_at"),
    "notes": ("paper_id", "title", "text", "updated_at"),
    "saved_searches": ("name", "query", "sort", "created_at"),
    "read_state": ("paper_id", "title", "read_at"),
    "settings": ("key", "value"),
}
BACKUP_FORMAT = "tui-reader user data"
BACKUP_EVERY = 2.0  # seconds: changes closer together are backed up by a later change or close
DEEP_CHECK_MAX_BYTES = 32 << 20  # a whole-file quick_check at every start below this size ...
DEEP_CHECK_EVERY = 24 * 3600  # ... and at least once a day above it
REBUILD_MARK = "*"  # in index_pending: the whole index must be rebuilt
SQLITE_HEADER = b"SQLite format 3\x00"
_PER_TABLE_CHECK = sqlite3.sqlite_version_info >= (3, 33, 0)
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_READ_ONLY = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM,
              sqlite3.SQLITE_AUTH}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}

PAPER_COLUMNS = (
    "id, title, abstract, authors, authors_count, organization, published, year_inferred, "
    "upvotes, arxiv_id, url, categories"
)
SORT_SQL = {
    "date": "published IS NULL, published DESC, title",
    "upvotes": "upvotes IS NULL, upvotes DESC, title",
    "title": "title COLLATE NOCASE",
    "relevance": "published IS NULL, published DESC, title",
}


class StoreError(Exception):
    """The store cannot be opened or written (with a message for the user)."""


class StoreCorrupt(StoreError):
    """The store file is damaged (the next start repairs it)."""


class _Cursor(sqlite3.Cursor):
    """A cursor whose errors that mean something to the user become StoreError (a damaged
    page can show while rows are fetched, not only when a statement starts)."""

    def _explain(self, exc: sqlite3.DatabaseError) -> Exception:
        return self.connection.store.explain(exc)

    def execute(self, *args):
        try:
            return super().execute(*args)
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from exc

    def executemany(self, *args):
        try:
            return super().executemany(*args)
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from exc

    def fetchone(self):
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from exc

    def fetchmany(self, *args):
        try:
            return super().fetchmany(*args)
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from exc

    def fetchall(self):
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from exc

    def __next__(self):
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from exc


class _Connection(sqlite3.Connection):
    """A connection whose errors that mean something to the user become StoreError."""

    store: "Store"

    def execute(self, *args):
        return self.cursor(_Cursor).execute(*args)

    def executemany(self, *args):
        return self.cursor(_Cursor).executemany(*args)

    def executescript(self, *args):
        try:
            return super().executescript(*args)
        except sqlite3.DatabaseError as exc:
            raise self.store.explain(exc) from exc


def user_text(text: str, *, multiline: bool = False) -> str:
    """`text` as the store keeps it (a note, a saved search): no control characters (nobody
    types them; pasted or scripted in, they would act on the terminal that shows the text);
    one line unless `multiline`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text)
    return text if multiline else " ".join(text.split("\n")).replace("\t", " ")


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


def _paper_row(p: Paper, import_id: int | None) -> tuple:
    return (
        p.id, p.title, p.abstract, json.dumps(p.authors, ensure_ascii=False), p.authors_count,
        p.organization, p.published.isoformat() if p.published else None, int(p.year_inferred),
        p.upvotes, p.arxiv_id, p.url, json.dumps(p.categories, ensure_ascii=False), import_id,
    )


def _paper_from_row(row: sqlite3.Row, sources: list[Source] | None = None) -> Paper:
    return Paper(
        id=row["id"], title=row["title"], abstract=row["abstract"],
        authors=json.loads(row["authors"]), authors_count=row["authors_count"],
        organization=row["organization"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        year_inferred=bool(row["year_inferred"]), upvotes=row["upvotes"],
        arxiv_id=row["arxiv_id"], url=row["url"], categories=json.loads(row["categories"]),
        sources=sources or [],
    )


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Store:
    """One connection to the SQLite database of a data dir (one per thread)."""

    def __init__(self, path: Path, *, backup: Path | None = None):
        self.path = Path(path)
        self.backup_path = Path(backup) if backup else self.path.with_name("user-backup.json")
        self.recovered: str | None = None  # one sentence when the store was repaired at start
        self.backup_error: str | None = None  # one sentence when the backup cannot be written
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._dirty = False
        self._last_backup = 0.0
        self._backup_every = BACKUP_EVERY  # grows with the time a backup takes (big data)
        self._backup_mutex = threading.Lock()  # one backup at a time in this process
        self._backup_thread: threading.Thread | None = None
        self._connecting = False
        self._lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        self._open_checked()

    # -- opening, checking, repairing -----------------------------------------------------
    def _open_checked(self) -> None:
        """Open (and check) the store; repair it when damaged. Serialised between processes,
        so that two starting at once do not both move the file aside."""
        try:
            self._lock.acquire(timeout=60)
        except OSError as exc:
            raise self._os_error(exc, "open") from exc
        try:
            try:
                self._open()
            except StoreCorrupt as exc:
                self._recover(exc)
        finally:
            self._lock.release()

    def _open(self) -> None:
        try:
            _private_file(self.path)
            with open(self.path, "rb") as f:
                head = f.read(100)
        except OSError as exc:
            raise self._os_error(exc, "open") from exc
        if head and (len(head) < 100 or not head.startswith(SQLITE_HEADER)):
            raise StoreCorrupt(f"the library file {self.path} is not a database"
                               " (its header is damaged)")
        db = self.db
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not TABLES <= tables:
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
        self._check()

    def _check(self) -> None:
        """quick_check of the user's tables, or of the whole file when it is small, was not
        checked for a day, or a query met a damaged page (StoreCorrupt when it fails)."""
        stamp = self._stamp_path()
        size = self.path.stat().st_size
        try:
            age = time.time() - stamp.stat().st_mtime
        except OSError:
            age = float("inf")
        deep = size < DEEP_CHECK_MAX_BYTES or age > DEEP_CHECK_EVERY or not _PER_TABLE_CHECK
        checks = ["PRAGMA quick_check"] if deep else [
            f"PRAGMA quick_check({table})" for table in USER_TABLES]
        for sql in checks:
            rows = [tuple(r) for r in self.db.execute(sql).fetchall()]
            if rows != [("ok",)]:
                self._stamp_path().unlink(missing_ok=True)
                raise StoreCorrupt(f"the library file {self.path} is damaged"
                                   f" ({rows[0][0] if rows else 'no answer to quick_check'})")
        if deep and size >= DEEP_CHECK_MAX_BYTES:
            try:
                stamp.touch()
            except OSError:
                pass

    def _stamp_path(self) -> Path:
        """Its modification time is the last whole-file check; missing: check at next start."""
        return self.path.with_name(self.path.name + ".checked")

    def _recover(self, damage: StoreCorrupt) -> None:
        """Move the damaged file aside, make a new store, restore the user's data."""
        self.close(backup=False)
        when = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{when}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{when}-{n}")
        try:
            for suffix in ("", "-wal", "-shm"):
                src = Path(f"{self.path}{suffix}")
                if src.exists():
                    os.replace(src, f"{aside}{suffix}")
        except OSError as exc:
            raise StoreError(f"{damage}; it cannot be moved aside ({exc.strerror or exc})"
                             ) from exc
        salvaged = _salvage(aside)
        backup = self.read_backup()
        data: dict[str, list[tuple]] = {}
        for table in USER_TABLES:
            rows = {r[0]: r for r in (backup or {}).get(table, [])}
            rows.update({r[0]: r for r in salvaged.get(table, [])})
            data[table] = list(rows.values())
        self._open()
        with self.transaction():
            for table, columns in USER_TABLES.items():
                self.db.executemany(
                    f"INSERT OR REPLACE INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' * len(columns))})", data[table])
        self.write_backup(locked=True)
        counts = ", ".join(f"{len(data[table])} {name}" for table, name in (
            ("bookmarks", "bookmarks"), ("notes", "notes"), ("saved_searches", "saved searches")))
        origin = " and ".join(o for o, ok in (("the damaged file", bool(salvaged)),
                                               ("the backup", backup is not None)) if ok)
        self.recovered = (
            f"{damage}: it was moved to {aside.name} and a new library was made;"
            f" restored {counts} from {origin or 'nothing (no backup was found)'};"
            " import your dump files again to get the papers back")

    def explain(self, exc: sqlite3.DatabaseError) -> Exception:
        """The StoreError that says what an SQLite error means to the user (or `exc`)."""
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        where = self.path.parent
        if primary in _CORRUPT:
            self._stamp_path().unlink(missing_ok=True)  # the next start checks the whole file
            return StoreCorrupt(f"the library file {self.path} is damaged ({exc}); start"
                                " tui-reader again to repair it (your bookmarks and notes are"
                                f" kept in {self.backup_path.name})")
        if primary == sqlite3.SQLITE_FULL or (primary == sqlite3.SQLITE_IOERR
                                              and _disk_full(where)):
            if self._connecting:  # SQLite cannot even make its WAL files
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
            return StoreError(f"cannot read or write {self.path}: disk I/O error ({exc})")
        return exc

    def _os_error(self, exc: OSError, action: str) -> StoreError:
        where = self.path.parent
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StoreError(f"the disk is full: cannot save to {where}")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StoreError(f"cannot write to the data dir {where}: it is read-only or not"
                              f" yours ({exc.strerror})")
        return StoreError(f"cannot {action} the store {self.path}: {exc.strerror or exc}")

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self._connecting = True
            try:
                try:
                    conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                           check_same_thread=False, factory=_Connection)
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

    def close(self, backup: bool = True) -> None:
        """Write the backup when user data changed since the last one; close every thread's
        connection."""
        thread = self._backup_thread
        if thread is not None:
            thread.join()
        if backup and self._dirty:
            self.write_backup()
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

    # -- the backup of the user's data ------------------------------------------------------
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
        finally:  # this thread's connection goes with it
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                self._local.conn = None
                try:
                    self._connections.remove(conn)
                except ValueError:
                    pass
                conn.close()

    def user_data(self) -> dict[str, list[tuple]]:
        """Every row of the user's tables, read in one snapshot."""
        db = self.db
        db.execute("BEGIN")
        try:
            return {table: [tuple(r) for r in db.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}")]
                for table, columns in USER_TABLES.items()}
        finally:
            db.execute("COMMIT")

    def write_backup(self, *, locked: bool = False) -> bool:
        """Write the backup now (atomically); False, with `backup_error` set, when it cannot be
        written (the store itself is unaffected)."""
        started = time.monotonic()
        self._dirty = False  # before the snapshot: a change made meanwhile sets it again
        try:
            with self._backup_mutex:
                if not locked:
                    self._lock.acquire(timeout=30)
                try:
                    data = self.user_data()
                    document = {"format": BACKUP_FORMAT, "version": 1,
                                "written_at": time.time(),
                                "columns": {t: list(c) for t, c in USER_TABLES.items()},
                                "tables": data}
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

    def read_backup(self) -> dict[str, list[tuple]] | None:
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
        return data

    # -- the index's to-do list ------------------------------------------------------------
    def index_pending(self) -> tuple[bool, list[str]]:
        """What the index may lack: (rebuild it all, ids of papers to write again). Papers of
        a file whose import did not finish, papers whose note was not indexed."""
        rows = self.db.execute(
            "SELECT paper_id FROM index_pending UNION SELECT s.paper_id FROM sources s"
            " JOIN files f ON f.id = s.file_id WHERE f.sha1 = ''").fetchall()
        ids = [r[0] for r in rows]
        return REBUILD_MARK in ids, [i for i in ids if i != REBUILD_MARK]

    def index_done(self, paper_ids: Iterable[str], *, imports: bool = False) -> None:
        """The index has these papers (REBUILD_MARK: it was rebuilt); `imports`: and the
        papers of interrupted imports (their files are still imported again by the next
        import)."""
        with self.transaction():
            self.db.executemany("DELETE FROM index_pending WHERE paper_id = ?",
                                [(i,) for i in paper_ids])
            if imports:
                self.db.execute("UPDATE files SET sha1 = 'interrupted' WHERE sha1 = ''")

    # -- imported files ---------------------------------------------------------------------
    def file_record(self, path: str) -> sqlite3.Row | None:
        """What the store knows of an imported file (sha1, size, mtime), or None."""
        return self.db.execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()

    def begin_import(self) -> int:
        """Start an import run; its id marks the papers it adds (the "New" view)."""
        with self.transaction():
            cur = self.db.execute("INSERT INTO imports (started_at) VALUES (?)", (time.time(),))
        return cur.lastrowid

    def finish_import(self, import_id: int, new: int, updated: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE imports SET new = ?, updated = ? WHERE id = ?",
                            (new, updated, import_id))

    def start_file(self, path: str, size: int, mtime: float, fmt: str | None) -> int:
        """Record a file being (re)imported and forget its old sources; returns its id."""
        with self.transaction():
            row = self.db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if row:
                self.db.execute("DELETE FROM sources WHERE file_id = ?", (row["id"],))
                self.db.execute(
                    "UPDATE files SET sha1 = '', size = ?, mtime = ?, format = ?, papers = 0,"
                    " imported_at = ? WHERE id = ?", (size, mtime, fmt, time.time(), row["id"]))
                file_id = row["id"]
            else:
                cur = self.db.execute(
                    "INSERT INTO files (path, sha1, size, mtime, format, imported_at)"
                    " VALUES (?, '', ?, ?, ?, ?)", (path, size, mtime, fmt, time.time()))
                file_id = cur.lastrowid
        return file_id

    def finish_file(self, file_id: int, sha1: str, papers: int) -> None:
        """Mark a file completely imported (only then is it skipped next time)."""
        with self.transaction():
            self.db.execute("UPDATE files SET sha1 = ?, papers = ? WHERE id = ?",
                            (sha1, papers, file_id))

    # -- papers ------------------------------------------------------------------------------
    def merge_papers(self, papers: list[Paper], file_id: int, import_id: int
                     ) -> tuple[list[Paper], set[str], set[str]]:
        """Insert or enrich `papers` (deduplicated by id, merged by arXiv id) in one transaction.

        Returns the stored (merged) papers, the ids new to the store and the ids whose
        stored fields changed.
        """
        with self.transaction():
            by_arxiv = self._ids_by_arxiv([p.arxiv_id for p in papers if p.arxiv_id])
            incoming: dict[str, Paper] = {}
            source_rows = []
            for p in papers:
                known = by_arxiv.get(p.arxiv_id) if p.arxiv_id else None
                if known and known != p.id:
                    p = p.model_copy(update={"id": known})
                incoming[p.id] = incoming[p.id].merged_with(p) if p.id in incoming else p
                source_rows.extend((p.id, file_id, s.position) for s in p.sources)
            existing = {p.id: p for p in self._papers_by_ids(list(incoming))}
            merged = [existing[i].merged_with(p) if i in existing else p
                      for i, p in incoming.items()]
            new_ids = {i for i in incoming if i not in existing}
            changed_ids = {p.id for p in merged if p.id in existing
                           and p.model_dump(exclude={"sources"})
                           != existing[p.id].model_dump(exclude={"sources"})}
            self.db.executemany(
                f"INSERT INTO papers ({PAPER_COLUMNS}, import_id) VALUES ({','.join('?' * 13)})"
                " ON CONFLICT(id) DO UPDATE SET title=excluded.title, abstract=excluded.abstract,"
                " authors=excluded.authors, authors_count=excluded.authors_count,"
                " organization=excluded.organization, published=excluded.published,"
                " year_inferred=excluded.year_inferred, upvotes=excluded.upvotes,"
                " arxiv_id=excluded.arxiv_id, url=excluded.url, categories=excluded.categories",
                [_paper_row(p, import_id) for p in merged])
            self.db.executemany(
                "INSERT OR IGNORE INTO sources (paper_id, file_id, position) VALUES (?, ?, ?)",
                source_rows)
        return merged, new_ids, changed_ids

    def _ids_by_arxiv(self, arxiv_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(arxiv_ids))):
            rows = self.db.execute(
                f"SELECT arxiv_id, id FROM papers WHERE arxiv_id IN ({','.join('?' * len(chunk))})",
                chunk)
            found.update({r["arxiv_id"]: r["id"] for r in rows})
        return found

    def _papers_by_ids(self, ids: list[str]) -> list[Paper]:
        out: list[Paper] = []
        for chunk in _chunks(ids):
            rows = self.db.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({','.join('?' * len(chunk))})",
                chunk)
            out.extend(_paper_from_row(r) for r in rows)
        return out

    def papers(self, ids: list[str]) -> dict[str, Paper]:
        """The papers with these ids (without sources), by id."""
        return {p.id: p for p in self._papers_by_ids(ids)}

    def paper(self, paper_id: str) -> Paper | None:
        """One paper with its sources, or None."""
        row = self.db.execute(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?",
                              (paper_id,)).fetchone()
        if row is None:
            return None
        sources = [Source(path=r["path"], position=r["position"], format=r["format"] or "")
                   for r in self.db.execute(
                       "SELECT f.path, f.format, s.position FROM sources s JOIN files f"
                       " ON f.id = s.file_id WHERE s.paper_id = ? ORDER BY f.path, s.position",
                       (paper_id,))]
        return _paper_from_row(row, sources)

    def resolve_id(self, prefix: str) -> list[str]:
        """Paper ids matching an id, an id prefix or an arXiv id."""
        rows = self.db.execute(
            "SELECT id FROM papers WHERE id = ? OR arxiv_id = ? UNION "
            "SELECT id FROM papers WHERE id >= ? AND id < ? LIMIT 10",
            (prefix, prefix, prefix, prefix + "\uffff")).fetchall()
        return [r["id"] for r in rows]

    def iter_papers(self, batch: int = 2000) -> Iterator[list[Paper]]:
        """Every paper, in batches (for rebuilding the index)."""
        last = ""
        while True:
            rows = self.db.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch)).fetchall()
            if not rows:
                return
            yield [_paper_from_row(r) for r in rows]
            last = rows[-1]["id"]

    def browse(self, view: str, sort: str, offset: int, limit: int) -> tuple[int, list[Paper]]:
        """A page of a view ("all", "bookmarks", "notes", "unread", "new") in a sort order."""
        where = {
            "all": "1",
            "bookmarks": "id IN (SELECT paper_id FROM bookmarks)",
            "notes": "id IN (SELECT paper_id FROM notes)",
            "unread": "id NOT IN (SELECT paper_id FROM read_state)",
            "new": "import_id = (SELECT max(id) FROM imports WHERE new > 0)",
        }[view]
        total = self.db.execute(f"SELECT count(*) FROM papers WHERE {where}").fetchone()[0]
        rows = self.db.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers WHERE {where} ORDER BY {SORT_SQL[sort]}"
            " LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return total, [_paper_from_row(r) for r in rows]

    # -- user data ---------------------------------------------------------------------------
    def set_bookmark(self, paper_id: str, title: str, on: bool) -> None:
        with self.transaction():
            if on:
                self.db.execute("INSERT OR IGNORE INTO bookmarks VALUES (?, ?, ?)",
                                (paper_id, title, time.time()))
            else:
                self.db.execute("DELETE FROM bookmarks WHERE paper_id = ?", (paper_id,))
        self._user_changed()

    def bookmarks(self) -> list[Bookmark]:
        return [Bookmark(paper_id=r[0], title=r[1], created_at=datetime.fromtimestamp(r[2]))
                for r in self.db.execute("SELECT * FROM bookmarks ORDER BY created_at DESC")]

    def set_note(self, paper_id: str, title: str, text: str) -> None:
        """Save a note; an empty (blank) text deletes it. The paper's index document is
        pending (note:word) until `index_done`."""
        text = user_text(text, multiline=True)
        with self.transaction():
            if text.strip():
                self.db.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT(paper_id) DO UPDATE SET"
                    " text = excluded.text, updated_at = excluded.updated_at, title = excluded.title",
                    (paper_id, title, text, time.time()))
            else:
                self.db.execute("DELETE FROM notes WHERE paper_id = ?", (paper_id,))
            self.db.execute("INSERT OR IGNORE INTO index_pending VALUES (?)", (paper_id,))
        self._user_changed()

    def notes(self, paper_ids: list[str] | None = None) -> list[Note]:
        """Every note, newest first, or the notes of these papers."""
        if paper_ids is None:
            rows = self.db.execute("SELECT * FROM notes ORDER BY updated_at DESC").fetchall()
        else:
            rows = [r for chunk in _chunks(paper_ids) for r in self.db.execute(
                f"SELECT * FROM notes WHERE paper_id IN ({','.join('?' * len(chunk))})", chunk)]
        return [Note(paper_id=r[0], title=r[1], text=r[2], updated_at=datetime.fromtimestamp(r[3]))
                for r in rows]

    def user_flags(self, paper_ids: list[str]) -> dict[str, tuple[bool, str | None, bool]]:
        """(bookmarked, note text, read) for each of these papers."""
        flags = {i: [False, None, False] for i in paper_ids}
        for chunk in _chunks(paper_ids):
            marks = ",".join("?" * len(chunk))
            for (pid,) in self.db.execute(
                    f"SELECT paper_id FROM bookmarks WHERE paper_id IN ({marks})", chunk):
                flags[pid][0] = True
            for pid, text in self.db.execute(
                    f"SELECT paper_id, text FROM notes WHERE paper_id IN ({marks})", chunk):
                flags[pid][1] = text
            for (pid,) in self.db.execute(
                    f"SELECT paper_id FROM read_state WHERE paper_id IN ({marks})", chunk):
                flags[pid][2] = True
        return {i: tuple(f) for i, f in flags.items()}

    def set_read(self, paper_id: str, title: str, read: bool) -> None:
        with self.transaction():
            if read:
                self.db.execute("INSERT OR IGNORE INTO read_state VALUES (?, ?, ?)",
                                (paper_id, title, time.time()))
            else:
                self.db.execute("DELETE FROM read_state WHERE paper_id = ?", (paper_id,))
        self._user_changed()

    def save_search(self, search: SavedSearch) -> None:
        search = search.model_copy(update={"name": user_text(search.name).strip(),
                                           "query": user_text(search.query)})
        with self.transaction():
            self.db.execute(
                "INSERT INTO saved_searches VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                " query = excluded.query, sort = excluded.sort",
                (search.name, search.query, search.sort, time.time()))
        self._user_changed()

    def delete_search(self, name: str) -> bool:
        name = user_text(name).strip()
        with self.transaction():
            cur = self.db.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
        self._user_changed()
        return cur.rowcount > 0

    def saved_searches(self) -> list[SavedSearch]:
        return [SavedSearch(name=r[0], query=r[1], sort=r[2],
                            created_at=datetime.fromtimestamp(r[3]))
                for r in self.db.execute("SELECT * FROM saved_searches ORDER BY name")]

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
                            " value = excluded.value", (key, value))
        self._user_changed()

    def last_import(self) -> tuple[int, int] | None:
        """(new, updated) of the latest import that added papers, or None."""
        row = self.db.execute(
            "SELECT new, updated FROM imports WHERE new > 0 ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

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

    def is_empty(self) -> bool:
        """True when nothing was ever imported."""
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < (1 << 20)
    except OSError:
        return False


def _salvage(path: Path) -> dict[str, list[tuple]]:
    """The user's tables of a damaged store that still pass quick_check (best effort)."""
    found: dict[str, list[tuple]] = {}
    if not _PER_TABLE_CHECK:
        return found
    try:
        conn = sqlite3.connect(path, timeout=1)
    except sqlite3.Error:
        return found
    try:
        for table, columns in USER_TABLES.items():
            try:
                if [tuple(r) for r in conn.execute(f"PRAGMA quick_check({table})")] != [("ok",)]:
                    continue
                found[table] = [tuple(r) for r in conn.execute(
                    f"SELECT {', '.join(columns)} FROM {table}")]
            except sqlite3.Error:
                continue
    finally:
        conn.close()
    return found
