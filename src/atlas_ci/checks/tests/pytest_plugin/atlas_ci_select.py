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
    marked = {n for n, spec in categories.items() if spec.get("marker") and spec["marker"] in names}
    if marked or relpath is None:
        return marked
    best, found = -1, set()
    for name, spec in categories.items():
        for path in spec.get("paths", ()):
            prefix = path.strip("/").removeprefix("./")
            prefix = "" if prefix == "." else prefix
            if prefix and relpath != prefix and not relpath.startswith(prefix + "/"):
                continue
            if len(prefix) > best:
                best, found = len(prefix), {name}
            elif len(prefix) == best:
                found.add(name)
    return found


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
