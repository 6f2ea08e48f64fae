"""Project-exclude matching for the quality checks (run guards live in checks/toolkit.py)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from atlas_ci.model import Finding


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """Does a repo-relative path fall under one of the project's `exclude` patterns?

    Same reading as ruff's exclude: a pattern with a slash is anchored at the root and matches the
    path or one of its parent directories; a pattern without one matches any single component.
    """
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        pattern = raw.removeprefix("./").rstrip("/")
        candidates = prefixes if "/" in pattern else parts
        if pattern and any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            return True
    return False


def keep_included(findings: Iterable[Finding], patterns: Sequence[str]) -> list[Finding]:
    """Drop findings in excluded files, for tools whose own exclusion cannot be set without
    overriding the project's config."""
    if not patterns:
        return list(findings)
    return [f for f in findings if f.location is None or not excluded(f.location.path, patterns)]
