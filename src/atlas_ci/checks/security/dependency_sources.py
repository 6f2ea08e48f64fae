"""Where a project's dependencies are declared, found without configuration.

Order: a pyproject.toml `[project]` with static dependencies (pip-audit reads it itself); else the
build backend's own metadata for setup.py / setup.cfg projects and dynamic dependencies (the PEP 517
`prepare_metadata_for_build_wheel` hook through `build`, in an isolated build environment, run on a
copy of the project inside the report directory: setuptools writes *.egg-info next to the sources,
and atlas-ci writes nothing outside its report directory; setup.py is never executed by atlas-ci
itself); plus `requirements*.txt` files. When the dependencies cannot be determined the check is
`error` with a hint, never `skipped`: skipped is for a repository that declares none.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ci import fileset, process, pyproject
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, run_tool
from atlas_ci.errors import CheckError

METADATA_TIMEOUT = 600.0
GENERATED = "metadata-requirements.txt"
# Runs in atlas-ci's interpreter (where `build` lives) as a tool of its own; prints one JSON line.
_METADATA = """
import json, sys
import build.util
meta = build.util.project_wheel_metadata(sys.argv[1], isolated=True)
print(json.dumps({"name": meta["Name"], "requires": meta.get_all("Requires-Dist") or []}))
"""
_SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
)
HINT = (
    "list the project's requirements files in [gates.security.dependencies] requirements, "
    "or set source = 'environment' to audit the project interpreter's packages"
)


@dataclass(frozen=True)
class Found:
    """What to audit: pip-audit's project mode, or requirements files (some generated)."""

    mode: str  # "project" | "requirements"
    files: tuple[str, ...] = ()
    # Declared by setup.py/setup.cfg/dynamic metadata: requirement strings and the manifest.
    declared: tuple[str, ...] = ()
    manifest: str | None = None


def requirements_files(root: Path) -> list[str]:
    """requirements*.txt at the root and *.txt under requirements/, sorted."""
    found = sorted(p.name for p in root.glob("requirements*.txt") if p.is_file())
    folder = root / "requirements"
    if folder.is_dir():
        found += sorted(f"requirements/{p.name}" for p in folder.glob("*.txt") if p.is_file())
    return found


def discover(root: Path, reports: Path, timeout: float = METADATA_TIMEOUT) -> Found | str:
    """What declares the dependencies; a string is why there is nothing to audit (skipped)."""
    data = pyproject.load(root)
    project = pyproject.project_table(data) if data is not None else None
    requirements = requirements_files(root)
    if project is not None and "dependencies" not in project.get("dynamic", []):
        return _static(project, requirements)
    manifest = _legacy_manifest(root, project is not None)
    if manifest is None:
        if requirements:
            return Found("requirements", tuple(requirements))
        return (
            "nothing declares dependencies: no pyproject.toml [project], setup.cfg, "
            "setup.py or requirements*.txt"
        )
    declared = backend_requirements(root, reports, manifest, timeout)
    if not declared and not requirements:
        return f"the project declares no dependencies (per its build backend, {manifest})"
    files = [*requirements]
    if declared:
        generated = reports / "dependencies" / GENERATED
        generated.parent.mkdir(parents=True, exist_ok=True)
        generated.write_text("\n".join(declared) + "\n", encoding="utf-8")
        files.insert(0, str(generated))
    return Found("requirements", tuple(files), tuple(declared), manifest)


def _static(project: dict[str, Any], requirements: list[str]) -> Found | str:
    """A [project] table with static dependencies: pip-audit's project mode, or the files."""
    if project.get("dependencies"):
        return Found("project", manifest="pyproject.toml")
    if requirements:
        return Found("requirements", tuple(requirements))
    return "the project declares no dependencies"


def _legacy_manifest(root: Path, has_project: bool) -> str | None:
    if has_project:
        return "pyproject.toml"  # [project] with dynamic dependencies: the backend knows them
    for name in ("setup.cfg", "setup.py"):
        if (root / name).is_file():
            return name
    return None


# The metadata hook of the project's build backend, driven by `build` in atlas-ci's interpreter.
BACKEND = Tool("build backend", (sys.executable, "-c", _METADATA))


def backend_requirements(root: Path, reports: Path, manifest: str, timeout: float) -> list[str]:
    """Requires-Dist as the project's build backend reports it (`error` when it cannot)."""
    work = reports / "dependencies"
    copy = work / "source"
    shutil.rmtree(copy, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root, copy, ignore=_ignore(root, reports), symlinks=True)
    if not (copy / "setup.py").exists() and not (copy / "pyproject.toml").exists():
        # setup.cfg alone: what setuptools reads it with (build refuses a tree with neither file).
        (copy / "pyproject.toml").write_text(_SETUPTOOLS, encoding="utf-8")
    tmp = work / "tmp"
    tmp.mkdir(exist_ok=True)
    where = f"cannot read the dependencies {manifest} declares"
    try:
        # Any exit: a failing hook is explained below, with the hint; the kit owns the rest.
        res = run_tool(
            BACKEND,
            [str(copy)],
            cwd=copy,
            timeout=timeout,
            ok_codes=ANY_EXIT,
            env={"TMPDIR": str(tmp)},
        )
    except CheckError as exc:
        raise CheckError(f"{where}: {exc}; {HINT}") from exc
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return _requires(res, where)


def _requires(res: process.ProcessResult, where: str) -> list[str]:
    try:
        data = json.loads(res.stdout.strip().splitlines()[-1]) if res.returncode == 0 else None
    except (IndexError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("requires"), list):
        last = (res.output_tail.strip().splitlines() or ["no output"])[-1]
        raise CheckError(f"{where}: its build backend's metadata hook failed ({last}); {HINT}")
    return [str(r) for r in data["requires"]]


def _ignore(root: Path, reports: Path) -> Callable[[str, list[str]], set[str]]:
    """shutil.copytree's ignore: environments, caches, VCS data and the report directory."""
    skip_reports = reports.resolve()

    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        return {n for n in names if fileset.pruned(here, n) or (here / n).resolve() == skip_reports}

    return ignore
