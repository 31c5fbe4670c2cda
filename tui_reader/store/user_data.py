"""The user's data: bookmarks, notes, tags, saved searches, read state, settings. Keyed by paper id
with a copy of the title, so it outlives the papers; every change is one transaction that
adds one to the generation and is backed up (backup.py)."""

from __future__ import annotations

import time
from datetime import datetime

from ..models import CONTROL_CHARACTERS, Bookmark, Note, SavedSearch
from .backup import _BUMP, Backups
from .schema import batched, marks


def user_text(text: str, *, multiline: bool = False) -> str:
    """`text` as the store keeps it (a note, a saved search): no control characters (nobody
    types them; pasted or scripted in, they would act on the terminal that shows the text);
    one line unless `multiline`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text)
    return text if multiline else " ".join(text.split("\n")).replace("\t", " ")


class UserTables(Backups):
    """Reading and changing the user's data."""

    def set_bookmark(self, paper_id: str, title: str, on: bool) -> None:
        """Bookmark a paper (`on`) or remove its bookmark."""
        self._set_mark("bookmarks", paper_id, title, on)

    def _set_mark(self, table: str, paper_id: str, title: str, on: bool) -> None:
        """A row (id, title, time) of `table` for this paper (`on`), or none."""
        with self._user_change() as db:
            if on:
                db.execute(f"INSERT OR IGNORE INTO {table} VALUES (?, ?, ?)",
                           (paper_id, title, time.time()))
            else:
                db.execute(f"DELETE FROM {table} WHERE paper_id = ?", (paper_id,))

    def _move_user_data(self, moves: dict[str, tuple[str, str]]) -> None:
        """Re-key the user's data of replaced papers (old id -> (new id, new title)), inside
        the caller's transaction (store/papers.py `_replace`). A row the new id has already
        keeps it; the old row then stays, under the old id: nothing is lost."""
        rows = [(new, title, old) for old, (new, title) in moves.items()]
        for table in ("bookmarks", "notes", "read_state", "tags"):
            self.db.executemany(f"UPDATE OR IGNORE {table} SET paper_id = ?, title = ?"
                                " WHERE paper_id = ?", rows)
        self.db.executemany("UPDATE OR IGNORE index_pending SET paper_id = ? WHERE paper_id = ?",
                            [(new, old) for new, _, old in rows])
        self.db.execute(_BUMP)

    def bookmarks(self) -> list[Bookmark]:
        """Every bookmark, newest first."""
        return [Bookmark(paper_id=r[0], title=r[1], created_at=datetime.fromtimestamp(r[2]))
                for r in self.db.execute("SELECT * FROM bookmarks ORDER BY created_at DESC")]

    def set_note(self, paper_id: str, title: str, text: str) -> None:
        """Save a note; an empty (blank) text deletes it. The paper's index document is
        pending (note:word) until `index_done`."""
        text = user_text(text, multiline=True)
        with self._user_change():
            if text.strip():
                self.db.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT(paper_id) DO UPDATE SET"
                    " text = excluded.text, updated_at = excluded.updated_at, title = excluded.title",
                    (paper_id, title, text, time.time()))
            else:
                self.db.execute("DELETE FROM notes WHERE paper_id = ?", (paper_id,))
            self.db.execute("INSERT OR IGNORE INTO index_pending VALUES (?)", (paper_id,))

    def notes(self, paper_ids: list[str] | None = None) -> list[Note]:
        """Every note, newest first, or the notes of these papers."""
        if paper_ids is None:
            rows = self.db.execute("SELECT * FROM notes ORDER BY updated_at DESC").fetchall()
        else:
            rows = [r for chunk in batched(paper_ids) for r in self.db.execute(
                f"SELECT * FROM notes WHERE paper_id IN ({marks(chunk)})", chunk)]
        return [Note(paper_id=r[0], title=r[1], text=r[2], updated_at=datetime.fromtimestamp(r[3]))
                for r in rows]

    def user_flags(self, paper_ids: list[str]) -> dict[str, tuple[bool, str | None, bool]]:
        """(bookmarked, note text, read) for each of these papers."""
        flags = {i: [False, None, False] for i in paper_ids}
        for chunk in batched(paper_ids):
            where = f"paper_id IN ({marks(chunk)})"
            for (pid,) in self.db.execute(
                    f"SELECT paper_id FROM bookmarks WHERE {where}", chunk):
                flags[pid][0] = True
            for pid, text in self.db.execute(
                    f"SELECT paper_id, text FROM notes WHERE {where}", chunk):
                flags[pid][1] = text
            for (pid,) in self.db.execute(
                    f"SELECT paper_id FROM read_state WHERE {where}", chunk):
                flags[pid][2] = True
        return {i: tuple(f) for i, f in flags.items()}

    def change_tags(self, papers: list[tuple[str, str]], add: list[str], remove: list[str]
                    ) -> dict[str, list[str]]:
        """Add and remove tags (names as `tag_name` makes them) on these papers ((id, title)
        each), in one transaction; their index documents are pending (tag:x) until
        `index_done`. Returns the tags before the change of the papers it changed."""
        ids = [paper_id for paper_id, _ in papers]
        before = self.tags_of(ids)
        now = time.time()
        with self._user_change() as db:
            db.executemany("INSERT OR IGNORE INTO tags VALUES (?, ?, ?, ?)",
                           [(paper_id, tag, title, now) for paper_id, title in papers
                            for tag in add])
            db.executemany("DELETE FROM tags WHERE paper_id = ? AND tag = ?",
                           [(paper_id, tag) for paper_id in ids for tag in remove])
            after = self.tags_of(ids)
            changed = {i: before.get(i, []) for i in ids if before.get(i, []) != after.get(i, [])}
            db.executemany("INSERT OR IGNORE INTO index_pending VALUES (?)",
                           [(i,) for i in changed])
        return changed

    def tags_of(self, paper_ids: list[str]) -> dict[str, list[str]]:
        """The tags of these papers, by name (papers without tags are left out)."""
        found: dict[str, list[str]] = {}
        for chunk in batched(paper_ids):
            for paper_id, tag in self.db.execute(
                    f"SELECT paper_id, tag FROM tags WHERE paper_id IN ({marks(chunk)})"
                    " ORDER BY tag", chunk):
                found.setdefault(paper_id, []).append(tag)
        return found

    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag and how many papers have it, the most used first, then by name."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT tag, count(*) AS n FROM tags GROUP BY tag ORDER BY n DESC, tag")]

    def set_read(self, paper_id: str, title: str, read: bool) -> None:
        """Mark a paper read or unread."""
        self._set_mark("read_state", paper_id, title, read)

    def set_read_many(self, papers: list[tuple[str, str]], read: bool) -> None:
        """Mark these papers ((id, title) each) read or unread, in one transaction."""
        with self._user_change() as db:
            if read:
                now = time.time()
                db.executemany("INSERT OR IGNORE INTO read_state VALUES (?, ?, ?)",
                               [(paper_id, title, now) for paper_id, title in papers])
            else:
                db.executemany("DELETE FROM read_state WHERE paper_id = ?",
                               [(paper_id,) for paper_id, _ in papers])

    def save_search(self, search: SavedSearch) -> None:
        """Keep a search under its name (an existing name is replaced)."""
        search = search.model_copy(update={"name": user_text(search.name).strip(),
                                           "query": user_text(search.query)})
        with self._user_change():
            self.db.execute(
                "INSERT INTO saved_searches VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                " query = excluded.query, sort = excluded.sort",
                (search.name, search.query, search.sort, time.time()))

    def delete_search(self, name: str) -> bool:
        """Forget a saved search; False when there was none of that name."""
        name = user_text(name).strip()
        with self._user_change():
            cur = self.db.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
        return cur.rowcount > 0

    def saved_searches(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        return [SavedSearch(name=r[0], query=r[1], sort=r[2],
                            created_at=datetime.fromtimestamp(r[3]))
                for r in self.db.execute("SELECT * FROM saved_searches ORDER BY name")]

    def setting(self, key: str, default: str | None = None) -> str | None:
        """A setting's value, or `default`."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Set a setting (kept with the user's data)."""
        with self._user_change():
            self.db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET"
                            " value = excluded.value", (key, value))

    def seen_ids(self) -> set[str]:
        """The papers the user has read or bookmarked (never recommended)."""
        return {r[0] for r in self.db.execute(
            "SELECT paper_id FROM read_state UNION SELECT paper_id FROM bookmarks")}

    def tagged(self, tag: str) -> list[str]:
        """The ids of the papers with this tag, the most recently tagged first."""
        return [r[0] for r in self.db.execute(
            "SELECT paper_id FROM tags WHERE tag = ? ORDER BY created_at DESC", (tag,))]
