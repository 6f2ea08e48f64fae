"""What a cached result cannot bring back by itself: the secret values its run fed the redaction.

security.secrets and security.bandit remember the secret values they meet (`redact.remember`), so
no other check's output can show them. A result served from the cache ran no scan, so it would
remember nothing: the cache keeps, beside the result, where those values are (file, line, kind and
detect-secrets' SHA-1 of the value: what a committed `.secrets.baseline` holds too, never a
value), and serving the result has the check read them again from the files, which the cache key
proves unchanged. A check opts in with `replay(root, result, notes)`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from atlas_ci.model import CheckResult

Note = Mapping[str, Any]

_local = threading.local()


def note(*notes: Note) -> None:
    """Keep these notes with the result the running check returns (a no-op outside a run)."""
    current: list[Note] | None = getattr(_local, "notes", None)
    if current is not None:
        current.extend(dict(n) for n in notes)


@contextmanager
def recording() -> Iterator[list[Note]]:
    """The notes the check run in this thread makes (each check runs in one thread)."""
    notes: list[Note] = []
    _local.notes = notes
    try:
        yield notes
    finally:
        _local.notes = None


def served(check: object, root: Path, result: CheckResult, notes: tuple[Note, ...]) -> None:
    """Let a check whose result came from the cache feed the redaction again."""
    replay = getattr(check, "replay", None)
    if callable(replay):
        replay(root, result, notes)
