"""The SQLite store: papers and their sources, imported files, and the user's data.

WAL mode, every change in one transaction. User data (bookmarks, notes, saved searches, read
state, settings) is keyed by paper id with a copy of the title, so it outlives the papers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from .models import Bookmark, Note, Paper, SavedSearch, Source

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
"""

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
    """One connection to the SQLite database of a data dir."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        try:
            self.db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection."""
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

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

    def bookmarks(self) -> list[Bookmark]:
        return [Bookmark(paper_id=r[0], title=r[1], created_at=datetime.fromtimestamp(r[2]))
                for r in self.db.execute("SELECT * FROM bookmarks ORDER BY created_at DESC")]

    def set_note(self, paper_id: str, title: str, text: str) -> None:
        """Save a note; an empty (blank) text deletes it."""
        with self.transaction():
            if text.strip():
                self.db.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT(paper_id) DO UPDATE SET"
                    " text = excluded.text, updated_at = excluded.updated_at, title = excluded.title",
                    (paper_id, title, text, time.time()))
            else:
                self.db.execute("DELETE FROM notes WHERE paper_id = ?", (paper_id,))

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

    def save_search(self, search: SavedSearch) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO saved_searches VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                " query = excluded.query, sort = excluded.sort",
                (search.name, search.query, search.sort, time.time()))

    def delete_search(self, name: str) -> bool:
        with self.transaction():
            cur = self.db.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
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
