"""The Textual reader (DESIGN.md section 5); `run_app(library)` opens it."""

from __future__ import annotations


def run_app(library) -> None:
    """Open the reader on a Library until the user quits."""
    from .app import ReaderApp

    ReaderApp(library).run()
