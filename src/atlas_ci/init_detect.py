"""What `atlas-ci init` finds in a repository: code paths, tests, markers, benchmarks, units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ci import pyproject

# Test sub-directories that become categories of their own (unit is the catch-all of the root).
KNOWN_CATEGORIES = ("integration", "observability", "reliability", "functional", "e2e", "smoke")
_SKIP_DIRS = {"tests", "test", "docs", "doc", "benchmarks", "build", "dist", "reports", "scripts"}
_SKIP_PARTS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox", "reports"}
_FLOOR = re.compile(r">=\s*3\.(\d+)")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Category:
    name: str
    path: str
    # The declared pytest marker of the same name, or "" (select by path only).
    marker: str


@dataclass(frozen=True)
class Facts:
    paths: tuple[str, ...]
    test_root: str | None
    categories: tuple[Category, ...]
    markers: tuple[str, ...]
    benchmarks: str | None
    units: tuple[str, ...]
    buildable: bool
    install: tuple[str, ...]
    python: str
    default_branch: str = "main"

    @property
    def service(self) -> str | None:
        """The first unit's name: the service the deploy gate checks and bundles."""
        return Path(self.units[0]).name.removesuffix(".service") if self.units else None


def detect(root: Path) -> Facts:
    data = pyproject.load(root)
    markers = _markers(data)
    test_root = next((d for d in ("tests", "test") if (root / d).is_dir()), None)
    return Facts(
        paths=_code_paths(root),
        test_root=test_root,
        categories=_categories(root, test_root, markers),
        markers=markers,
        benchmarks=_benchmarks(root),
        units=_units(root),
        buildable=(root / "pyproject.toml").is_file() or (root / "setup.py").is_file(),
        install=_install(root),
        python=_python(data),
    )


def _code_paths(root: Path) -> tuple[str, ...]:
    """src/ when the project has the src layout, else its top-level packages and modules."""
    if (root / "src").is_dir() and any((root / "src").glob("*/__init__.py")):
        return ("src",)
    packages = sorted(
        p.parent.name
        for p in root.glob("*/__init__.py")
        if p.parent.name not in _SKIP_DIRS and not p.parent.name.startswith(".")
    )
    modules = sorted(
        p.name for p in root.glob("*.py") if p.name not in {"setup.py", "conftest.py", "noxfile.py"}
    )
    return tuple(packages + modules) or (".",)


def _has_tests(directory: Path) -> bool:
    return any(directory.rglob("test_*.py")) or any(directory.rglob("*_test.py"))


def _categories(
    root: Path, test_root: str | None, markers: tuple[str, ...]
) -> tuple[Category, ...]:
    if test_root is None:
        return ()
    found = [Category("unit", test_root, "unit" if "unit" in markers else "")]
    for sub in sorted((root / test_root).iterdir()):
        if sub.is_dir() and sub.name in KNOWN_CATEGORIES and _has_tests(sub):
            marker = sub.name if sub.name in markers else ""
            found.append(Category(sub.name, f"{test_root}/{sub.name}", marker))
    return tuple(found)


def _markers(data: dict[str, Any] | None) -> tuple[str, ...]:
    """Marker names declared in [tool.pytest.ini_options] markers ("name: description")."""
    options = (pyproject.tool_table(data, "pytest") or {}).get("ini_options", {})
    declared = options.get("markers", []) if isinstance(options, dict) else []
    names = [str(m).split(":", 1)[0].split("(", 1)[0].strip() for m in declared]
    return tuple(n for n in names if _NAME.match(n))


def _benchmarks(root: Path) -> str | None:
    for candidate in ("benchmarks", "tests/benchmarks", "benchmark"):
        if (root / candidate).is_dir() and any((root / candidate).rglob("*.py")):
            return candidate
    return None


def _units(root: Path) -> tuple[str, ...]:
    units = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*.service")
        if p.is_file() and not _SKIP_PARTS.intersection(p.relative_to(root).parts)
    ]
    return tuple(sorted(units))


def _install(root: Path) -> tuple[str, ...]:
    """What the generated workflows pip-install into the project's .venv."""
    args: list[str] = []
    if (root / "pyproject.toml").is_file() or (root / "setup.py").is_file():
        args += ["-e", "."]
    for name in ("requirements.txt", "requirements-dev.txt"):
        if (root / name).is_file():
            args += ["-r", name]
    return (*args, "pytest", "coverage")


def _python(data: dict[str, Any] | None) -> str:
    """The oldest Python the project supports (from requires-python), 3.11 at least."""
    spec = str((pyproject.project_table(data) or {}).get("requires-python", ""))
    found = _FLOOR.search(spec)
    minor = int(found.group(1)) if found else 12
    return f"3.{max(minor, 11)}"
