"""radon_pass's per-file memo: a file whose content was measured before is not parsed again.

Why: like ruff's and mypy's own caches, this is the tool's cache, not atlas-ci's result cache.
The result cache serves a whole check when no input changed; after an edit every quality check
runs again, and without this the complexity pass would parse and walk every unchanged file too
(the most expensive step of the quality gate on a large tree).

An entry is what radon_pass computed for one file: its `radon cc` and `radon mi` entries, keyed
by the SHA-256 of the file's bytes, under a namespace naming everything else they depend on
(`radon mi`'s multi-line-string option, the Python version that parsed it, radon's version, and the
source of the modules that compute the numbers — a changed rule is a new namespace). Entries
are JSON files, written atomically; one that cannot be read or has the wrong shape is a miss.
At most `MAX_ENTRIES` per namespace are kept (the oldest go first) and other namespaces are
removed when a new one is made. Nothing here can raise: a memo that cannot be used costs only
speed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

MAX_ENTRIES = 20_000
_RULES = ("fast_cc.py", "fast_mi.py", "fast_raw.py", "radon_pass.py", "radon_memo.py")

Pair = tuple[Any, Any]


def namespace(multi: bool) -> str:
    import radon

    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _RULES:
        digest.update((here / name).read_bytes())
    facts = [str(multi), sys.version, str(radon.__version__), digest.hexdigest()]
    return hashlib.sha256("\0".join(facts).encode()).hexdigest()[:32]


def digest_of(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _valid(loaded: object) -> bool:
    if not (isinstance(loaded, list) and len(loaded) == 2):
        return False
    cc, mi = loaded
    return isinstance(cc, (list, dict)) and isinstance(mi, dict)


class Memo:
    """One run's use of the memo directory (`root/<namespace>/<digest>.json`)."""

    def __init__(self, root: Path, multi: bool) -> None:
        self.folder = root / namespace(multi)
        self.root = root

    def get(self, digest: str) -> Pair | None:
        try:
            loaded = json.loads((self.folder / f"{digest}.json").read_bytes())
        except (OSError, ValueError):
            return None
        return (loaded[0], loaded[1]) if _valid(loaded) else None

    def put_all(self, entries: Mapping[str, Pair]) -> None:
        if not entries:
            return
        with contextlib.suppress(OSError):
            if not self.folder.is_dir():
                self._drop_others()
                self.folder.mkdir(parents=True, exist_ok=True)
            for digest, pair in entries.items():
                self._put(digest, pair)
            self._trim()

    def _put(self, digest: str, pair: Pair) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".entry.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(list(pair), out)
        os.replace(tmp, self.folder / f"{digest}.json")

    def _drop_others(self) -> None:
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
