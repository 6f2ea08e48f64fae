"""Which categories exist in this repository: the configured ones, and built-ins where they apply.

A built-in category left at its default selection exists only where it applies: unit is the
catch-all (tests/, or wherever pytest's own testpaths look when there is no tests/); integration,
observability and reliability exist where tests/<name> does, else as marker categories when some
test file uses `pytest.mark.<name>`, else not at all (reported skipped, at no cost).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.testsuite.settings import DEFAULT_CATEGORIES, CategorySettings

# Directories never searched for test files: environments, caches and build output.
_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "build", "dist", "site-packages"})
_SCAN_LIMIT = 5000


@dataclass(frozen=True)
class Resolved:
    present: dict[str, CategorySettings]
    absent: dict[str, str]  # built-in category -> why it does not exist here


def resolve(categories: dict[str, CategorySettings], root: Path) -> Resolved:
    """The categories as they apply to `root` (config order kept)."""
    present: dict[str, CategorySettings] = {}
    absent: dict[str, str] = {}
    auto = [n for n, s in categories.items() if _is_default(n, s)]
    used = _markers_used(root, [n for n in auto if n != "unit"]) if auto else set()
    for name, spec in categories.items():
        if name not in auto:
            present[name] = spec
        elif name == "unit":
            present[name] = spec if (root / "tests").is_dir() else _copy(spec, ("",), "")
        elif (root / spec.paths[0]).exists():
            present[name] = spec
        elif name in used:
            present[name] = _copy(spec, (), name)
        else:
            absent[name] = f"no {spec.paths[0]} directory and no test marked {name}"
    return Resolved(present, absent)


def _is_default(name: str, spec: CategorySettings) -> bool:
    default = DEFAULT_CATEGORIES.get(name)
    return default is not None and (spec.paths, spec.marker) == (
        default["paths"],
        default["marker"],
    )


def _copy(spec: CategorySettings, paths: tuple[str, ...], marker: str) -> CategorySettings:
    return spec.model_copy(update={"paths": paths, "marker": marker})


def _markers_used(root: Path, names: list[str]) -> set[str]:
    """Which of `names` appear as `mark.<name>` in the repository's test files and conftests."""
    if not names:
        return set()
    pattern = re.compile(r"\bmark\.(" + "|".join(map(re.escape, names)) + r")\b")
    found: set[str] = set()
    for path in _test_files(root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(pattern.findall(text))
        if len(found) == len(names):
            break
    return found


def _test_files(root: Path) -> Iterator[Path]:
    """Python files named like tests or conftests, outside environments and caches (bounded)."""
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIP_DIRS
            and not (Path(folder) / d / "pyvenv.cfg").exists()
        ]
        for name in files:
            if name.endswith(".py") and (name.startswith("test") or name.endswith(_SUFFIXES)):
                seen += 1
                yield Path(folder) / name
        if seen > _SCAN_LIMIT:
            return


_SUFFIXES = ("_test.py", "conftest.py", "tests.py")
