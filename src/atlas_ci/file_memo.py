"""Per-file memos: what a pure computation made of a file, remembered by the file's content.

Why: some of a run's work depends on nothing but one file's bytes and the code doing it
(quality.complexity's radon numbers, the line hashes of findings). After an edit, only the edited
files need it again. Each memo lives in its own directory (`<root>/<namespace>/<digest>.json`):
the namespace names the code and versions the values depend on, so a changed rule is a new
namespace and the old ones are removed when it is made. Entries are JSON written atomically; one
that cannot be read or fails the memo's shape check is a miss. At most `MAX_ENTRIES` are kept per
namespace (the oldest go first). Nothing here raises: a memo that cannot be used costs speed only.
`--no-cache` turns every memo off for its run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

MAX_ENTRIES = 20_000


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(path: str | Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def code_digest(*files: Path) -> str:
    """A digest of the source files whose rules make a memo's values."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Memo:
    """One memo directory: `root/<namespace>/<digest>.json`."""

    def __init__(self, root: Path, namespace: str, valid: Callable[[Any], bool]) -> None:
        self.root = root
        self.folder = root / namespace
        self._valid = valid

    def get(self, digest: str) -> Any | None:
        try:
            loaded = json.loads((self.folder / f"{digest}.json").read_bytes())
        except (OSError, ValueError):
            return None
        return loaded if self._valid(loaded) else None

    def put_all(self, entries: Mapping[str, Any]) -> None:
        if not entries:
            return
        with contextlib.suppress(OSError):
            if not self.folder.is_dir():
                self._drop_others()
                self.folder.mkdir(parents=True, exist_ok=True)
            for digest, value in entries.items():
                self._put(digest, value)
            self._trim()

    def _put(self, digest: str, value: Any) -> None:
        import tempfile  # writes only: a run reading its memos never needs it

        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".entry.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(value, out)
        os.replace(tmp, self.folder / f"{digest}.json")

    def _drop_others(self) -> None:
        import shutil  # a new namespace only

        if self.root.is_dir():
            for other in self.root.iterdir():
                if other.is_dir() and not other.is_symlink():
                    shutil.rmtree(other, ignore_errors=True)

    def _trim(self) -> None:
        names = os.listdir(self.folder)
        if len(names) <= MAX_ENTRIES:
            return
        entries = _by_age(self.folder / n for n in names)
        for old in entries[: len(entries) - MAX_ENTRIES]:
            old.unlink(missing_ok=True)


def _by_age(paths: Iterable[Path]) -> list[Path]:
    aged: list[tuple[float, Path]] = []
    for path in paths:
        with contextlib.suppress(OSError):
            aged.append((path.stat().st_mtime, path))
    return [p for _, p in sorted(aged)]
