"""Importing and the index's upkeep, for the Library: files in (ingest), papers out to the
store and the index (one writer, or two writer processes for a big import), one import or
rebuild at a time across processes; at start the index is probed, completed or rebuilt."""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from . import index as text_index  # Whoosh is imported when the index is first used
from .models import FileReport, ImportReport, Paper, counted, path_text
from .store import REBUILD_MARK, batched

STALE_RETRIES = 3  # reads of the index that fail are tried again on a fresh searcher
BATCH = 2000  # papers per store transaction (and per progress report)
FIRST_COMMIT = 2000  # an import's first index commit: search works early on
# then a commit every this many documents: each writer process's half is above the merge
# policy's lowest tier (index/merging.py: 10 x 5,000), and a million papers make eight
# segments of a tier that takes ten, so a big import's own segments are not merged again at
# its end (Lucene, too, flushes segments of a fixed size)
INDEX_COMMIT_EVERY = 250_000
PARALLEL_BYTES = 8 << 20  # imports of this many bytes or more index in two processes
ORPHAN_WAIT = 5.0  # seconds start-up waits for an index writer whose import has ended


@dataclass
class ImportProgress:
    """Where an import is: for progress bars and status lines."""

    path: str  # the file being imported
    files_done: int
    files_total: int
    bytes_done: int  # of the files done, and of the one being imported as far as it is read
    bytes_total: int  # (a JSONL or CSV file is read as a stream: its bytes count as they go)
    papers: int  # stored so far
    indexed: int = 0  # papers in the index (committed so far): search covers these


