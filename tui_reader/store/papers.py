"""Papers, their sources (imported files, positions), imports, and the index's to-do list:
all rebuildable from the dump files."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import date
from difflib import SequenceMatcher

from ..models import (VIEWS, Paper, Source, UpvoteCount, normalise_title, one_for_each,
                      path_text)
from .database import READERS, Database
from .schema import PAPER_COLUMNS, REBUILD_MARK, SORT_SQL, batched, marks

VIEW_SQL = one_for_each(VIEWS, {  # the papers of each view
    "all": "1",
    "bookmarks": "id IN (SELECT paper_id FROM bookmarks)",
    "notes": "id IN (SELECT paper_id FROM notes)",
    "unread": "id NOT IN (SELECT paper_id FROM read_state)",
    "new": "import_id = (SELECT max(id) FROM imports WHERE new > 0)",
    "foryou": "0",  # ranked by the index, not listed by the store (Library.browse: discovering)
})


def _paper_row(p: Paper, import_id: int | None) -> tuple:
    return (
        p.id, p.title, p.abstract, json.dumps(p.authors, ensure_ascii=False), p.authors_count,
        p.organization, p.published.isoformat() if p.published else None, int(p.year_inferred),
        p.upvotes, p.arxiv_id, p.url, json.dumps(p.categories, ensure_ascii=False), import_id,
    )


def _paper_from_row(row: sqlite3.Row) -> Paper:
    return Paper(
        id=row["id"], title=row["title"], abstract=row["abstract"],
        authors=json.loads(row["authors"]), authors_count=row["authors_count"],
        organization=row["organization"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        year_inferred=bool(row["year_inferred"]), upvotes=row["upvotes"],
        arxiv_id=row["arxiv_id"], url=row["url"], categories=json.loads(row["categories"]),
    )


def upvote_history(sources: list[Source]) -> list[UpvoteCount]:
    """A paper's upvotes capture by capture, oldest first (of captures on one day, the most)."""
    by_day: dict[date, int] = {}
    for s in sources:
        if s.captured is not None and s.upvotes is not None:
            by_day[s.captured] = max(s.upvotes, by_day.get(s.captured, s.upvotes))
    return [UpvoteCount(date=d, upvotes=by_day[d]) for d in sorted(by_day)]


def rising(history: list[UpvoteCount]) -> float | None:
    """Upvotes gained a day between the first and the last capture (None: seen once)."""
    if len(history) < 2:
        return None
    first, last = history[0], history[-1]
    return (last.upvotes - first.upvotes) / (last.date - first.date).days


def similar_titles(a: str, b: str) -> bool:
    """The re-import rule for "the same paper, its title corrected" at one position of a
    file: normalised titles alike as text (a ratio of 0.8: typos, a word changed) or sharing
    most words (a Jaccard of 0.6: a subtitle added or dropped). Two papers of one topic
    ("Scaling Laws for Neural Language Models" / "... for Transfer") are neither."""
    a, b = normalise_title(a), normalise_title(b)
    words_a, words_b = set(a.split()), set(b.split())
    shared = len(words_a & words_b) / max(1, len(words_a | words_b))
    return shared >= 0.6 or SequenceMatcher(None, a, b).ratio() >= 0.8


