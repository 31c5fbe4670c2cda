"""Checks of the store's files at start, and their repair: a damaged file is moved aside and
made anew. The papers' file is a cache of the dumps (the next import fills it again); the
user's data of a damaged user file is restored from what still reads in it and from the
backup. The notice is one sentence; what SQLite said goes to REPAIR_LOG in the data dir."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from ..models import counted
from .backup import Backups, UserCopy, counts_text
from .errors import StoreCorrupt, StoreError
from .schema import USER_TABLES, row_key

DEEP_CHECK_MAX_BYTES = 32 << 20  # the papers' file is checked at every start below this size
DEEP_CHECK_EVERY = 24 * 3600  # ... and by the reader once a day above it (the user's: always)
REPAIR_LOG = "store-repair.log"
_PER_TABLE_CHECK = sqlite3.sqlite_version_info >= (3, 33, 0)


class Repairs(Backups):
    """quick_check at start; the repair of a damaged store file."""

    def __init__(self, path: Path, backup: Path | None = None):
        super().__init__(path, backup)
        self._repairs: list[tuple[StoreCorrupt, Path, Path, UserCopy]] = []
        self.deep_check_later = False  # a big papers' file's daily check: by `deep_check`
        self._deep_check_due = False

    def explain(self, exc: sqlite3.DatabaseError) -> Exception:
        """As Database.explain; damage makes the next start check the whole file."""
        error = super().explain(exc)
        if isinstance(error, StoreCorrupt):
            self._check_at_next_start()
        return error

    def _check(self) -> None:
        """quick_check of the user's file, and of the papers' file when it is small or was
        never checked whole (a new library, or a query met a damaged page): StoreCorrupt when
        one fails. A big papers' file's daily check is the reader's, after its first screen
        (`deep_check_later`), and `tui-reader check`'s; a command does not wait for it (five
        minutes at a million papers, from a disk)."""
        rows = [r[0] for r in self.db.execute("PRAGMA user.quick_check").fetchall()]
        if rows != ["ok"]:
            raise _check_failed(self.user_path, rows)
        stamp = self._stamp_path()
        try:
            age = time.time() - stamp.stat().st_mtime
        except OSError:
            age = float("inf")
        if self.path.stat().st_size >= DEEP_CHECK_MAX_BYTES \
                and (self.deep_check_later or age != float("inf")):
            self._deep_check_due = self.deep_check_later and age > DEEP_CHECK_EVERY
            return
        rows = [r[0] for r in self.db.execute("PRAGMA main.quick_check").fetchall()]
        if rows != ["ok"]:
            self._check_at_next_start()
            raise _check_failed(self.path, rows)
        try:
            stamp.touch()
        except OSError:
            pass

    def deep_check(self) -> str | None:
        """The daily whole-file check of a big papers' file that the open left for later
        (`deep_check_later`: the reader does it once its first screen is shown, as it takes
        seconds at a million papers); a sentence for the user when the file is damaged (the
        next start repairs it), else None."""
        if not self._deep_check_due:
            return None
        self._deep_check_due = False
        rows = [r[0] for r in self.db.execute("PRAGMA main.quick_check").fetchall()]
        if rows != ["ok"]:
            self._check_at_next_start()
            return f"{_check_failed(self.path, rows)}: start tui-reader again to repair it"
        try:
            self._stamp_path().touch()
        except OSError:
            pass
        return None

    def _stamp_path(self) -> Path:
        """Its modification time is the last whole-file check; missing: check at next start."""
        return self.path.with_name(self.path.name + ".checked")

    def _check_at_next_start(self) -> None:
        """Make the next start check the whole papers' file (not here: a read-only store)."""
        try:
            self._stamp_path().unlink(missing_ok=True)
        except OSError:
            pass

    def _recover(self, damage: StoreCorrupt) -> None:
        """Move the damaged file aside (the one `damage` names, else the one that fails a
        check) and keep what still reads of the user's data in it; `_restore` finishes."""
        self._close_connections()
        path = damage.path or _damaged_file(self.user_path, self.path)
        aside = _move_aside(path, damage)
        self._repairs.append((damage, path, aside, _salvage(aside)))

    def _restore(self, new_user_file: bool) -> None:
        """After the store opened: the user's data back from the repaired files and the
        backup, or from the backup when it is newer; `recovered` says what was done."""
        said = []
        salvaged = UserCopy(None, {})
        for damage, path, aside, found in self._repairs:
            if path == self.path:
                said.append(f"the library file {path.name} was damaged ({damage.reason}): it"
                            f" was moved to {aside.name} and a new one was made; import your"
                            " dump files again to get the papers back")
            if found.tables:  # the user file's, or a library of one file's
                salvaged = found
        user_repair = next((r for r in self._repairs if r[1] == self.user_path), None)
        if user_repair or salvaged.tables:
            backup = self.read_backup()
            data = _newest(salvaged, backup)
            self._put_user_data(data)
            self.write_backup(locked=True)
            origin = " and ".join(o for o, ok in (("the damaged file", bool(salvaged.tables)),
                                                   ("the backup", backup is not None)) if ok)
            damaged = (f"the user data file {self.user_path.name} was damaged"
                       f" ({user_repair[0].reason}): it was moved to {user_repair[2].name};"
                       if user_repair else "")
            said.append(f"{damaged} restored {counts_text(data.tables)}"
                        f" from {origin or 'nothing (no backup was found)'}".strip())
        else:
            said.append(self._catch_up(new_user_file))
            lost = self._papers_file_new and not new_user_file and not self._repairs
            if lost:
                said.append(f"the library file {self.path.name} was missing or empty: a new"
                            " one was made; import your dump files again to get the papers"
                            " back")
            if self._repairs or lost:
                said.append(f"your {counts_text(self.user_data().tables)} are kept")
        said = [s for s in said if s]
        if not said:
            return
        self.recovered = "; ".join(said)
        if self._repairs:
            log = self.path.with_name(REPAIR_LOG)
            self.recovered += f" (details in {log.name})"
            _log(log, "\n".join(f"{damage}\n{damage.details}\nmoved to {aside}"
                                for damage, _, aside, _ in self._repairs)
                 + f"\n{self.recovered}")


