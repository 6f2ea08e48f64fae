"""Line hashes remembered by file content, so unchanged files are not hashed again.

Why: a finding's line hash reads its file from the start up to the finding's line, one step per
character in Python (about 0.5 s per MB); a codebase with thousands of findings spent over a
second of every run there although those files had not changed. An entry holds the hashes of
a whole file (a list, line n at index n-1), keyed by the SHA-256 of its bytes (file_memo.py);
the namespace is the digest of linehash.py and of this module, the code that makes and keeps
them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from atlas_ci import file_memo, linehash

DIRECTORY = ".atlas-ci/cache/linehash"


def _valid(loaded: Any) -> bool:
    return isinstance(loaded, list) and all(v is None or isinstance(v, str) for v in loaded)


class Lines(Mapping[int, str]):
    """A file's line hashes as the memo keeps them, a list (line n at index n-1), read up to
    `upto`: a lookup costs no conversion of the thousands of lines nobody asked for."""

    __slots__ = ("_count", "_items", "_upto")

    def __init__(self, items: Sequence[str | None], upto: int | None) -> None:
        self._items = items
        self._upto = len(items) if upto is None else min(upto, len(items))
        self._count: int | None = None

    def __getitem__(self, line: int) -> str:
        if 1 <= line <= self._upto:
            value = self._items[line - 1]
            if value is not None:
                return value
        raise KeyError(line)

    def __iter__(self) -> Iterator[int]:
        return (i + 1 for i in range(self._upto) if self._items[i] is not None)

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for _ in self)
        return self._count


class HashMemo:
    """One run's use of the memo: shared by the checks' threads, saved after each batch. An
    entry read (or computed) once serves every check of the run that needs its file."""

    def __init__(self, root: Path) -> None:
        here = Path(__file__)
        code = file_memo.code_digest(Path(linehash.__file__), here)[:32]
        self._memo = file_memo.Memo(root / DIRECTORY, code, _valid)
        self._fresh: dict[str, list[str | None]] = {}
        self._read: dict[str, list[str | None]] = {}
        self._busy: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def hashes(self, path: Path, upto: int) -> Mapping[int, str] | None:
        data = linehash.readable(path)
        if data is None:
            return None
        digest = file_memo.sha256_of(data)
        with self._computing(digest):
            known = self._recalled(digest)
            if known is not None:
                return Lines(known, upto)
            # A miss hashes the whole file once: every check with findings in it reads that,
            # where hashing up to each one's last finding would go over the file again.
            found = linehash.line_hashes(linehash.decoded(data))
            items = [found.get(n) for n in range(1, max(found, default=0) + 1)]
            with self._lock:
                self._read[digest] = self._fresh[digest] = items
        return Lines(items, upto)

    def _computing(self, digest: str) -> threading.Lock:
        """The lock of one file's bytes: two checks needing them wait for one computation."""
        with self._lock:
            return self._busy.setdefault(digest, threading.Lock())

    def _recalled(self, digest: str) -> list[str | None] | None:
        """The entry of these bytes: read from the memo once per run, then kept."""
        with self._lock:
            known = self._read.get(digest)
        if known is not None:
            return known
        loaded = self._memo.get(digest)
        if loaded is None:
            return None
        with self._lock:
            return self._read.setdefault(digest, loaded)

    def save(self) -> None:
        with self._lock:
            fresh, self._fresh = self._fresh, {}
        self._memo.put_all(fresh)
