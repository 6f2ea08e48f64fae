"""How a test category runs under coverage, and which categories left data for tests.coverage."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas_ci import reportdir
from atlas_ci.checks.base import CheckContext, python_module
from atlas_ci.checks.testsuite import selection
from atlas_ci.checks.testsuite.settings import CategorySettings, CoverageSettings
from atlas_ci.interpreter import Probe
from atlas_ci.settings import GateSettings

# A test category's context: its own settings typed, the gate's as every gate's.
CategoryContext = CheckContext[CategorySettings, GateSettings]

DATA_DIR = "coverage"
# An outer coverage run (atlas-ci's own suite measuring itself) must not also instrument the
# project's tests: coverage's .pth starts on these variables, and empty means "off".
_NO_OUTER_COVERAGE = {"COVERAGE_PROCESS_START": "", "COVERAGE_PROCESS_CONFIG": ""}

_lock = threading.Lock()
# report dir -> categories whose coverage data was written by this atlas-ci process: stale data of
# earlier runs in the same directory is never combined.
_recorded: dict[Path, list[str]] = {}
# report dir -> categories that ran and selected no test (a project without tests is 0% covered).
_empty: dict[Path, list[str]] = {}


@dataclass(frozen=True)
class Invocation:
    argv: list[str]
    env: dict[str, str]
    measured: bool = False
    pytest_cov: bool = False


def report_dir(ctx: CheckContext) -> Path:
    return (ctx.root / ctx.project.report_dir).resolve()


def data_dir(reports: Path, category: str) -> Path:
    return reports / DATA_DIR / category


def coverage_settings(ctx: CheckContext) -> CoverageSettings | None:
    """tests.coverage's settings when that check is enabled (the gate config carries them)."""
    cov = getattr(ctx.gate_settings, "coverage", None)
    return cov if isinstance(cov, CoverageSettings) and cov.enabled else None


def measured(ctx: CategoryContext) -> bool:
    """Whether this category runs under coverage (tests.coverage enabled and the category's on)."""
    return ctx.settings.coverage and coverage_settings(ctx) is not None


def uses_pytest_cov(ctx: CategoryContext) -> bool:
    settings = ctx.settings
    return settings.workers is not None or settings.command is not None


def sources(ctx: CheckContext, probe: Probe | None, test_dirs: list[str]) -> list[str] | None:
    """What coverage measures; None: the project's own coverage `source` setting decides."""
    cov = coverage_settings(ctx)
    if cov is not None and cov.source is not None:
        return list(cov.source)
    if probe is not None and probe.coverage_source:
        return None
    return _source_paths(ctx.root, ctx.project.paths, test_dirs) or ["."]


def _source_paths(root: Path, paths: Sequence[str], test_dirs: list[str]) -> list[str]:
    """The project's paths minus its test directories, as coverage's --source takes them."""
    tests = {selection.normalize(t) for t in test_dirs}
    kept = [p for p in paths if selection.normalize(p) not in tests]
    return [s for s in (_as_source(root, p) for p in kept) if s]


_NOT_SOURCE = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py"})


def _as_source(root: Path, path: str) -> str | None:
    """A path as coverage's --source takes it: a directory, or a module's importable name.

    coverage reads a non-directory entry as a module name and imports its parent package to find
    it: "setup.py" would run setup.py. Build scripts and test modules are not the project's source.
    """
    full = root / path
    if not (full.is_file() and full.suffix == ".py"):
        return path
    name = full.name
    if name in _NOT_SOURCE or name.startswith("test_") or name.endswith("_test.py"):
        return None
    return full.stem


def omit(ctx: CheckContext, probe: Probe | None, source: list[str] | None, tests: list[str]) -> str:
    """--omit: the project's own patterns, atlas-ci's plugin, test dirs and venvs inside a source.

    A command-line --omit replaces the configured one, so the project's patterns are carried over.
    """
    patterns = list(probe.coverage_omit if probe else ())
    patterns.append(f"{selection.PLUGIN_DIR.resolve()}/*")
    dirs = [(ctx.root / s).resolve() for s in source or ()]
    for path in _inner_dirs(ctx.root, tests):
        if any(path == d or d in path.parents for d in dirs):
            patterns.append(f"{path}/*")
    return ",".join(dict.fromkeys(patterns))