def _damaged_file(*paths: Path) -> Path:
    """The first of `paths` that is not a readable database (else the last: the papers'
    file, the one that can be made again)."""
    for path in paths:
        try:
            conn = sqlite3.connect(path, timeout=5)
            try:
                if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                    return path
            finally:
                conn.close()
        except sqlite3.Error:
            return path
    return paths[-1]


def _move_aside(path: Path, damage: StoreCorrupt) -> Path:
    """Rename a damaged file (and its WAL files) to `NAME.corrupt-TIME`; returns the name."""
    when = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{when}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{when}-{n}")
    try:
        for suffix in ("", "-wal", "-shm"):
            src = Path(f"{path}{suffix}")
            if src.exists():
                os.replace(src, f"{aside}{suffix}")
    except OSError as exc:
        raise StoreError(f"{damage}; it cannot be moved aside ({exc.strerror or exc})") from exc
    return aside


def _check_failed(path: Path, rows: list[str]) -> StoreCorrupt:
    """The StoreCorrupt of a quick_check that answered `rows`: its first problem in the
    message, all of them in its details."""
    problems = [line for row in rows for line in str(row).splitlines()
                if line.strip() and not line.startswith("*** in database")]
    first = problems[0] if problems else "no answer to quick_check"
    more = f" and {counted(len(problems) - 1, 'more problem')}" if len(problems) > 1 else ""
    return StoreCorrupt(f"the library file {path} is damaged ({first}{more})",
                        reason=f"{first}{more}", details="\n".join(problems))


def _log(path: Path, text: str) -> None:
    """Append an entry to the repair log (best effort: the repair does not depend on it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n{text}\n\n")
    except OSError:
        pass


def _salvage(path: Path) -> UserCopy:
    """The user's tables of a damaged store that still pass quick_check (best effort), and
    its generation when that still reads (else None)."""
    found = UserCopy(None, {})
    if not _PER_TABLE_CHECK:
        return found
    try:
        conn = sqlite3.connect(path, timeout=1)
    except sqlite3.Error:
        return found
    try:
        for table, columns in {**USER_TABLES, "user_generation": ("generation",)}.items():
            try:
                if [tuple(r) for r in conn.execute(f"PRAGMA quick_check({table})")] != [("ok",)]:
                    continue
                rows = [tuple(r) for r in conn.execute(
                    f"SELECT {', '.join(columns)} FROM {table}")]
            except sqlite3.Error:
                continue
            if table == "user_generation":
                found = found._replace(generation=rows[0][0] if rows else 0)
            else:
                found.tables[table] = rows
    finally:
        conn.close()
    return found


def _newest(salvaged: UserCopy, backup: UserCopy | None) -> UserCopy:
    """The user's data to restore, table by table: the newer of the damaged file's and the
    backup's where both generations are known; else both, the damaged file's rows first."""
    if backup is None:
        return UserCopy(salvaged.generation or 0, salvaged.tables)
    known = salvaged.generation is not None and backup.generation is not None
    data: dict[str, list[tuple]] = {}
    for table in USER_TABLES:
        mine, theirs = salvaged.tables.get(table), backup.tables.get(table, [])
        if mine is None:
            data[table] = theirs
        elif known:
            data[table] = mine if salvaged.generation >= backup.generation else theirs
        else:
            rows = {row_key(table, r): r for r in theirs}
            rows.update({row_key(table, r): r for r in mine})
            data[table] = list(rows.values())
    return UserCopy(max(salvaged.generation or 0, backup.generation or 0), data)
