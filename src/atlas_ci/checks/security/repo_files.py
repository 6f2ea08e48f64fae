"""The repository's files for the security and deploy checks: the one file set of fileset.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from atlas_ci import fileset

GIT_TIMEOUT = fileset.GIT_TIMEOUT


def list_files(root: Path, timeout: float = GIT_TIMEOUT) -> list[str]:
    """Tracked plus untracked-not-ignored files, never inside venvs, node_modules or caches."""
    return fileset.repository_files(root, timeout)


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """`exclude` as every check means it: gitignore-style patterns (see fileset.py)."""
    return fileset.excluded(path, patterns)


def select(paths: Sequence[str], patterns: Sequence[str]) -> list[str]:
    return fileset.select(paths, patterns)


def inside(path: Path, root: Path) -> str | None:
    """`path` relative to root (POSIX), or None when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
