"""The index writing of a big import in two more processes.

Whoosh's indexing is pure Python and takes most of an import's time; parsing the dump and
merging papers into the store take the rest. `ProcessFeeder` spreads the indexing over two
`spawn`ed processes (the reader has threads, so no fork): the *lead* holds the index lock,
writes its half of the documents (and every replacement of a known paper) and commits; the
*helper* writes the other half of the new papers into a segment of its own, which it hands to
the lead for each commit's table of contents. The importing process only parses, stores and
sends batches through pipes (a send waits while a writer is busy: memory stays bounded).
Commits follow `importing.IndexFeeder`'s rules and schedule (`importing.commit_due`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends


class _Writing:
    """A writer process's writer (None between commits) and the messages common to both:
    "cancel" (cancel the writer, say done, end), "close" (end). A failure cancels the
    writer and is sent to the importing process as an error (`error_message`); the process
    then reads on, answering every message that wants an answer with the error, until
    "cancel", "close" or the end of the pipe (a process that ended with messages unread
    would reset the pipe, and the importing process would not learn why)."""

    def __init__(self, conn):
        self.conn = conn
        self.writer = None

    def serve(self, handle) -> None:
        """Answer messages with `handle(message)` until "cancel" or "close"."""
        try:
            while True:
                message = self.conn.recv()
                if message[0] in ("cancel", "close"):
                    self.end(message)
                    return
                handle(message)
        except EOFError:  # the importing process is gone
            self.cancel()
        except Cancelled:  # during a commit
            self.end(("cancel",))
        except BaseException as exc:
            self.cancel()
            fail(self.conn, exc)

    def end(self, message: tuple) -> None:
        if message[0] == "cancel":
            self.cancel()
            self.conn.send(("done", None))

    def cancel(self) -> None:
        if self.writer is not None:
            writer, self.writer = self.writer, None
            try:
                writer.cancel()
            except (OSError, ValueError):  # e.g. the disk is full, or cancelled within its
                pass  # commit (files closed): its temporary files stay, cleaned later


ANSWERED = ("commit", "finish")  # the messages the importing process waits an answer to


def error_message(exc: BaseException) -> tuple:
    """What a writer process sends when it fails: ("error", errno, text, file name)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return ("error", exc.errno, exc.strerror or str(exc), exc.filename)
    return ("error", None, f"{type(exc).__name__}: {exc}".strip(": "), None)


def fail(conn, exc: BaseException) -> None:
    """Tell the importing process why this writer process failed, then read on until it
    says to end (see _Writing)."""
    error = error_message(exc)
    try:
        conn.send(error)
        while True:
            message = conn.recv()
            if message[0] in ANSWERED:
                conn.send(error)
            elif message[0] == "cancel":
                conn.send(("done", None))
                return
            elif message[0] == "close":
                return
    except (EOFError, OSError):  # the importing process is gone
        return


def _child(target, conn, index_path: str, parent: int) -> None:
    """A writer process's entry: it ends with its parent (the importing process), leaves
    ctrl-c to it, and never prints a traceback: a failure is sent through the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cancels, then ends us
    end_with_parent(parent)
    try:
        target(conn, index_path)
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, never printed
        fail(conn, exc)


def end_with_parent(parent: int) -> None:
    """End this process when the process `parent` ends (even by SIGKILL): else it would keep
    the index lock, and the next start would not mend the index. Linux: the kernel sends
    SIGKILL (PR_SET_PDEATHSIG); elsewhere a thread watches the parent id change."""
    if not _death_signal() and os.getppid() == parent:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="watch-parent").start()
    if os.getppid() != parent:  # it died before we were told to follow it
        os._exit(1)


def _death_signal() -> bool:
    """Ask the kernel to kill this process when its parent ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, every: float = 0.2) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _lead(conn, index_path: str) -> None:
    """Holds the lock: adds and replaces documents, commits with the helper's segment."""
    from .paper_index import IndexBusy, PaperIndex
    from .schema import add_documents
    index = PaperIndex(Path(index_path))
    state = _Writing(conn)
    try:
        state.writer = index.writer()
    except IndexBusy as exc:
        conn.send(("busy", str(exc)))
        index.close()
        return
    conn.send(("ready", None))

    def handle(message: tuple) -> None:
        if message[0] == "add":
            if state.writer is None:
                state.writer = index.writer()
            add_documents(state.writer, message[1], message[2], message[3])
        elif message[0] == "commit":
            # The helper's segment comes while this writer flushes its own (both at once):
            # the table of contents waits for it. No merge here: merging.py's policy runs
            # after the import, with no lock held.
            queued = message[1]  # documents saved meanwhile (notes), rewritten after
            if state.writer is None:
                state.writer = index.writer()
            state.writer.extra_segments = lambda: helper_segments(conn)
            state.writer.commit(merge=False)
            state.writer = None
            if queued:
                index.write(queued)
            conn.send(("done", index.doc_count()))

    try:
        state.serve(handle)
    finally:
        index.close()


class Cancelled(Exception):
    """The importing process cancelled while the lead waited for the helper's segment."""


def helper_segments(conn) -> list:
    """The helper's segment for the lead's table of contents, sent by the importing process
    once the helper has written it ([] if it had nothing); `Cancelled` if it cancels."""
    message = conn.recv()
    if message[0] == "cancel":
        raise Cancelled
    return [s for s in message[1] if s is not None]


