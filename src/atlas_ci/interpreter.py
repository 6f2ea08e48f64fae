"""The project interpreter: which one runs the project's tests, and a probe of what it would import.

atlas-ci and its tools live in atlas-ci's environment; pytest and coverage run in the project's.
Running a suite against another copy of the project (an older release pulled into the same
environment, say) gives results about the wrong code, so before tests run one probe process asks the
project interpreter where the project's top-level packages resolve, and whether it has pytest and
coverage. The probe is `python -c` from the repository root, which puts the root first on sys.path
exactly as `python -m pytest` does; pytest's own `pythonpath` setting is added the same way.
"""

from __future__ import annotations

import configparser
import json
import os
import sys
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ci import process
from atlas_ci.errors import CheckError, ToolNotFoundError

VENV_DIRS = (".venv", "venv")
PROBE_TIMEOUT = 60.0
# Runs inside the project interpreter: standard library only, prints one JSON object.
_PROBE = """
import importlib.metadata as md, importlib.util as u, json, sys
def version(name):
    try:
        return md.version(name)
    except Exception:
        return None
def origin(name):
    try:
        spec = u.find_spec(name)
    except Exception as exc:
        return "!" + type(exc).__name__
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("namespace", "built-in", "frozen"):
        return spec.origin
    return None  # a namespace package or a built-in module: no single copy to compare
out = {"executable": sys.executable, "pytest": version("pytest"), "coverage": version("coverage"),
       "pytest_cov": version("pytest-cov"), "origins": {n: origin(n) for n in sys.argv[1:]},
       "coverage_source": None, "coverage_omit": []}
if out["coverage"]:
    try:
        import coverage
        cov = coverage.Coverage()
        out["coverage_source"] = cov.get_option("run:source")
        out["coverage_omit"] = list(cov.get_option("run:omit") or [])
    except Exception:
        pass
print(json.dumps(out))
"""


def resolve(root: Path, configured: str | None) -> str:
    """`[project] python`, else $VIRTUAL_ENV, else .venv/venv under the root, else our own."""
    if configured:
        return str(root / configured) if "/" in configured else configured
    venv = os.environ.get("VIRTUAL_ENV")
    if venv and (Path(venv) / "bin" / "python").exists():
        return str(Path(venv) / "bin" / "python")
    for name in VENV_DIRS:
        local = root / name / "bin" / "python"
        if local.exists():
            return str(local)
    return sys.executable


@dataclass(frozen=True)
class Probe:
    """What the project interpreter has and where it imports the project's packages from."""

    python: str
    executable: str
    pytest: str | None
    coverage: str | None
    pytest_cov: str | None
    origins: dict[str, str | None] = field(default_factory=dict)
    coverage_source: tuple[str, ...] | None = None
    coverage_omit: tuple[str, ...] = ()


def top_level_packages(root: Path, paths: tuple[str, ...]) -> dict[str, Path]:
    """Importable names the project's source paths define -> where they live in the tree.

    A path that is a package counts as itself; any other directory (src/, ".") contributes the
    packages and modules directly inside it.
    """
    found: dict[str, Path] = {}
    for raw in paths:
        path = (root / raw).resolve()
        if (path / "__init__.py").is_file():
            found.setdefault(path.name, path)
        elif path.is_file() and path.suffix == ".py":
            found.setdefault(path.stem, path)
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if _importable(child):
                    found.setdefault(child.stem if child.is_file() else child.name, child)
    return found


def _importable(child: Path) -> bool:
    name = child.stem if child.is_file() else child.name
    if not name.isidentifier() or name in {"setup", "conftest", "tests", "test", "noxfile"}:
        return False
    if child.is_file():
        return child.suffix == ".py"
    return (child / "__init__.py").is_file()


def pytest_pythonpath(root: Path) -> list[str]:
    """pytest's `pythonpath` ini setting (pytest adds these to sys.path before collecting).

    From the file pytest itself picks first: pytest.ini, pyproject.toml, tox.ini, setup.cfg.
    """
    found = _ini_pythonpath(root, "pytest.ini", "pytest")
    if found is None:
        found = _pyproject_pythonpath(root)
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        if found is None:
            found = _ini_pythonpath(root, name, section)
    return found or []


