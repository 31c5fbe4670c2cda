"""Showing a paper: the detail pane at once, the rest of the paper from a worker.

The UI never waits for the Library here (a search may hold it): the sources and highlights
arrive first, the similar papers once the paper has stayed a moment (a cursor move or a
keystroke cancels their lookup), and after a moment in the pane the paper becomes read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from ..models import Highlight, PaperView


def wait_in_worker(worker: Worker, seconds: float) -> bool:
    """Wait `seconds` in a thread worker, cut short when the worker is cancelled (a newer
    search or paper replaced it: its thread is free at once); whether it was cancelled."""
    end = time.monotonic() + seconds
    while not worker.is_cancelled and (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 0.05))
    return worker.is_cancelled


class Reading:
    """The MainScreen's part of showing papers (a mixin: MainScreen provides `library`,
    `reader`, `papers`, `detail`, `outcome` and `refresh_counts`)."""

    _read_timer: Timer | None = None

    @dataclass
    class Loaded(Message):
        """A paper as the store has it, with its title and abstract highlighted for the
        search shown (None: not highlighted); `paper` is None when it is no longer in the store."""

        paper_id: str
        paper: PaperView | None
        title: Highlight | None
        abstract: Highlight | None

    @dataclass
    class SimilarFound(Message):
        """The papers most like paper `paper_id`."""

        paper_id: str
        papers: list[PaperView]

    @dataclass
    class MarkedRead(Message):
        """The paper stayed in the pane long enough: it is read now."""

        paper: PaperView

    def show_paper(self, paper: PaperView | None, *, pinned: bool = False) -> None:
        """Show a paper in the detail pane at once, then load the rest of it in a worker."""
        self._stop_read_timer()
        detail = self.detail
        detail.pinned = pinned
        if paper is None:
            self.workers.cancel_group(self, "detail")  # the last paper's similar papers too
            message = "Nothing to show." if self.papers.total == 0 else "…"
            detail.show(None, empty=message)
            return
        detail.show(paper)
        detail.similar_waiting()
        terms = self.outcome.terms if self.outcome is not None else {}
        self._load_detail(paper.id, terms, self.reader.similar_delay)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False,
          description="Loading the paper")
    def _load_detail(self, paper_id: str, terms: dict[str, list[str]], delay: float) -> None:
        worker = get_current_worker()
        library = self.library
        try:
            full = library.paper(paper_id)
        except LookupError:  # no longer in the store (a bookmark of a removed paper)
            full = None
        title = abstract = None
        if full is not None and terms and not worker.is_cancelled:
            try:  # with the terms of the search shown: its query is not parsed again
                title = library.highlight(full.readable_title, terms.get("title", []), "title")
                abstract = library.highlight(full.readable_abstract, terms.get("abstract", []),
                                             "abstract")
            except Exception:  # highlights are a nicety
                title = abstract = None
        if worker.is_cancelled:
            return
        self.post_message(self.Loaded(paper_id, full, title, abstract))
        if not self._quiet_for(delay, worker):
            return
        try:
            papers = library.similar(paper_id, 5)
        except Exception:  # a paper gone from the index has no neighbours
            papers = []
        if not worker.is_cancelled:
            self.post_message(self.SimilarFound(paper_id, papers))

    def _quiet_for(self, seconds: float, worker: Worker) -> bool:
        """Wait (in a worker) until the paper has been shown and the search box left alone
        for `seconds`, or while the box has the focus, for the reader's `typing_pause` at
        least: similar papers are not looked up while the user types. (A lookup cannot be
        stopped once started, and at a million papers it holds the library 0.1-0.25 s: the
        next key's search would wait for it.) False: the worker was cancelled meanwhile."""
        shown = time.monotonic()
        while (left := max(shown, self.typed_at) + self._pause(seconds) - time.monotonic()) > 0:
            if wait_in_worker(worker, min(left, 0.1)):  # (the focus may move meanwhile)
                return False
        return not worker.is_cancelled

    def _pause(self, seconds: float) -> float:
        return max(seconds, self.reader.typing_pause) if self.search_box.has_focus else seconds

    def on_reading_loaded(self, message: Loaded) -> None:
        detail = self.detail
        if detail.paper is None or detail.paper.id != message.paper_id:
            return
        paper = message.paper or detail.paper
        detail.show(paper, message.title, message.abstract, keep_scroll=True)
        self.read_later()

    def read_later(self) -> None:
        """Start the moment after which the paper shown becomes read (again when the results
        of a search are entered: it may have been shown while the search was typed)."""
        paper, delay = self.detail.paper, self.reader.read_delay
        if paper is not None and not paper.read and delay is not None:
            self._stop_read_timer()
            self._read_timer = self.set_timer(delay, partial(self._read_after_delay, paper.id))

    def on_reading_similar_found(self, message: SimilarFound) -> None:
        self.detail.show_similar(message.paper_id, message.papers)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _read_after_delay(self, paper_id: str) -> None:
        self._read_timer = None
        paper = self.detail.paper
        if paper is None or paper.id != paper_id or paper.read or self.search_box.has_focus:
            return  # (shown while the user types a search: passed by, not read)
        self._mark_read(paper.model_copy(update={"read": True}))

    @work(thread=True, group="mark-read", exit_on_error=False,
          description="Marking the paper read")
    def _mark_read(self, paper: PaperView) -> None:
        self.library.mark_read(paper.id, True)
        self.post_message(self.MarkedRead(paper))

    def on_reading_marked_read(self, message: MarkedRead) -> None:
        current = self.detail.paper
        if current is not None and current.id == message.paper.id:
            self.changed(current.model_copy(update={"read": message.paper.read}))
        else:
            self.changed(message.paper)

    def changed(self, paper: PaperView, counts: bool = True) -> None:
        """A paper's user data changed: redraw it wherever it is shown."""
        self.papers.update_paper(paper)
        detail = self.detail
        if detail.paper is not None and detail.paper.id == paper.id:
            detail.paper = paper.model_copy(update={"sources": detail.paper.sources})
            detail.query_one("#detail-meta", Static).update(detail.metadata(detail.paper))
            detail.show_note(detail.paper)
        if counts:
            self.refresh_counts()

    @property
    def current_paper(self) -> PaperView | None:
        """The paper the keys act on: the one in the detail pane."""
        return self.detail.paper

    def need_paper(self) -> PaperView | None:
        """The current paper; when there is none, the user is told."""
        paper = self.current_paper
        if paper is None:
            self.notify("No paper is highlighted.", severity="warning", timeout=2)
        return paper