def _helper(conn, index_path: str) -> None:
    """Adds new documents to a segment of its own; hands it over when asked."""
    from whoosh import index as whoosh_index

    from .paper_index import WRITER_LIMIT_MB
    from .writing import FastSegmentWriter
    ix = whoosh_index.open_dir(index_path)
    state = _Writing(conn)
    conn.send(("ready", None))

    def handle(message: tuple) -> None:
        if message[0] == "add":
            if state.writer is None:
                state.writer = FastSegmentWriter(ix, helper=True, limitmb=WRITER_LIMIT_MB,
                                                 compound=False)
            for doc in message[1]:
                state.writer.add_document(**doc)
        elif message[0] == "finish":
            segment = state.writer.finish_segment() if state.writer is not None else None
            state.writer = None
            conn.send(("segment", segment))

    state.serve(handle)


class _Child:
    def __init__(self, context, target, index_path: Path, name: str):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_child,
                                       args=(target, child, str(index_path), os.getpid()),
                                       daemon=True, name=name)
        self.process.start()
        child.close()
        self.lock = threading.Lock()

    def send(self, message: tuple) -> None:
        with self.lock:
            try:
                self.conn.send(message)
            except OSError:
                self.receive()  # raises what the child said (or that it ended)
                raise self._ended() from None

    def receive(self) -> tuple[str, object]:
        """The child's next message; its failure raised (OSError for a file-system error,
        with the file it met it on)."""
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            raise self._ended() from None
        if message[0] == "error":
            _, number, text, filename = message
            if number is not None:
                raise OSError(number, text, filename)
            raise RuntimeError(f"the index writer failed: {text}")
        return message

    def _ended(self) -> RuntimeError:
        self.process.join(1)
        code = self.process.exitcode
        how = (f" (killed by signal {-code})" if code is not None and code < 0
               else f" (exit status {code})" if code else "")
        return RuntimeError(f"an index writer process ended unexpectedly{how}")

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.send(("cancel",))
                self.receive()
            except (RuntimeError, OSError):
                pass
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


class ProcessFeeder:
    """`importing.IndexFeeder`'s interface and commit schedule, the writing in two processes."""

    def __init__(self, index_path: Path, commit_due: Callable[[int], int],
                 on_commit: Callable[[int], None] | None = None):
        from .paper_index import IndexBusy
        self.commit_due = commit_due  # documents to wait for, after so many committed
        self.on_commit = on_commit
        self.queued: dict[str, dict] = {}  # documents for the lead to write at the next commit
        self._queue_lock = threading.Lock()
        self.in_span: set[str] = set()  # ids written since the last commit
        self.carried: list[dict] = []  # queued documents sent to the lead after the last one
        self.committed = 0
        context = multiprocessing.get_context("spawn")
        self.lead = _Child(context, _lead, index_path, "tui-reader-index-lead")
        try:
            kind, value = self.lead.receive()
        except BaseException:
            self.lead.stop()  # it failed: it waits to be told to end
            raise
        if kind == "busy":
            self.lead.process.join()
            raise IndexBusy(value)
        try:
            self.helper = _Child(context, _helper, index_path, "tui-reader-index-helper")
            self.helper.receive()
        except BaseException:
            self.lead.stop()  # it holds the index lock
            raise

    def add(self, docs: list[dict], new_ids: set[str], gone: set[str] = frozenset()) -> None:
        if gone & self.in_span:
            self.commit()  # Whoosh deletes only documents of committed segments
        # A paper met again since the last commit is rewritten in the lead's segment after
        # the next one (as a note saved meanwhile is): a commit for each would leave the
        # index in small segments.
        again = [d for d in docs if d["id"] in self.in_span]
        if again:
            with self._queue_lock:
                self.queued.update((d["id"], d) for d in again)
            docs = [d for d in docs if d["id"] not in self.in_span]
        new = [d for d in docs if d["id"] in new_ids]
        known = [d for d in docs if d["id"] not in new_ids]
        half = len(new) // 2
        to_lead = known + new[:half]
        if to_lead or gone:  # the lead deletes the documents of replaced papers
            self.lead.send(("add", to_lead, {d["id"] for d in new[:half]}, gone))
        if new[half:]:
            self.helper.send(("add", new[half:]))
        self.in_span.update(d["id"] for d in docs)
        if len(self.in_span) >= self.commit_due(self.committed):
            self.commit()

    def queue(self, doc: dict) -> None:
        """A document to (re)write at the next commit (thread-safe; what is still here after
        the last commit, the Library writes)."""
        with self._queue_lock:
            self.queued[doc["id"]] = doc

    def commit(self, final: bool = False) -> None:
        """Both writers flush their segments at once; the lead then commits the two. The
        documents queued meanwhile go to the lead's next segment, as replacements of what
        was just committed (the last commit's, to a segment of their own after it: one small
        segment an import, not one a commit)."""
        with self._queue_lock:
            queued, self.queued = list(self.queued.values()), {}
        self.helper.send(("finish",))
        self.lead.send(("commit", queued if final else []))
        _, segment = self.helper.receive()
        self.lead.send(("segments", [segment]))
        _, count = self.lead.receive()
        self.committed += len(self.in_span)
        self.in_span = set()
        self.carried = queued if not final else []
        if self.carried:
            self.lead.send(("add", self.carried, set(), set()))
            self.in_span.update(d["id"] for d in self.carried)
        if self.on_commit:
            self.on_commit(count)
        if final:
            for child in (self.helper, self.lead):
                child.send(("close",))
                child.process.join(10)

    def cancel(self) -> None:
        """Stop both writers, the documents since the last commit not written; those carried
        over from it are queued again (the Library writes what is queued)."""
        self.helper.stop()
        self.lead.stop()
        with self._queue_lock:
            for doc in self.carried:
                self.queued.setdefault(doc["id"], doc)
        self.carried = []