def _inner_dirs(root: Path, tests: list[str]) -> list[Path]:
    """The test directories and virtual environments directly under the root, resolved."""
    found = [root / selection.normalize(t) for t in tests if selection.normalize(t)]
    found += [p.parent for p in root.glob("*/pyvenv.cfg")]
    return [p.resolve() for p in found if p.is_dir()]


def measure_args(ctx: CategoryContext, probe: Probe | None, test_dirs: list[str]) -> list[str]:
    """`coverage run` options that measure the project's source and nothing of atlas-ci's."""
    source = sources(ctx, probe, test_dirs)
    args = [f"--source={','.join(source)}"] if source else []
    return [*args, f"--omit={omit(ctx, probe, source, test_dirs)}"]


def invocation(
    ctx: CategoryContext, category: str, pytest_args: list[str], measure: list[str]
) -> Invocation:
    """argv and extra environment that run pytest, under coverage when tests.coverage wants data."""
    settings = ctx.settings
    pytest_cmd = ctx.command(python_module("pytest", ctx.project))
    cov = coverage_settings(ctx)
    if not measured(ctx) or cov is None:
        return Invocation([*pytest_cmd, *pytest_args], {})
    # Emptied without following a symlink at coverage/ or inside it (see reportdir).
    data = reportdir.clear_dir(report_dir(ctx), f"{DATA_DIR}/{category}")
    if settings.workers is None and settings.command is None:
        # `coverage run` needs nothing but coverage itself and reads the project's [tool.coverage].
        cov_cmd = list(cov.command or python_module("coverage", ctx.project))
        argv = [
            *cov_cmd,
            "run",
            "--parallel-mode",
            f"--data-file={data / '.coverage'}",
            *measure,
            "-m",
            "pytest",
            *pytest_args,
        ]
        return Invocation(argv, dict(_NO_OUTER_COVERAGE), measured=True)
    # xdist workers (and a custom pytest command) are measured by pytest-cov, which combines the
    # workers' data itself. `--cov` with no value means "the project's configured source";
    # fail-under 0 so that only tests.coverage judges the number. pytest-cov takes no --omit: the
    # project's own coverage config is what omits there.
    source = [a.split("=", 1)[1] for a in measure if a.startswith("--source=")]
    cov_args = [*_cov_flags(source), "--cov-report=", "--cov-fail-under=0"]
    env = {**_NO_OUTER_COVERAGE, "COVERAGE_FILE": str(data / ".coverage")}
    return Invocation([*pytest_cmd, *cov_args, *pytest_args], env, measured=True, pytest_cov=True)


def _cov_flags(source: list[str]) -> list[str]:
    paths = [p for s in source for p in s.split(",") if p]
    return [f"--cov={p}" for p in paths] or ["--cov"]


def record_empty(reports: Path, category: str) -> None:
    """This category ran and selected no test."""
    with _lock:
        names = _empty.setdefault(reports, [])
        if category not in names:
            names.append(category)


def empty(reports: Path) -> list[str]:
    with _lock:
        return list(_empty.get(reports, []))


def record(reports: Path, category: str) -> None:
    with _lock:
        names = _recorded.setdefault(reports, [])
        if category not in names:
            names.append(category)


def forget(reports: Path, category: str) -> None:
    """A category about to run again no longer has data until it finishes."""
    with _lock:
        for table in (_recorded, _empty):
            names = table.get(reports, [])
            if category in names:
                names.remove(category)


def recorded(reports: Path) -> list[str]:
    with _lock:
        return list(_recorded.get(reports, []))


def data_files(reports: Path, categories: list[str]) -> list[Path]:
    """Every coverage data file the categories wrote (one per process with parallel mode)."""
    files: list[Path] = []
    for category in categories:
        folder = data_dir(reports, category)
        files += sorted(
            p
            for p in folder.glob(".coverage*")
            if p.is_file() and not p.name.endswith(("-journal", "-wal", "-shm"))
        )
    return files
