"""Make the README's screenshots: `python -m tui_reader.app.screenshot docs/screenshot.svg`
(120x40) and `python -m tui_reader.app.screenshot docs/screenshot-80x24.svg 80x24`.

A library in a temporary folder imports the bundled sample dumps; the reader runs headless at
the size given with a saved search, a bookmark and a note, searches, and saves an SVG of the
screen.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

SIZE = (120, 40)


async def _settle(pilot) -> None:
    from textual.worker import WorkerCancelled

    quiet = 0
    for _ in range(50):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if not w.is_finished]
        if not busy:
            quiet += 1
            if quiet >= 2:
                return
            continue
        quiet = 0
        try:
            await pilot.app.workers.wait_for_complete(busy)
        except WorkerCancelled:
            pass


async def make_screenshot(target: Path, size: tuple[int, int] = SIZE) -> Path:
    from ..library import Library
    from .app import ReaderApp

    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Path(tmp) / "data")
        try:
            library.import_samples_if_new()
            library.save_search("agents", "agent*", "relevance")
            library.save_search("diffusion", "diffusion", "date")
            first = library.search("reasoning", limit=3).hits
            library.bookmark(first[1].paper.id)
            library.note(first[0].paper.id, "Compare with **RLVR** results; *read section 4*.")
            app = ReaderApp(library, debounce=0, read_delay=None, similar_delay=0)
            async with app.run_test(size=size) as pilot:
                await _settle(pilot)
                await pilot.press("slash", *"reasoning", "enter")
                await _settle(pilot)
                target.parent.mkdir(parents=True, exist_ok=True)
                app.save_screenshot(filename=target.name, path=str(target.parent))
        finally:
            library.close()
    return target


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "docs/screenshot.svg")
    try:
        width, height = (int(n) for n in argv[2].split("x")) if len(argv) > 2 else SIZE
    except ValueError:
        print(f"not a size: {argv[2]} (try 80x24)", file=sys.stderr)
        return 2
    print(asyncio.run(make_screenshot(target, (width, height))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
