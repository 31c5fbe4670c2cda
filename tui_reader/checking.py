"""The Library's integrity: `tui-reader check [--repair]`, and damage met while reading.

A read of the index that fails with damage (index.DAMAGE: a zeroed block, a cut file) marks
the index for a rebuild from the store: the reader rebuilds it in the background at once
(`repair_in_background`), the command line says so and rebuilds before it answers, and any
start rebuilds a marked index. `check` compares the store and the index and reads their files
whole (the index against the checksums written at commit); `repair` mends what it found.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from . import paths
from .importing import exclusive
from . import index as text_index  # Whoosh is imported when the index is first used
from .models import counted
from .store import Store


class IndexDamaged(Exception):
    """A read of the index met damage (the message says what is done about it)."""


@dataclass
class CheckReport:
    """What `check` found: `problems`, one line each naming the file (none: all is well)."""

    papers: int = 0  # in the store
    indexed: int = 0  # documents in the index
    index_bytes: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # what `repair` did


class Checking:
    """Checks and repairs of the store and the index (a part of the Library)."""

    index_damage: str | None = None  # why the index must be rebuilt, met while reading
    repair_in_background = False  # the reader: a damaged index is rebuilt in a thread
    _rebuilding: threading.Thread | None = None

    @exclusive  # not while an import commits: its segments would come and go under it
    def check(self) -> CheckReport:
        """Whether the store's files read whole, the index's files are the ones written, and
        the index holds each paper of the store once (and no other)."""
        report = CheckReport(problems=list(self.store.problems()))
        ids = self.store.paper_ids()
        report.papers = len(ids)
        marked = self.index.damage()
        if marked:
            report.problems.append(f"index: marked for a rebuild ({marked})")
        try:
            report.index_bytes = self.index.size()
            report.problems += [f"index/{p}" for p in self.index.verify()]
            indexed = self.index.ids()
        except Exception as exc:  # Whoosh fails in many ways on damaged files
            report.problems.append(f"index: cannot be read ({text_index.describe(exc)})")
            return report
        report.indexed = len(indexed)
        found = set(indexed)
        missing, extra = ids - found, found - ids
        if missing:
            report.problems.append(f"index: lacks {len(missing):,} of the library's"
                                   f" {counted(len(ids), 'paper')} (e.g. {_some(missing)})")
        if extra:
            report.problems.append(f"index: has {counted(len(extra), 'paper')} the library does not"
                                   f" (e.g. {_some(extra)})")
        if len(indexed) > len(found):
            report.problems.append(f"index: has {counted(len(indexed) - len(found), 'document')} of"
                                   " papers it holds already")
        return report

    @exclusive
    def repair(self, progress: Callable[[int, int], None] | None = None) -> CheckReport:
        """Check, then mend: the store's damaged files as at start (moved aside, made anew,
        the user's data restored), the index rebuilt from the store; then check again."""
        found = self.check()
        done = []
        if any(p.startswith(("library.sqlite3", "user.sqlite3")) for p in found.problems):
            self.store.check_fully_at_next_open()
            self.store.close()
            self.store = Store(paths.store_path(self.root), backup=paths.backup_path(self.root))
            done.append(self.store.recovered or "the library's files were checked again")
        if any(p.startswith("index") for p in found.problems) or done:
            count = self.rebuild_index(progress)
            done.append(f"rebuilt the search index from the library ({counted(count, 'paper')})")
        after = self.check()
        after.repaired = done
        return after

    def _index_damaged(self, exc: BaseException) -> IndexDamaged:
        """A read met damage: mark the index for a rebuild (in the background in the
        reader); the error says what happens."""
        self.index_damage = text_index.describe(exc)
        self.index.mark_damaged(self.index_damage)
        if not self.repair_in_background:
            return IndexDamaged(f"the search index is damaged ({self.index_damage}); it is"
                                " rebuilt at the next start, or now by `tui-reader check"
                                " --repair`")
        if self._rebuilding is None or not self._rebuilding.is_alive():
            self._rebuilding = threading.Thread(target=self._rebuild_quietly, daemon=True,
                                                name="rebuild-index")
            self._rebuilding.start()
        return IndexDamaged(f"the search index is damaged ({self.index_damage}); it is being"
                            " rebuilt from the library: search finds more as it goes")

    def _rebuild_quietly(self) -> None:
        try:
            self.rebuild_index()
        except Exception:  # noqa: BLE001 - e.g. an import runs: the mark stays, a start does it
            return


def _some(ids: set[str], n: int = 3) -> str:
    return ", ".join(sorted(ids)[:n]) + (", ..." if len(ids) > n else "")
