"""The Textual reader (README "The reader"); `run_app(library)` opens it."""

from __future__ import annotations


def run_app(library) -> None:
    """Open the reader on a Library until the user quits."""
    import sys

    from .app import ReaderApp
    from .memory import one_malloc_arena

    one_malloc_arena()  # before the workers' threads start
    app = ReaderApp(library, freeze_start=True)
    app.run()
    for path in app.rescued_notes:
        print(f"tui-reader: a note could not be saved in the library; it is in {path}",
              file=sys.stderr)
