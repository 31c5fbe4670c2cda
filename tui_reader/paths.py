"""Where tui-reader keeps its data: --data-dir, else $TUI_READER_DATA_DIR, else platformdirs."""

from __future__ import annotations

import os
import stat
from importlib import resources
from pathlib import Path

import platformdirs

ENV_VAR = "TUI_READER_DATA_DIR"


class DataDirError(Exception):
    """The data dir cannot be made or used (the message says why, for the user)."""


PRIVATE_UMASK = 0o077  # files 0600, folders 0700
# The names tui-reader gives what it keeps in a data dir (the store's files with their WAL,
# lock, stamp and damaged copies; the index and pasted pages are folders)
_OURS = ("library.sqlite3", "user.sqlite3", "user-backup.json", "import.lock",
         "store-repair.log", "index", "pasted")


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory, created readable by its owner only (0700, whatever the umask).

    Everything made from then on by this process and the processes it starts (the index's
    writers, Whoosh's files) is its owner's only: the process's umask becomes PRIVATE_UMASK
    (so are exports). An existing folder keeps its permissions; what tui-reader keeps in it
    that an older version or a copy left open to others is tightened.
    """
    os.umask(PRIVATE_UMASK)
    chosen = explicit or os.environ.get(ENV_VAR) or platformdirs.user_data_dir("tui-reader")
    path = Path(chosen).expanduser()
    if path.is_dir():
        _tighten(path)
        return path
    if path.exists() or path.is_symlink():
        raise DataDirError(f"the data dir {path} is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)  # missing parents 0700 too
        os.chmod(path, 0o700)
    except OSError as exc:
        raise DataDirError(f"cannot create the data dir {path}: {exc.strerror or exc}") from exc
    return path


def _tighten(root: Path) -> None:
    """Files 0600 and folders 0700 of what tui-reader keeps in `root` (one level into its
    folders), where more was allowed; anything else there is left alone, and so is all of
    it where it cannot be changed (a read-only library)."""
    try:
        with os.scandir(root) as entries:
            ours = [e for e in entries if e.name.startswith(_OURS)]
        for entry in ours:
            if _private(entry) and entry.name in ("index", "pasted"):
                with os.scandir(entry.path) as inside:
                    for item in inside:
                        _private(item)
    except OSError:
        return


def _private(entry: os.DirEntry) -> bool:
    """Take group, other and execute rights off a file (0600), group and other rights off
    a folder (0700); True when `entry` is a folder. Symlinks are left alone."""
    mode = entry.stat(follow_symlinks=False).st_mode
    folder = stat.S_ISDIR(mode)
    if not (folder or stat.S_ISREG(mode)):
        return False
    allowed = 0o700 if folder else 0o600
    if stat.S_IMODE(mode) & ~allowed:
        os.chmod(entry.path, stat.S_IMODE(mode) & allowed)
    return folder


def writable(root: Path) -> bool:
    """Whether this process can change the library in `root`: the folder and the store's
    files there can be written (not on a read-only mount, a CD, another user's files)."""
    files = [root / name for name in ("library.sqlite3", "user.sqlite3")]
    return all(os.access(p, os.W_OK) for p in [root, *files] if p == root or p.exists())


def store_path(root: Path) -> Path:
    return root / "library.sqlite3"


def backup_path(root: Path) -> Path:
    """The copy of the user's data (bookmarks, notes, saved searches, read state, settings)."""
    return root / "user-backup.json"


def import_lock_path(root: Path) -> Path:
    """Held by the process that imports or rebuilds the index (one at a time)."""
    return root / "import.lock"


def index_path(root: Path) -> Path:
    return root / "index"


def sample_dumps() -> Path:
    """The bundled sample dumps: inside the installed package, or beside it in a checkout."""
    packaged = Path(str(resources.files("tui_reader"))) / "sample_dumps"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sample_dumps"
