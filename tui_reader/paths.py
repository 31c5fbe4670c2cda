"""Where tui-reader keeps its data: --data-dir, else $TUI_READER_DATA_DIR, else platformdirs."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

ENV_VAR = "TUI_READER_DATA_DIR"


class DataDirError(Exception):
    """The data dir cannot be made or used (the message says why, for the user)."""


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory, created readable by its owner only (0700, whatever the umask).

    An existing folder keeps its permissions (the files tui-reader creates in it are 0600).
    """
    chosen = explicit or os.environ.get(ENV_VAR) or platformdirs.user_data_dir("tui-reader")
    path = Path(chosen).expanduser()
    if path.is_dir():
        return path
    if path.exists() or path.is_symlink():
        raise DataDirError(f"the data dir {path} is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
    except OSError as exc:
        raise DataDirError(f"cannot create the data dir {path}: {exc.strerror or exc}") from exc
    return path


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
