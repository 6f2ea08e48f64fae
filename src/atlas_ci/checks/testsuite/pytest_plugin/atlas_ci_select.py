"""pytest plugin atlas-ci loads (`-p atlas_ci_select`) to sort tests into categories.

It runs inside the project's own pytest, from a directory that holds nothing else, and imports
nothing from atlas-ci. Two modes: `--atlas-ci-select=<spec>` keeps one category's tests and
deselects the rest; `--atlas-ci-collect=<spec>` (with --collect-only) writes every collected test's
categories to a JSON file, so that atlas-ci collects the suite once for all categories.

The rule: a test carrying the marker of one or more marker categories, and lying within their paths
(no paths: anywhere), belongs to exactly those. Any other test belongs to one marker-less category:
the one whose path contains it most specifically (longest path); on a tie (two categories listing
the same path), the one whose name sorts first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

OPTION = "--atlas-ci-select"
COLLECT = "--atlas-ci-collect"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        OPTION, default=None, help="(atlas-ci) JSON: the category to run and all categories"
    )
    parser.addoption(
        COLLECT, default=None, help="(atlas-ci) JSON: all categories and the file to write to"
    )


def owners(relpath: str | None, markers: Iterable[str], categories: Mapping[str, Any]) -> set[str]:
    """The categories owning a test: marker categories it qualifies for, else one by path."""
    names = set(markers)
    marked = {
        n
        for n, spec in categories.items()
        if spec.get("marker") and spec["marker"] in names and _within(relpath, spec)
    }
    if marked or relpath is None:
        return marked
    return _by_path(relpath, categories)


def _by_path(relpath: str, categories: Mapping[str, Any]) -> set[str]:
    """The marker-less category whose path contains the test most specifically (one, or none)."""
    depth = {
        n: max((_match(relpath, p) for p in spec.get("paths", ())), default=-1)
        for n, spec in sorted(categories.items())
        if not spec.get("marker")
    }
    best = max(depth.values(), default=-1)
    # sorted() above: on a tie the name that sorts first wins, so a test has exactly one owner.
    return {next(n for n, d in depth.items() if d == best)} if best >= 0 else set()


def _within(relpath: str | None, spec: Mapping[str, Any]) -> bool:
    paths = spec.get("paths") or ()
    if not paths:
        return True
    return relpath is not None and any(_match(relpath, p) >= 0 for p in paths)


def _match(relpath: str, path: str) -> int:
    """How specific `path` is if it contains `relpath` (its length; 0 for the root), else -1."""
    prefix = path.strip("/").removeprefix("./")
    prefix = "" if prefix == "." else prefix
    if prefix and relpath != prefix and not relpath.startswith(prefix + "/"):
        return -1
    return len(prefix)


def _marker_categories(relpath: str, categories: Mapping[str, Any]) -> set[str]:
    return {n for n, s in categories.items() if s.get("marker") and _within(relpath, s)}


def _relpath(path: Path | str, root: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _item_owners(item: pytest.Item, root: Path, categories: Mapping[str, Any]) -> set[str]:
    markers = (m.name for m in item.iter_markers())
    return owners(_relpath(item.path, root), markers, categories)


_errors: list[str] = []


def pytest_collectreport(report: pytest.CollectReport) -> None:
    # Modules that failed to import: atlas-ci hands them to the categories whose paths hold them.
    if report.failed and report.fspath:
        _errors.append(str(report.fspath))


@pytest.hookimpl(trylast=True)  # after the project's own hooks have added their markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    collect = config.getoption(COLLECT)
    if collect:
        _write_collection(json.loads(collect), config, items)
        return
    raw = config.getoption(OPTION)
    if not raw:
        return
    spec = json.loads(raw)
    root = Path(spec["root"]).resolve()
    category, categories = spec["category"], spec["categories"]
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        (keep if category in _item_owners(item, root, categories) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _write_collection(spec: Any, config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(spec["root"]).resolve()
    categories = spec["categories"]
    found = [
        [_relpath(item.path, root), sorted(_item_owners(item, root, categories))] for item in items
    ]
    errors = [_relpath(config.rootpath / e, root) for e in _errors]
    # A module that failed to import may hold any category's tests: every category that could own
    # it by path or marker runs it, so that pytest reports the error where it matters.
    broken = [
        [rel, sorted(owners(rel, [], categories) | _marker_categories(rel, categories))]
        for rel in errors
        if rel
    ]
    out = {"items": found, "errors": broken}
    Path(spec["out"]).write_text(json.dumps(out), encoding="utf-8")