class PaperTables(Database):
    """Papers and where they came from."""

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
        return self.db.execute("SELECT * FROM files WHERE path = ?",
                               (path_text(path),)).fetchone()

    def file_with_sha1(self, sha1: str) -> sqlite3.Row | None:
        """An imported file with this content (under any path), or None."""
        return self.db.execute("SELECT * FROM files WHERE sha1 = ? LIMIT 1", (sha1,)).fetchone()

    def distinct_papers(self, file_ids: list[int]) -> int:
        """How many distinct papers these files hold."""
        return self.db.execute(
            "SELECT COUNT(DISTINCT paper_id) FROM sources"
            " WHERE file_id IN (SELECT value FROM json_each(?))", (json.dumps(file_ids),)
        ).fetchone()[0]

    def begin_import(self) -> int:
        """Start an import run; its id marks the papers it adds (the "New" view)."""
        with self.transaction():
            cur = self.db.execute("INSERT INTO imports (started_at) VALUES (?)", (time.time(),))
        return cur.lastrowid

    def finish_import(self, import_id: int, new: int, updated: int) -> None:
        """Record what an import run added and changed."""
        with self.transaction():
            self.db.execute("UPDATE imports SET new = ?, updated = ? WHERE id = ?",
                            (new, updated, import_id))

    def start_file(self, path: str, size: int, mtime: float, fmt: str | None) -> int:
        """Record a file being (re)imported and forget its old sources (kept, for
        `finish_file`, in a temporary table of this thread's connection); returns its id. The
        path is kept as `path_text` (a name that is not UTF-8 with backslash escapes)."""
        path = path_text(path)
        with self.transaction():
            row = self.db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if row:
                self.db.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS previous_sources (file_id INTEGER,"
                    " position INTEGER, paper_id TEXT)")
                self.db.execute("DELETE FROM temp.previous_sources WHERE file_id = ?",
                                (row["id"],))
                self.db.execute("INSERT INTO temp.previous_sources SELECT file_id, position,"
                                " paper_id FROM sources WHERE file_id = ?", (row["id"],))
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

    def finish_file(self, file_id: int, sha1: str, papers: int, import_id: int
                    ) -> tuple[list[Paper], set[str]]:
        """Mark a file completely imported (only then is it skipped next time), its corrected
        titles applied in the same transaction: a paper that was at a position of the file
        and is no longer in it, where a paper new in this import now is with a similar title
        (`similar_titles`), is that paper. Returns the replacing papers and the ids gone."""
        with self.transaction():
            moves = self._corrected(file_id, import_id)
            replaced = self._replace(moves)
            self.db.execute("UPDATE files SET sha1 = ?, papers = ? WHERE id = ?",
                            (sha1, papers, file_id))
        if moves:
            self._user_changed()
        return replaced, set(moves)

    def _corrected(self, file_id: int, import_id: int) -> dict[str, str]:
        """Old id -> new id of the corrected titles of a re-read file (see `finish_file`)."""
        if not self.db.execute("SELECT 1 FROM temp.sqlite_master WHERE name ="
                               " 'previous_sources'").fetchone():
            return {}
        rows = self.db.execute(
            "SELECT old.id AS old_id, old.title AS old_title, new.id AS new_id,"
            " new.title AS new_title FROM temp.previous_sources prev"
            " JOIN sources s ON s.file_id = prev.file_id AND s.position = prev.position"
            " JOIN papers old ON old.id = prev.paper_id JOIN papers new ON new.id = s.paper_id"
            " WHERE prev.file_id = ? AND new.id != old.id AND new.import_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM sources o WHERE o.paper_id = old.id"
            " AND o.file_id = prev.file_id) ORDER BY prev.position", (file_id, import_id))
        moves: dict[str, str] = {}
        for r in rows:
            if (r["old_id"] not in moves and r["new_id"] not in moves.values()
                    and similar_titles(r["old_title"], r["new_title"])):
                moves[r["old_id"]] = r["new_id"]
        self.db.execute("DELETE FROM temp.previous_sources WHERE file_id = ?", (file_id,))
        return moves

    def _replace(self, moves: dict[str, str]) -> list[Paper]:
        """Each old paper becomes its new one (inside a transaction): the fields merged under
        the new title, the old one's sources, import and user data moved to the new id, the
        old paper deleted. Returns the replacing papers. (Both files commit together; in WAL
        mode SQLite makes each file's part atomic, not the pair: after a crash between the
        two, the user data is under the old id or the new one, never lost.)"""
        if not moves:
            return []
        papers = self.papers([*moves, *moves.values()])
        replaced = [papers[old].model_copy(update={"id": new, "title": papers[new].title})
                    .merged_with(papers[new]) for old, new in moves.items()]
        pairs = [(new, old) for old, new in moves.items()]
        self.db.executemany(
            f"REPLACE INTO papers ({PAPER_COLUMNS}, import_id) VALUES ({','.join('?' * 13)})",
            [_paper_row(p, None) for p in replaced])
        self.db.executemany("UPDATE papers SET import_id = (SELECT import_id FROM papers"
                            " WHERE id = ?2) WHERE id = ?1", pairs)
        self.db.executemany("UPDATE OR IGNORE sources SET paper_id = ?1 WHERE paper_id = ?2",
                            pairs)
        self.db.executemany("DELETE FROM sources WHERE paper_id = ?", [(o,) for o in moves])
        self.db.executemany("DELETE FROM papers WHERE id = ?", [(o,) for o in moves])
        self._move_user_data({old: (p.id, p.title) for old, p in zip(moves, replaced)})
        return replaced

    # -- papers ------------------------------------------------------------------------------
    def merge_papers(self, papers: list[Paper], file_id: int, import_id: int
                     ) -> tuple[list[Paper], set[str], set[str], set[str]]:
        """Insert or enrich `papers` (deduplicated by id, merged by arXiv id) in one transaction.

        A paper with the arXiv id of a stored paper of another title replaces it (`_replace`:
        its title was corrected) when its own title is new to the store and the stored paper
        is not in this file too; otherwise it merges into the stored paper. Returns the stored
        (merged) papers, the ids new to the store, the ids whose stored fields changed and
        the ids gone (replaced).
        """
        with self.transaction():
            by_arxiv = self._ids_by_arxiv([p.arxiv_id for p in papers if p.arxiv_id])
            existing = {p.id: p for p in self._papers_by_ids(
                list({*(p.id for p in papers), *by_arxiv.values()}))}
            listed = {p.id for p in papers} | self._in_file(file_id, list(by_arxiv.values()))
            moves: dict[str, str] = {}
            incoming: dict[str, Paper] = {}
            source_rows = []
            for p in papers:
                known = by_arxiv.get(p.arxiv_id) if p.arxiv_id else None
                if known and known != p.id:
                    if p.id not in existing and known not in listed and known not in moves:
                        moves[known] = by_arxiv[p.arxiv_id] = p.id
                    else:
                        p = p.model_copy(update={"id": known})
                incoming[p.id] = incoming[p.id].merged_with(p) if p.id in incoming else p
                source_rows.extend((p.id, file_id, s.position,
                                    s.captured.isoformat() if s.captured else None, s.upvotes)
                                   for s in p.sources)
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
                "INSERT OR IGNORE INTO sources (paper_id, file_id, position, captured, upvotes)"
                " VALUES (?, ?, ?, ?, ?)", source_rows)
            replaced = {p.id: p for p in self._replace(moves)}
            self._update_rising([i for i, p in incoming.items()
                                 if any(s.upvotes is not None for s in p.sources)])
        if moves:
            self._user_changed()
        merged = [replaced.get(p.id, p) for p in merged]
        return merged, new_ids - set(replaced), changed_ids | set(replaced), set(moves)

    def _update_rising(self, paper_ids: list[str]) -> None:
        """Work out again the `rising` of these papers from their sources (in the caller's
        transaction)."""
        histories: dict[str, list[Source]] = {i: [] for i in paper_ids}
        for chunk in batched(paper_ids):
            for r in self.db.execute(
                    f"SELECT paper_id, captured, upvotes FROM sources WHERE paper_id IN"
                    f" ({marks(chunk)}) AND upvotes IS NOT NULL AND captured IS NOT NULL", chunk):
                histories[r[0]].append(Source(path="", position=0, upvotes=r[2],
                                              captured=date.fromisoformat(r[1])))
        self.db.executemany("UPDATE papers SET rising = ? WHERE id = ?",
                            [(rising(upvote_history(s)), i) for i, s in histories.items()])

    def _in_file(self, file_id: int, paper_ids: list[str]) -> set[str]:
        """Which of these papers the file being imported has shown so far."""
        return {r[0] for chunk in batched(paper_ids) for r in self.db.execute(
            f"SELECT paper_id FROM sources WHERE file_id = ? AND paper_id IN ({marks(chunk)})",
            [file_id, *chunk])}

    def _ids_by_arxiv(self, arxiv_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in batched(list(dict.fromkeys(arxiv_ids))):
            rows = self.db.execute(
                f"SELECT arxiv_id, id FROM papers WHERE arxiv_id IN ({marks(chunk)})",
                chunk)
            found.update({r["arxiv_id"]: r["id"] for r in rows})
        return found

    def _papers_by_ids(self, ids: list[str]) -> list[Paper]:
        out: list[Paper] = []
        for chunk in batched(ids):
            rows = self.db.execute(
                f"SELECT {PAPER_COLUMNS} FROM papers WHERE id IN ({marks(chunk)})",
                chunk)
            out.extend(_paper_from_row(r) for r in rows)
        return out

    def papers(self, ids: list[str]) -> dict[str, Paper]:
        """The papers with these ids (without sources), by id. A page of them is read by
        the store's reading threads at once (Database.readers), each with its connection:
        from a cold page cache each paper is two or three scattered reads of the disk, which
        then overlap. Within a transaction this thread's connection reads them all (it alone
        sees what the transaction changed)."""
        if len(ids) <= READERS or self.db.in_transaction:
            return {p.id: p for p in self._papers_by_ids(ids)}
        parts = [ids[i::READERS] for i in range(READERS)]
        return {p.id: p for part in self.readers().map(self._papers_by_ids, parts)
                for p in part}

    def paper(self, paper_id: str) -> Paper | None:
        """One paper with its sources, or None."""
        row = self.db.execute(f"SELECT {PAPER_COLUMNS} FROM papers WHERE id = ?",
                              (paper_id,)).fetchone()
        if row is None:
            return None
        paper = _paper_from_row(row)
        self.add_sources([paper])
        return paper

    def add_sources(self, papers: list) -> None:
        """Give these papers (Paper or PaperView) their sources and upvote history (one
        query for a page of papers)."""
        found = self.sources_of([p.id for p in papers])
        for paper in papers:
            paper.sources = found.get(paper.id, [])
            paper.upvote_history = upvote_history(paper.sources)

    def sources_of(self, ids: list[str]) -> dict[str, list[Source]]:
        """The sources of these papers (file, position, capture), by id: one query for a
        page of papers."""
        found: dict[str, list[Source]] = {}
        for chunk in batched(list(dict.fromkeys(ids))):
            for r in self.db.execute(
                    "SELECT s.paper_id, f.path, f.format, s.position, s.captured, s.upvotes"
                    " FROM sources s JOIN files f ON f.id = s.file_id"
                    f" WHERE s.paper_id IN ({marks(chunk)}) ORDER BY f.path, s.position",
                    chunk):
                found.setdefault(r["paper_id"], []).append(Source(
                    path=r["path"], position=r["position"], format=r["format"] or "",
                    upvotes=r["upvotes"],
                    captured=date.fromisoformat(r["captured"]) if r["captured"] else None))
        return found

    def rising_ids(self) -> list[str]:
        """The papers seen rising or falling (in two captures or more with upvotes), the
        fastest rising first."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM papers WHERE rising IS NOT NULL ORDER BY rising DESC, title")]

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
        # Every paper: no WHERE, so that SQLite counts the b-tree's cells (its count
        # optimisation) rather than visiting each row (4 times faster at 1,000,000 papers)
        where = f" WHERE {VIEW_SQL[view]}" if view != "all" else ""
        total = self.db.execute(f"SELECT count(*) FROM papers{where}").fetchone()[0]
        if view == "new" and limit and total > limit:
            # SQLite finds the new papers by their import (papers_import), then sorts them
            # all: 2 s after importing a million. When they are most papers, walking the sort
            # order's index and skipping the others reads fewer rows: (offset + limit) *
            # papers / new of them rather than `new`.
            papers = self.db.execute("SELECT count(*) FROM papers").fetchone()[0]
            if (offset + limit) * papers < total * total:
                where = where.replace("import_id", "+import_id")  # `+`: not by its index
        rows = self.db.execute(
            f"SELECT {PAPER_COLUMNS} FROM papers{where} ORDER BY {SORT_SQL[sort]}"
            " LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return total, [_paper_from_row(r) for r in rows]

    def view_ids(self, view: str) -> list[str]:
        """The id of every paper of a view."""
        return [r[0] for r in self.db.execute(f"SELECT id FROM papers WHERE {VIEW_SQL[view]}")]

    def last_import(self) -> tuple[int, int] | None:
        """(new, updated) of the latest import that added papers, or None."""
        row = self.db.execute(
            "SELECT new, updated FROM imports WHERE new > 0 ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    def is_empty(self) -> bool:
        """True when nothing was ever imported."""
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
