"""Walking the repository's files the way every check should: never into environments or caches.

A directory holding `pyvenv.cfg` is a virtual environment whatever its name; node_modules, build
output and tool caches hold nobody's source either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

PRUNED = frozenset(
    {
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        "site-packages",
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
    }
)


def pruned(parent: Path, name: str) -> bool:
    """Is `parent/name` a directory no check looks into?"""
    return name in PRUNED or name.endswith(".egg-info") or (parent / name / "pyvenv.cfg").exists()


def walk(top: Path, *, hidden: bool = False) -> Iterator[Path]:
    """Every file under `top`, outside pruned directories (and hidden ones unless `hidden`)."""
    for folder, dirs, files in os.walk(top):
        here = Path(folder)
        dirs[:] = [d for d in dirs if (hidden or not d.startswith(".")) and not pruned(here, d)]
        for name in files:
            yield here / name
