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
