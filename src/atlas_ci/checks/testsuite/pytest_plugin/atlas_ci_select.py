"""pytest plugin atlas-ci loads (`-p atlas_ci_select`) to run one test category and nothing else.

It runs inside the project's own pytest, so it imports nothing from atlas-ci. The selection rule:
a test carrying one or more categories' markers belongs to exactly those categories; an unmarked
test belongs to the category whose path contains it most specifically (longest path).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

OPTION = "--atlas-ci-select"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION, default=None, help="(atlas-ci) JSON: the category to run and all categories"
    )


def owners(relpath: str | None, markers: Iterable[str], categories: Mapping[str, Any]) -> set[str]:
    """The categories owning a test: by its markers, else by its repository-relative path."""
    names = set(markers)
    marked = {n for n, spec in categories.items() if spec.get("marker") in names - {""}}
    if marked or relpath is None:
        return marked
    depth = {
        n: max((_match(relpath, p) for p in spec.get("paths", ())), default=-1)
        for n, spec in categories.items()
    }
    best = max(depth.values(), default=-1)
    return {n for n, d in depth.items() if d == best >= 0}


def _match(relpath: str, path: str) -> int:
    """How specific `path` is if it contains `relpath` (its length; 0 for the root), else -1."""
    prefix = path.strip("/").removeprefix("./")
    prefix = "" if prefix == "." else prefix
    if prefix and relpath != prefix and not relpath.startswith(prefix + "/"):
        return -1
    return len(prefix)


def _relpath(item: pytest.Item, root: Path) -> str | None:
    try:
        return Path(item.path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    raw = config.getoption(OPTION)
    if not raw:
        return
    spec = json.loads(raw)
    root = Path(spec["root"]).resolve()
    category, categories = spec["category"], spec["categories"]
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        mine = category in owners(
            _relpath(item, root), (m.name for m in item.iter_markers()), categories
        )
        (keep if mine else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
