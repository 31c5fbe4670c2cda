"""Advisory file locks between tui-reader processes (an import, a store repair, a backup).

A lock is held on an open file (flock on POSIX, msvcrt on Windows), so the operating system
releases it when its process dies, even by SIGKILL: a crash never leaves a stale lock behind.
The lock files themselves are never deleted (deleting a lock file another process holds would
let a third one take a "new" lock at the same time).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
    import msvcrt


class FileLock:
    """An exclusive lock on `path` (created 0600 when missing), not reentrant."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, waiting up to `timeout` seconds; False when another process has it."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already locked by this object")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            if _try_lock(fd):
                self._fd = fd
                return True
            if time.monotonic() >= deadline:
                os.close(fd)
                return False
            time.sleep(0.05)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "FileLock":
        self.acquire(timeout=float("inf"))
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def is_locked(path: str | Path) -> bool:
    """Whether another process (or another FileLock of this one) holds the lock on `path`."""
    if not Path(path).exists():
        return False
    lock = FileLock(path)
    if lock.acquire():
        lock.release()
        return False
    return True


def wait_unlocked(path: str | Path, timeout: float) -> bool:
    """Wait up to `timeout` seconds until no process holds the lock on `path`; False when one
    still does."""
    deadline = time.monotonic() + timeout
    while is_locked(path):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
