"""The reader's memory: one malloc arena for all its threads (glibc), and what its start built
kept out of the garbage collector's walks.

glibc gives each thread that allocates its own arena of memory, and an arena keeps what was
freed in it for reuse rather than giving it back. The reader searches in worker threads,
each search allocating arrays of a few megabytes at a million papers, so each worker's arena
holds tens of megabytes after a while. With one arena the threads reuse the same freed
memory (the interpreter's lock lets one allocate at a time anyway): at a million papers, the
reader's peak RSS after typing 181 keys fell from 393 to 294 MB, the keystrokes no slower.

Python's cycle collector walks every object it tracks in a full collection, which comes every
few searches while the user types. What the start built (the modules, the widgets, the index's
readers: about 100,000 objects) lives as long as the reader, and walking it took 60-160 ms at
a million papers, holding the interpreter's lock while a key waited. Once the start is done,
`freeze_survivors` moves it out of the walks (gc.freeze), as long-running Python servers do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import platform

M_ARENA_MAX = -8  # glibc's malloc.h


def one_malloc_arena() -> bool:
    """Ask glibc to give every thread started from now on the main arena; whether it could
    (False: not glibc, or it refused)."""
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, 1))
    except (OSError, AttributeError):
        return False


def freeze_survivors() -> None:
    """Collect, then leave every object alive now out of future collections (gc.freeze). For
    a process that keeps them to its end: frozen objects that become garbage in a cycle are
    never collected."""
    gc.collect()
    gc.freeze()