def _pyproject_pythonpath(root: Path) -> list[str] | None:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    options = data.get("tool", {}).get("pytest", {}).get("ini_options")
    if not isinstance(options, dict):
        return None
    value = options.get("pythonpath", [])
    return value.split() if isinstance(value, str) else [str(v) for v in value]


def _ini_pythonpath(root: Path, name: str, section: str) -> list[str] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(root / name, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    if not parser.has_section(section):
        return None
    return parser.get(section, "pythonpath", fallback="").split()


_lock = threading.Lock()
_cache: dict[tuple[str, str, tuple[str, ...]], Probe] = {}


def probe(python: str, root: Path, packages: tuple[str, ...]) -> Probe:
    """Ask `python` once per run (cached) what it has and where the packages resolve."""
    key = (python, str(root), packages)
    with _lock:
        if key not in _cache:
            _cache[key] = _run_probe(python, root, packages)
        return _cache[key]


def forget() -> None:
    """Drop cached probes (the interpreter may have changed between two runs in one process)."""
    with _lock:
        _cache.clear()


def _run_probe(python: str, root: Path, packages: tuple[str, ...]) -> Probe:
    extra = [str((root / p).resolve()) for p in pytest_pythonpath(root)]
    current = os.environ.get("PYTHONPATH", "")
    env = {"PYTHONPATH": os.pathsep.join(p for p in (*extra, current) if p)}
    try:
        res = process.run(
            [python, "-c", _PROBE, *packages], cwd=root, timeout=PROBE_TIMEOUT, env=env
        )
    except ToolNotFoundError as exc:
        raise CheckError(
            f"the project interpreter {python} cannot be started ({exc}); "
            "set [project] python to the interpreter that has the project's dependencies"
        ) from exc
    data = _answer(res) if res.returncode == 0 else None
    if data is None:
        raise CheckError(f"cannot probe the project interpreter {python}: {res.output_tail}")
    return _probe_from(python, data)


def _answer(res: process.ProcessResult) -> dict[str, Any] | None:
    try:
        data = json.loads(res.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _probe_from(python: str, data: dict[str, Any]) -> Probe:
    source = data.get("coverage_source")
    return Probe(
        python=python,
        executable=str(data.get("executable") or python),
        pytest=data.get("pytest"),
        coverage=data.get("coverage"),
        pytest_cov=data.get("pytest_cov"),
        origins=dict(data.get("origins") or {}),
        coverage_source=tuple(source) if isinstance(source, list) else None,
        coverage_omit=tuple(data.get("coverage_omit") or ()),
    )


def require(found: Probe, distribution: str, why: str) -> None:
    """`error` with the install hint when the project interpreter lacks a tool it must run."""
    if getattr(found, distribution.replace("-", "_")) is None:
        raise CheckError(
            f"{distribution} is not installed in the project interpreter {found.python} ({why}): "
            f"install it there (`{found.python} -m pip install {distribution}`), "
            "or set [project] python to an interpreter that has it"
        )


def check_imports(found: Probe, expected: dict[str, Path], root: Path) -> None:
    """`error` when a package of this repository would be imported from another copy."""
    wrong = [
        (name, origin)
        for name, origin in found.origins.items()
        if name in expected
        and origin
        and not origin.startswith("!")
        and not _inside(Path(origin), expected[name])
    ]
    if not wrong:
        return
    lines = [
        f"{name} imports from {origin}, not from this repository's {_rel(expected[name], root)} "
        f"({expected[name]})"
        for name, origin in wrong
    ]
    raise CheckError(
        "the tests would run against another copy of the project: "
        + "; ".join(lines)
        + f". The project interpreter is {found.python}: install the project there editable "
        f"(`{found.python} -m pip install -e .`), set [project] python to an interpreter that "
        "has it, or add the source directory to pytest's `pythonpath`"
    )


def _inside(path: Path, tree: Path) -> bool:
    resolved, base = path.resolve(), tree.resolve()
    return resolved == base or base in resolved.parents


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
