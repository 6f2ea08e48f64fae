"""How a test category runs under coverage, and which categories left data for tests.coverage."""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.base import CheckContext, python_module
from atlas_ci.checks.testsuite.settings import CategorySettings, CoverageSettings

DATA_DIR = "coverage"
# An outer coverage run (atlas-ci's own suite measuring itself) must not also instrument the
# project's tests: coverage's .pth starts on these variables, and empty means "off".
_NO_OUTER_COVERAGE = {"COVERAGE_PROCESS_START": "", "COVERAGE_PROCESS_CONFIG": ""}

_lock = threading.Lock()
# report dir -> categories whose coverage data was written by this atlas-ci process: stale data of
# earlier runs in the same directory is never combined.
_recorded: dict[Path, list[str]] = {}


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


def invocation(ctx: CheckContext, category: str, pytest_args: list[str]) -> Invocation:
    """argv and extra environment that run pytest, under coverage when tests.coverage wants data."""
    settings = ctx.settings_as(CategorySettings)
    pytest_cmd = ctx.command(python_module("pytest", ctx.project))
    cov = coverage_settings(ctx)
    if not settings.coverage or cov is None:
        return Invocation([*pytest_cmd, *pytest_args], {})
    data = data_dir(report_dir(ctx), category)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if settings.workers is None and settings.command is None:
        # `coverage run` needs nothing but coverage itself and reads the project's [tool.coverage].
        cov_cmd = list(cov.command or python_module("coverage", ctx.project))
        argv = [
            *cov_cmd,
            "run",
            "--parallel-mode",
            f"--data-file={data / '.coverage'}",
            "-m",
            "pytest",
            *pytest_args,
        ]
        return Invocation(argv, dict(_NO_OUTER_COVERAGE), measured=True)
    # xdist workers (and a custom pytest command) are measured by pytest-cov, which combines the
    # workers' data itself. `--cov` with no value means "the project's configured source";
    # fail-under 0 so that only tests.coverage judges the number.
    cov_args = ["--cov", "--cov-report=", "--cov-fail-under=0"]
    env = {**_NO_OUTER_COVERAGE, "COVERAGE_FILE": str(data / ".coverage")}
    return Invocation([*pytest_cmd, *cov_args, *pytest_args], env, measured=True, pytest_cov=True)


def record(reports: Path, category: str) -> None:
    with _lock:
        names = _recorded.setdefault(reports, [])
        if category not in names:
            names.append(category)


def forget(reports: Path, category: str) -> None:
    """A category about to run again no longer has data until it finishes."""
    with _lock:
        names = _recorded.get(reports, [])
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
