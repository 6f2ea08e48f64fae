"""Line hashes remembered by file content, so unchanged files are not hashed again.

Why: a finding's line hash reads its file from the start up to the finding's line, one step per
character in Python (about 0.5 s per MB); a codebase with thousands of findings spent over a
second of every run there although those files had not changed. An entry holds a file's hashes
up to the last line hashed, keyed by the SHA-256 of its bytes (file_memo.py); the namespace is
the digest of linehash.py, the code that makes them.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from atlas_ci import file_memo, linehash

DIRECTORY = ".atlas-ci/cache/linehash"


def _valid(loaded: Any) -> bool:
    if not isinstance(loaded, dict) or not isinstance(loaded.get("hashes"), dict):
        return False
    upto = loaded.get("upto")
    return upto is None or isinstance(upto, int)


class HashMemo:
    """One run's use of the memo: shared by the checks' threads, saved after each batch."""

    def __init__(self, root: Path) -> None:
        code = file_memo.code_digest(Path(linehash.__file__))[:32]
        self._memo = file_memo.Memo(root / DIRECTORY, code, _valid)
        self._fresh: dict[str, Any] = {}
        self._lock = threading.Lock()

    def hashes(self, path: Path, upto: int) -> dict[int, str] | None:
        data = linehash.readable(path)
        if data is None:
            return None
        digest = file_memo.sha256_of(data)
        known = self._recalled(digest, upto)
        if known is not None:
            return known
        found = linehash.line_hashes(linehash.decoded(data), upto)
        with self._lock:
            self._fresh[digest] = {"upto": upto, "hashes": {str(k): v for k, v in found.items()}}
        return found

    def _recalled(self, digest: str, upto: int) -> dict[int, str] | None:
        """The remembered hashes up to `upto`, if the entry reaches that far and is whole."""
        known = self._memo.get(digest)
        if known is None or (known["upto"] is not None and known["upto"] < upto):
            return None
        try:
            lines = [(int(k), str(v)) for k, v in known["hashes"].items()]
        except ValueError:
            return None  # a damaged entry: hashed again
        # Hashes up to a line are the whole file's, cut there (linehash.line_hashes).
        return {k: v for k, v in lines if k <= upto}

    def save(self) -> None:
        with self._lock:
            fresh, self._fresh = self._fresh, {}
        self._memo.put_all(fresh)
