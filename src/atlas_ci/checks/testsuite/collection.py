"""The suite collected once for all categories: one `pytest --collect-only` pass, shared by them.

Each category then runs pytest on the test files holding its tests only (a category that selects
nothing runs no pytest at all), and the selection plugin keeps its tests within those files. When
the pass cannot sort the suite (a broken conftest, an unreadable answer), every category falls back
to collecting on its own, where pytest's own error reaches the user.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter

from atlas_ci import fileset, reportdir
from atlas_ci.checks.base import CheckContext, python_module
from atlas_ci.checks.testsuite import selection
from atlas_ci.checks.testsuite.settings import CategorySettings
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, run_tool

OUT_NAME = ".collection.json"
# Past this many files the category collects its roots instead (argv stays short).
MAX_FILES = 400


@dataclass(frozen=True)
class Collection:
    """category -> the test files holding its tests (and the modules that failed to import)."""

    files: Mapping[str, tuple[str, ...]]
    counts: Mapping[str, int]


# What the plugin writes: {"items": [[path, [category...]]...], "errors": [[path, [...]]...]}.
_SHAPE: TypeAdapter[dict[str, list[tuple[str | None, list[str]]]]] = TypeAdapter(
    dict[str, list[tuple[str | None, list[str]]]]
)
_lock = threading.Lock()
_cache: dict[tuple[str, ...], Collection | None] = {}


def shared(
    ctx: CheckContext, categories: Mapping[str, CategorySettings], reports: Path
) -> Collection | None:
    """The collection of this suite (one pass per run, whichever category asks first)."""
    roots = selection.collection_roots(ctx.root, categories)
    spec = json.dumps(selection.spec(ctx.root, categories), sort_keys=True)
    key = (str(ctx.root), ctx.project.python, spec, _signature(ctx.root, roots))
    with _lock:
        if key not in _cache:
            _cache[key] = _collect(ctx, categories, roots, reports)
        return _cache[key]


def _collect(
    ctx: CheckContext,
    categories: Mapping[str, CategorySettings],
    roots: list[str],
    reports: Path,
) -> Collection | None:
    # Never through a symlink planted at junit/ or at the file (see reportdir).
    out = reportdir.remove_file(reports, f"junit/{OUT_NAME}")
    argv = [
        *python_module("pytest", ctx.project),
        "--collect-only",
        "-qq",
        "-p",
        "no:cacheprovider",
        "--continue-on-collection-errors",
        *selection.collect_args(ctx.root, categories, out),
        *roots,
    ]
    # Any exit code: the plugin's file says whether the pass sorted the suite.
    run_tool(
        Tool("pytest", tuple(argv)),
        [],
        cwd=ctx.root,
        timeout=ctx.settings.timeout,
        env=selection.plugin_env(),
        ok_codes=ANY_EXIT,
    )
    try:
        data = _SHAPE.validate_json(out.read_bytes())
        return _sorted(data, categories)
    except (OSError, ValueError, KeyError):  # pydantic's ValidationError is a ValueError
        return None
    finally:
        out.unlink(missing_ok=True)


Answer = dict[str, list[tuple[str | None, list[str]]]]


def _sorted(data: Answer, categories: Mapping[str, object]) -> Collection:
    files: dict[str, set[str]] = {name: set() for name in categories}
    counts = dict.fromkeys(categories, 0)
    for path, owners in data["items"]:
        for name in owners:
            counts[name] += 1
            if path:
                files[name].add(path)
    for path, owners in data["errors"]:
        for name in owners:
            if path:
                files[name].add(path)
    return Collection({n: tuple(sorted(f)) for n, f in files.items()}, counts)


def _signature(root: Path, roots: list[str]) -> str:
    """Changes when a Python or config file under the roots changes: no stale cached pass."""
    count, newest = 0, 0
    for top in [root / r for r in roots] or [root]:
        for path in fileset.walk(top):
            if path.suffix in {".py", ".toml", ".ini", ".cfg"}:
                count += 1
                newest = max(newest, _mtime(path))
    return f"{count}:{newest}"


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def forget() -> None:
    with _lock:
        _cache.clear()
