"""Where tui-reader keeps its data: --data-dir, else $TUI_READER_DATA_DIR, else platformdirs."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

ENV_VAR = "TUI_READER_DATA_DIR"


def data_dir(explicit: str | Path | None = None) -> Path:
    """The data directory, created readable by its owner only."""
    chosen = explicit or os.environ.get(ENV_VAR) or platformdirs.user_data_dir("tui-reader")
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def store_path(root: Path) -> Path:
    return root / "library.sqlite3"


def index_path(root: Path) -> Path:
    return root / "index"


def sample_dumps() -> Path:
    """The bundled sample dumps: inside the installed package, or beside it in a checkout."""
    packaged = Path(str(resources.files("tui_reader"))) / "sample_dumps"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "sample_dumps"
