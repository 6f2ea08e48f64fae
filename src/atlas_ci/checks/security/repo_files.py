"""The repository's files as git sees them (tracked + untracked-not-ignored), else a tree walk."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from atlas_ci import process
from atlas_ci.errors import ToolNotFoundError

# Pruned when the repository is not under git (no .gitignore to say what is build output).
WALK_SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        "node_modules",
    }
)
GIT_TIMEOUT = 120.0


def list_files(root: Path, timeout: float = GIT_TIMEOUT) -> list[str]:
    """Repository-relative POSIX paths of regular files; git's view when root is in a work tree."""
    names = git_files(root, timeout)
    if names is None:
        names = walk_files(root)
    return sorted({n for n in names if (root / n).is_file()})


def git_files(root: Path, timeout: float) -> list[str] | None:
    """None when git is missing or root is not inside a git work tree."""
    argv = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        res = process.run(argv, cwd=root, timeout=timeout)
    except ToolNotFoundError:
        return None
    if res.returncode != 0 or res.timed_out:
        return None
    return [name for name in res.stdout.split("\0") if name]


def walk_files(root: Path) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in WALK_SKIP_DIRS]
        base = Path(dirpath).relative_to(root)
        found.extend((base / f).as_posix() for f in filenames)
    return found


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """A glob match on the relative path, or the path lies under a listed directory."""
    for pattern in patterns:
        stem = pattern.rstrip("/")
        if fnmatch.fnmatchcase(path, stem) or path.startswith(stem + "/"):
            return True
    return False


def select(paths: Sequence[str], patterns: Sequence[str]) -> list[str]:
    return [p for p in paths if not excluded(p, patterns)]


def inside(path: Path, root: Path) -> str | None:
    """`path` relative to root (POSIX), or None when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
