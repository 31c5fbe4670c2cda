"""The reader's threads share one malloc arena (tui_reader/app/memory.py), seen in glibc's
own account of its heaps (malloc_info), in a fresh interpreter."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

# Four threads allocate blocks malloc serves from an arena (above pymalloc's 512 bytes, below
# the 128 KB from which it maps memory) and keep them while glibc describes its heaps.
PROGRAM = """
import ctypes, ctypes.util, sys, tempfile, threading
from tui_reader.app.memory import one_malloc_arena
if sys.argv[1] == "one":
    assert one_malloc_arena()
held, ready, done = [], threading.Barrier(5), threading.Event()
def allocate():
    held.append([bytearray(50_000) for _ in range(20)])
    ready.wait(); done.wait()
threads = [threading.Thread(target=allocate) for _ in range(4)]
for t in threads: t.start()
ready.wait()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile("r") as out:
    f = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(f)); libc.fclose(ctypes.c_void_p(f))
    print(out.read().count("<heap nr="))
done.set()
for t in threads: t.join()
"""


def _heaps(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True,
                          text=True, check=True)
    return int(done.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc",
                    reason="arenas and malloc_info are glibc's; elsewhere the reader leaves"
                           " malloc as it is (the test below)")
def test_the_readers_threads_allocate_from_one_arena():
    assert _heaps("default") > 1  # each thread its own arena: what the reader no longer does
    assert _heaps("one") == 1


def test_outside_glibc_the_reader_leaves_malloc_as_it_is(monkeypatch):
    """Another C library (musl, macOS) has no mallopt to call: nothing is asked of it."""
    from tui_reader.app import memory
    monkeypatch.setattr(memory.platform, "libc_ver", lambda: ("", ""))
    monkeypatch.setattr(memory.ctypes, "CDLL", lambda *a, **k: pytest.fail("libc was loaded"))
    assert memory.one_malloc_arena() is False


# The real reader started on a library under Pilot, as tui-reader runs it or as tests do;
# once its start is done, what a full collection walks and whether the screen is in it.
STARTED = """
import asyncio, gc, json, sys
sys.path.insert(0, sys.argv[3])
from conftest import settle, until
from tui_reader.app.app import ReaderApp
from tui_reader.library import Library

async def main():
    app = ReaderApp(Library(sys.argv[1]), import_samples=False,
                    freeze_start=sys.argv[2] == "freeze")
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.main_screen.papers.listing is not None)
        await settle(pilot)
        walked = gc.get_objects()
        print(json.dumps({"frozen": gc.get_freeze_count(), "walked": len(walked),
                          "screen_walked": any(o is app.main_screen for o in walked)}))

asyncio.run(main())
"""


def _started(data_dir, mode: str) -> dict:
    import json
    from pathlib import Path
    done = subprocess.run([sys.executable, "-c", STARTED, str(data_dir), mode,
                           str(Path(__file__).parent)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_what_the_readers_start_built_is_left_out_of_the_collectors_walks(sample_lib, data_dir):
    """tui-reader's start ends by freezing what it built (gc.freeze): a full collection while
    the user types walks what was made since, not the modules, widgets and index readers."""
    sample_lib.close()
    frozen = _started(data_dir, "freeze")
    assert not frozen["screen_walked"]
    assert frozen["frozen"] > 4 * frozen["walked"], frozen
    # A process that runs many readers (the tests) does not freeze them: it would keep them all
    default = _started(data_dir, "default")
    assert default["frozen"] == 0 and default["screen_walked"], default
