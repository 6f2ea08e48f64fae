"""Which categories exist in this repository: the configured ones, and built-ins where they apply.

A built-in category left at its default selection exists only where it applies: unit is the
catch-all (tests/, or wherever pytest's own testpaths look when there is no tests/); integration,
observability and reliability exist where tests/<name> does, else as marker categories when some
test file uses `pytest.mark.<name>`, else not at all (reported skipped, at no cost).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from atlas_ci import fileset
from atlas_ci.checks.testsuite.settings import DEFAULT_CATEGORIES, CategorySettings

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
    used = _markers_used(root, [n for n in auto if n != "unit"])
    for name, spec in categories.items():
        found = _applied(name, spec, root, used) if name in auto else spec
        if isinstance(found, str):
            absent[name] = found
        else:
            present[name] = found
    return Resolved(present, absent)


def _applied(
    name: str, spec: CategorySettings, root: Path, used: set[str]
) -> CategorySettings | str:
    """A built-in category at its default selection, as it applies here (or why it does not)."""
    if name == "unit":
        return spec if (root / "tests").is_dir() else _copy(spec, ("",), "")
    if (root / spec.paths[0]).exists():
        return spec
    if name in used:
        return _copy(spec, (), name)
    return f"no {spec.paths[0]} directory and no test marked {name}"


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
    for seen, path in enumerate(p for p in fileset.walk(root) if _is_test_file(p.name)):
        if seen >= _SCAN_LIMIT:
            return
        yield path


def _is_test_file(name: str) -> bool:
    return name.endswith(".py") and (name.startswith("test") or name.endswith(_SUFFIXES))


_SUFFIXES = ("_test.py", "conftest.py", "tests.py")
