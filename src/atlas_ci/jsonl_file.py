"""Whole lines appended to a JSON-lines file under an exclusive lock, symlinks refused.

Why a module of its own: the run history (history.py) and the instant replay (replay.py, which
appends the history line of a replayed run before anything heavy is imported) write the same
file the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock shared by appends and rewrites (a lock file beside the history, so a
    rewrite's rename cannot strand an append waiting on the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def append(path: Path, data: bytes) -> None:
    """Append `data` (whole lines) under the lock; a symlink at `path` is refused, not followed."""
    if not data:
        return
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    with locked(path):
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
