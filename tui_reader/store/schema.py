"""The store's tables (papers and their sources apart from the user's data) and the SQL that
reads them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from ..models import SORTS, one_for_each

# library.sqlite3: papers and where they came from. A cache of the dump files: a damaged one
# is moved aside and made anew, and the next import fills it again.
PAPERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS main.papers (
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
    import_id INTEGER,
    rising REAL  -- upvotes gained a day between its first and last capture (None: one)
);
CREATE INDEX IF NOT EXISTS main.papers_arxiv ON papers(arxiv_id) WHERE arxiv_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS main.papers_import ON papers(import_id);
-- the list's sort orders (SORT_SQL), so a page deep in 75,000 papers is an index walk
CREATE INDEX IF NOT EXISTS main.papers_by_date ON papers(published IS NULL, published DESC,
                                                         title);
CREATE INDEX IF NOT EXISTS main.papers_by_upvotes ON papers(upvotes IS NULL, upvotes DESC,
                                                            title);
CREATE INDEX IF NOT EXISTS main.papers_by_title ON papers(title COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS main.files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha1 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    format TEXT,
    papers INTEGER NOT NULL DEFAULT 0,
    imported_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS main.sources (
    paper_id TEXT NOT NULL,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    captured TEXT,  -- the day of the capture (ISO)
    upvotes INTEGER,  -- the upvotes the capture showed
    PRIMARY KEY (paper_id, file_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS main.sources_file ON sources(file_id);
CREATE TABLE IF NOT EXISTS main.imports (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0
);
"""
PAPER_TABLES = frozenset({"papers", "files", "sources", "imports"})
# Columns added since the first version: a store made before gets them (ALTER TABLE) at open,
# then the statements that use them.
ADDED_COLUMNS = (("papers", "rising", "REAL"), ("sources", "captured", "TEXT"),
                 ("sources", "upvotes", "INTEGER"))
# The files whose captures may show upvotes, not read again since: their next import reads
# them again (as after an interrupted import) for their upvotes and days.
REREAD_FOR_UPVOTES = ("UPDATE main.files SET sha1 = 'interrupted'"
                      " WHERE format NOT IN ('arxiv-jsonl', 'csv') AND sha1 != ''")
AFTER_ADDED_COLUMNS = """
CREATE INDEX IF NOT EXISTS main.papers_by_rising ON papers(rising IS NULL, rising DESC,
                                                           upvotes IS NULL, upvotes DESC, title)
"""

# user.sqlite3 (attached as `user`): the user's data, small, never lost (backup.py). The
# index's to-do list is here too: a note and its index entry change in one transaction.
USER_SCHEMA = """
CREATE TABLE IF NOT EXISTS user.bookmarks (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS user.notes (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS user.saved_searches (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, sort TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS user.read_state (
    paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, read_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS user.tags (
    paper_id TEXT NOT NULL, tag TEXT NOT NULL, title TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (paper_id, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user.tags_by_tag ON tags(tag);
CREATE TABLE IF NOT EXISTS user.settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- the user's data generation: one more with every change of it (backup.py)
CREATE TABLE IF NOT EXISTS user.user_generation (
    one INTEGER PRIMARY KEY CHECK (one = 1), generation INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user.index_pending (paper_id TEXT PRIMARY KEY) WITHOUT ROWID;
"""
USER_FILE_TABLES = frozenset({"bookmarks", "notes", "saved_searches", "read_state", "tags",
                              "settings", "user_generation", "index_pending"})
# The user's data: what a backup holds and a repair restores (table -> columns, key first:
# the first column, the first two for tags).
USER_TABLES = {
    "bookmarks": ("paper_id", "title", "created_at"),
    "notes": ("paper_id", "title", "text", "updated_at"),
    "saved_searches": ("name", "query", "sort", "created_at"),
    "read_state": ("paper_id", "title", "read_at"),
    "tags": ("paper_id", "tag", "title", "created_at"),
    "settings": ("key", "value"),
}
# The user's tables whose rows are keyed by more than their first column
_KEY_COLUMNS = {"tags": 2}


def row_key(table: str, row: tuple) -> tuple:
    """The key of a row of a user's table (USER_TABLES columns)."""
    return tuple(row[:_KEY_COLUMNS.get(table, 1)])


# The tables a notice counts, and how it names them.
COUNTED = (("bookmarks", "bookmarks"), ("notes", "notes"), ("saved_searches", "saved searches"))
REBUILD_MARK = "*"  # in index_pending: the whole index must be rebuilt

PAPER_COLUMNS = (
    "id, title, abstract, authors, authors_count, organization, published, year_inferred, "
    "upvotes, arxiv_id, url, categories"
)
SORT_SQL = one_for_each(SORTS, {
    "date": "published IS NULL, published DESC, title",
    "upvotes": "upvotes IS NULL, upvotes DESC, title",
    "title": "title COLLATE NOCASE",
    "relevance": "published IS NULL, published DESC, title",
    "rising": "rising IS NULL, rising DESC, upvotes IS NULL, upvotes DESC, title",
})

T = TypeVar("T")


def batched(items: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter): one store transaction each, or few
    enough SQL variables for one `IN (...)`."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def marks(items: list) -> str:
    """The `?, ?, ...` of an `IN (...)` of these items."""
    return ",".join("?" * len(items))