def _size(path: Path) -> int:
    """The size of a file, 0 when it cannot be known (the import reports why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _expand(paths_in: Iterable[str | Path], report: ImportReport) -> list[Path]:
    """Files under the given paths (folders recursively, symlink loops ignored), sorted."""
    files: list[Path] = []
    for raw in paths_in:
        path = Path(raw)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as exc:  # e.g. a folder on the way that cannot be searched
            report.files.append(FileReport(path=str(path),
                                           error=f"cannot read: {exc.strerror or exc}"))
            continue
        if is_dir:
            seen: set[str] = set()
            for root, dirs, names in os.walk(path, followlinks=True, onerror=lambda e: (
                    report.files.append(FileReport(path=str(e.filename or path),
                                                   error=f"cannot read: {e.strerror or e}")))):
                real = os.path.realpath(root)
                if real in seen:
                    dirs[:] = []
                    continue
                seen.add(real)
                dirs.sort()
                files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
        elif exists:
            files.append(path)
        else:
            report.files.append(FileReport(path=str(path), error="no such file or folder"))
    return list(dict.fromkeys(files))


def one_of(problems: list[str]) -> str | None:
    """The first of some problems, and how many more there are (None: no problem)."""
    if not problems:
        return None
    return problems[0] + (f" and {len(problems) - 1} more" if len(problems) > 1 else "")


def commit_due(committed: int) -> int:
    """How many documents an import's next index commit waits for, after `committed`: the
    first FIRST_COMMIT (search works early), then INDEX_COMMIT_EVERY (a big import ends with
    a handful of segments)."""
    return INDEX_COMMIT_EVERY if committed else FIRST_COMMIT


class IndexFeeder:
    """One import's index writer, fed batch by batch and committed as it goes.

    The writer (and the index lock) is held for the whole import; it commits a segment when
    it holds `commit_due` documents. Whoosh's update_document does not see documents added by
    the same writer, so a paper that comes back within one segment commits that segment
    first. Documents queued from another thread (a note saved while the import runs) are
    written at the next commit.
    """

    def __init__(self, index: text_index.PaperIndex,
                 on_commit: Callable[[int], None] | None = None):
        self.index = index
        self.writer = index.writer()
        self.in_writer: set[str] = set()
        self.committed = 0  # documents committed by this feeder
        self.on_commit = on_commit
        self.queued: dict[str, dict] = {}
        self._queue_lock = threading.Lock()

    def add(self, docs: list[dict], new_ids: set[str], gone: set[str] = frozenset()) -> None:
        if any(d["id"] in self.in_writer for d in docs) or gone & self.in_writer:
            self.commit()
        if self.writer is None:
            self.writer = self.index.writer()
        text_index.add_documents(self.writer, docs, new_ids, gone)
        self.in_writer.update(d["id"] for d in docs)
        if len(self.in_writer) >= commit_due(self.committed):
            self.commit()

    def queue(self, doc: dict) -> None:
        """A document to (re)write at the next commit (thread-safe)."""
        with self._queue_lock:
            self.queued[doc["id"]] = doc

    def commit(self, final: bool = False) -> None:
        if self.writer is not None:
            # Intermediate segments are not merged (Whoosh merges only tiny ones anyway).
            self.writer.commit(merge=final)
            self.committed += len(self.in_writer)
            self.writer, self.in_writer = None, set()
        with self._queue_lock:
            queued, self.queued = self.queued, {}
        if queued:
            self.index.write(queued.values())
        if self.on_commit:
            self.on_commit(self.index.doc_count())

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None


ANOTHER_IMPORT = "another import is running; try again when it has finished"


class DiskFull(Exception):
    """The disk of the data dir filled up while importing or indexing (one sentence)."""

    def __init__(self, root: Path, exc: OSError):
        where = f"{Path(exc.filename).name}: " if exc.filename else ""
        super().__init__(f"the disk holding {root} is full ({where}{exc.strerror or exc});"
                         " what was saved before is kept: free some space and try again")


def exclusive(method):
    """Run `method` holding the data dir's import lock: one import or index rebuild at a time
    across processes (IndexBusy at once otherwise), reentrant within the thread that holds it;
    the index's opening and check in another thread of this process (the reader's start) is
    waited for, not taken for another import.
    The lock says "an import runs" for as long as it runs, whoever writes the index when.
    A full disk (in this process or a writer process) is DiskFull."""

    @functools.wraps(method)
    def wrapper(self: "Importing", *args, **kwargs):
        self._writable()
        self.index  # (an index another thread is opening: its check holds the lock a moment)
        if not self._take_import_lock():
            raise text_index.IndexBusy(ANOTHER_IMPORT)
        try:
            return method(self, *args, **kwargs)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull(self.root, exc) from exc
            raise
        finally:
            self._drop_import_lock()

    return wrapper


class Importing:
    """Importing, rebuilding and checking the index: the part of the Library that writes."""

    def _writable(self) -> None:
        """ReadOnly (the store's) when the library cannot be changed."""
        if self.store.read_only:
            raise self.store.unwritable()

    def _check_index(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Probe the index at start. Write again the papers it may lack (those of an import
        that was killed, a note saved while the index was busy); rebuild it from the store when
        it is unreadable, or its count still differs from the store's (a killed rebuild). Only
        reads the store; does nothing while another process imports."""
        try:
            if not self._take_import_lock():
                return
        except OSError:  # a data dir that cannot be written: nothing can be repaired anyway
            return
        try:
            # No import runs (this holds the import lock): a writer that holds the index is a
            # note's (an instant), or the writer process of an import that was killed, which
            # ends with it (writer_processes.end_with_parent). When the index has work left
            # (an interrupted import), that lock does not stop the mend: it is waited for.
            if self.index.writer_free(timeout=0) or (
                    any(self.store.index_pending()) and self.index.writer_free(ORPHAN_WAIT)):
                self._check_index_locked(progress)
        finally:
            self._drop_import_lock()

    def _take_import_lock(self) -> bool:
        """Take the import lock (or go one deeper in this thread); False when another
        process or thread has it."""
        me = threading.get_ident()
        with self._import_guard:
            if self._import_holder is not None:
                thread, depth = self._import_holder
                if thread != me:
                    return False
                self._import_holder = (thread, depth + 1)
                return True
            if not self._import_lock.acquire():
                return False
            self._import_holder = (me, 1)
            return True

    def _drop_import_lock(self) -> None:
        with self._import_guard:
            thread, depth = self._import_holder
            if depth > 1:
                self._import_holder = (thread, depth - 1)
            else:
                self._import_holder = None
                self._import_lock.release()

    def _check_index_locked(self, progress: Callable[[int, int], None] | None) -> None:
        unreadable = None
        for attempt in range(STALE_RETRIES):  # a commit elsewhere may have moved files away
            try:
                indexed, unreadable = self.index.probe(), None
                break
            except Exception as exc:  # Whoosh fails in many ways on damaged files
                indexed, unreadable = None, text_index.describe(exc)
                time.sleep(0.05 * (attempt + 1))
        marked = self.index.damage()
        damaged = (marked or one_of(self.index.verify_at_start())) if unreadable is None else None
        try:
            papers = self.store.counts()["papers"]
            # Only what is pending now is done below: a note another process saves meanwhile
            # (it leaves the index alone while this holds the import lock) stays pending.
            rebuild, pending = self.store.index_pending()
            if unreadable is None and damaged is None and not self.index.recreated:
                if pending and not rebuild:  # a few notes are written in an instant
                    self._write_pending(pending, progress if len(pending) > BATCH else None)
                    indexed = self.index.probe()
                if not rebuild and indexed == papers:
                    return
            self.rebuild_index(progress)
        except text_index.IndexBusy:
            return  # another process began writing: it is not our turn
        except Exception as exc:
            self.notices.append(f"the search index cannot be rebuilt ({exc}); search may miss"
                                " papers until `tui-reader reindex` succeeds")
            return
        if damaged:
            self.notices.append(f"the search index was damaged ({damaged}); it was rebuilt"
                                f" from the library ({counted(papers, 'paper')})")
        elif unreadable or self.index.recreated:
            self.notices.append(f"the search index could not be read ({unreadable or 'damaged'});"
                                f" it was rebuilt from the library ({counted(papers, 'paper')})")
        elif not self.store.recovered and indexed is not None and indexed != papers:
            self.notices.append(f"the search index had {indexed} of the library's {papers}"
                                " papers (an import or rebuild was interrupted); it was rebuilt")

    def rebuild_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the index from the store and empty its to-do list (a damaged index, an
        interrupted import or rebuild); returns the papers indexed."""
        pending = self.store.index_pending()[1]
        count = self.reindex(progress=progress)
        self.store.index_done([REBUILD_MARK, *pending], imports=True)
        self.index_rebuilt, self.index_damage = True, None
        return count

    def _write_pending(self, ids: list[str], progress: Callable[[int, int], None] | None
                       ) -> None:
        """Write the index documents of these papers again (one writer, one commit)."""

        def documents() -> Iterator[dict]:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start:start + BATCH]
                yield from self.documents(list(self.store.papers(chunk).values()))
                if progress:
                    progress(start + len(chunk), len(ids))

        self.index.write(documents(), timeout=0.5)
        self.store.index_done(ids, imports=True)

    # -- segments ------------------------------------------------------------------------
    def optimize(self, progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
        """Merge the index's segments into one; (segments before, after). Searches, and
        imports but for a moment at its end, go on meanwhile."""
        self._writable()
        before = self.index.segment_count()
        self.index.merge(everything=True, progress=progress)
        self.index.prepare_facets()
        return before, self.index.segment_count()

    # -- import --------------------------------------------------------------------------
    def import_paths(self, inputs: Iterable[str | Path], *, year: int | None = None,
                     progress: Callable[[ImportProgress], None] | None = None) -> ImportReport:
        """Import dump files and folders; unchanged files are skipped, failures reported.

        Papers are stored batch by batch (browsing sees them at once) and the index is
        committed as the import goes (`ImportProgress.indexed`: search covers that many).
        Then the segments the tiered policy says are due are merged (index/merging.py), the
        import lock released: another import need not wait for it.
        """
        report = self._import_locked(inputs, year, progress)
        if (report.new or report.updated) and self.index.merge():
            self.index.prepare_facets()  # the merged segment's, as for the import's own
        return report

    @exclusive
    def _import_locked(self, inputs: Iterable[str | Path], year: int | None,
                       progress: Callable[[ImportProgress], None] | None) -> ImportReport:
        report = ImportReport()
        files = _expand(inputs, report)
        sizes = {f: _size(f) for f in files}
        total_bytes = sum(sizes.values())
        import_id = self.store.begin_import()
        file_ids: list[int] = []  # the files read or found unchanged: the papers they hold
        done_bytes = 0
        state = {"indexed": 0, "file": "", "number": 0, "papers": 0, "reading": 0}

        def report_progress(papers: int, reading: int | None = None) -> None:
            """`reading`: the bytes read of the file being imported (None: as before)."""
            state["papers"] = papers
            if reading is not None:
                state["reading"] = reading
            if progress:
                progress(ImportProgress(state["file"], state["number"], len(files),
                                        done_bytes + state["reading"], total_bytes, papers,
                                        state["indexed"]))

        def committed(count: int) -> None:
            state["indexed"] = count
            report_progress(state["papers"])

        try:
            for number, path in enumerate(files):
                state["file"], state["number"] = path_text(path), number
                file_report = self._import_file(
                    path, year, import_id, file_ids,
                    lambda: self._open_feeder(committed, parallel=total_bytes >= PARALLEL_BYTES),
                    lambda n, reading, before=report.papers:
                        report_progress(before + n, reading))
                report.files.append(file_report)
                done_bytes += sizes[path]
                state["number"], state["reading"] = number + 1, 0
                report_progress(report.papers)
            if self._feeder is not None:
                self._feeder.commit(final=True)
        except BaseException:
            if self._feeder is not None:
                self._feeder.cancel()
            raise
        finally:
            self._close_feeder()
        if report.new or report.updated:
            self.index.prepare_facets()
        self.store.finish_import(import_id, report.new, report.updated)
        report.distinct = self.store.distinct_papers(file_ids)
        return report

    def save_paste(self, data: bytes) -> Path:
        """Keep a pasted page as a dump file of the library ("pasted 2026-11-30 14:02"), to
        import like a file; the same paste again (at any time) is the same file."""
        self._writable()
        folder = self.root / "pasted"
        folder.mkdir(parents=True, exist_ok=True)
        for kept in folder.iterdir():
            if kept.stat().st_size == len(data) and kept.read_bytes() == data:
                return kept
        stem = time.strftime("pasted %Y-%m-%d %H:%M")
        for n in range(1, 1000):
            path = folder / (stem if n == 1 else f"{stem} ({n})")
            if not path.exists():
                path.write_bytes(data)
                return path
        raise OSError(f"too many pastes named {stem!r}")

    def _open_feeder(self, on_commit: Callable[[int], None], parallel: bool = False
                     ) -> IndexFeeder:
        """The import's index writer, opened when the first file has papers to index; for a
        big import on a machine with two cores or more, in two more processes
        (index_worker.py: two writers, and parsing and the store alongside)."""
        with self._feeder_lock:
            if self._feeder is None:
                # (two writer processes need the fast writer: one hands its segment over)
                if parallel and (os.cpu_count() or 1) >= 2 and self.index.fast_search:
                    from .index.writer_processes import ProcessFeeder
                    self._feeder = ProcessFeeder(self.index.path, commit_due, on_commit)
                else:
                    self._feeder = IndexFeeder(self.index, on_commit)
            return self._feeder

    def _close_feeder(self) -> None:
        with self._feeder_lock:
            feeder, self._feeder = self._feeder, None
        if feeder is not None:
            with feeder._queue_lock:
                queued, feeder.queued = feeder.queued, {}
            if queued:
                self.index.write(queued.values())

    def indexed(self) -> int:
        """How many papers search covers now (during an import: those committed so far)."""
        return self.index.doc_count()

    def _import_file(self, path: Path, year: int | None, import_id: int, file_ids: list[int],
                     feeder: Callable[[], IndexFeeder],
                     progress: Callable[[int, int | None], None] | None) -> FileReport:
        try:
            key = str(path.resolve())
            stat = path.stat()
            if not S_ISREG(stat.st_mode):  # reading a pipe or /dev/zero would never end
                return FileReport(path=str(path), error="not a regular file (a pipe, a device"
                                                        " or a socket)")
            with open(path, "rb") as f:
                sha1 = hashlib.file_digest(f, "sha1").hexdigest()
        except RuntimeError:  # Path.resolve on a symlink loop
            return FileReport(path=str(path), error="cannot read: a symlink loop")
        except OSError as exc:
            return FileReport(path=str(path), error=f"cannot read: {exc.strerror or exc}")
        known = self.store.file_record(key)
        if known is None or known["sha1"] != sha1:  # the same content under another path
            known = self.store.file_with_sha1(sha1)
        if known is not None and year is None:  # --year re-reads (its yearless dates change)
            file_ids.append(known["id"])
            return FileReport(path=str(path), format=known["format"], papers=known["papers"],
                              skipped=True)
        from .ingest import read_dump  # the parsers (bs4, markdownify, ftfy) load when used

        dump = read_dump(path, year=year)
        if dump.error:
            return FileReport(path=str(path), format=dump.format, error=dump.error)
        writer = feeder()  # IndexBusy here, before the store changes
        file_id = self.store.start_file(key, stat.st_size, stat.st_mtime, dump.format)
        report = FileReport(path=str(path), format=dump.format)
        for batch in batched(dump.papers, BATCH):
            merged, new_ids, changed_ids, gone = self.store.merge_papers(batch, file_id,
                                                                         import_id)
            report.papers += len(batch)
            report.new += len(new_ids)
            report.updated += len(changed_ids)
            touched = [p for p in merged if p.id in new_ids or p.id in changed_ids]
            self._index_papers(writer, touched, new_ids, gone)
            if progress:  # (papers so far, and the bytes read of a file read as a stream)
                progress(report.papers, min(dump.bytes_read, stat.st_size) or None)
        report.warnings = dump.warnings
        if dump.error:  # its reading stopped part way (ingest's limits): the rest is not read
            report.error = dump.error
        elif report.papers == 0:
            report.error = "not a recognised dump: no papers found"
        replaced, gone = self.store.finish_file(file_id, sha1, report.papers, import_id)
        if replaced:  # counted new above: corrected titles of papers known before
            report.new -= len(replaced)
            report.updated += len(replaced)
            self._index_papers(writer, replaced, set(), gone)
        file_ids.append(file_id)
        return report

    def _index_papers(self, writer: IndexFeeder, papers: list[Paper], new_ids: set[str],
                      gone: set[str]) -> None:
        """Give the import's index writer these papers' documents (with their notes and tags:
        new papers too, user data outlives papers) and the ids whose documents go."""
        writer.add(self.documents(papers), new_ids, gone)

    def documents(self, papers: list[Paper]) -> list[dict]:
        """The index documents of these papers, with the user's notes and tags."""
        ids = [p.id for p in papers]
        notes = {n.paper_id: n.text for n in self.store.notes(ids)} if ids else {}
        tags = self.store.tags_of(ids) if ids else {}
        return [text_index.paper_document(p, notes.get(p.id), tags.get(p.id, ())) for p in papers]

    @exclusive
    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the index from the store (no dump files needed); returns the papers indexed."""
        total = self.store.counts()["papers"]
        self.index.clear()
        feeder = IndexFeeder(self.index)
        done = 0
        try:
            for batch in self.store.iter_papers(BATCH):
                feeder.add(self.documents(batch), {p.id for p in batch})
                done += len(batch)
                if progress:
                    progress(done, total)
            feeder.commit(final=True)
        except BaseException:
            feeder.cancel()
            raise
        return done

    # -- reading -------------------------------------------------------------------------
