"""Run one reliability check in-process against a fixture service (tests/fixtures/reliability)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from atlas_ci.checks.base import Check, CheckContext, ProjectInfo
from atlas_ci.checks.reliability.settings import ReliabilityGateSettings
from atlas_ci.model import CheckResult
from atlas_ci.runner import run_one

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reliability"
LOCUSTFILE = "locustfile.py"


# A fixture service is never measured by the suite's coverage (its subprocess hook): coverage's
# growing line data looked like a memory leak to the endurance check under `atlas-ci gate tests`.
NO_COVERAGE = {"COVERAGE_PROCESS_START": "", "COVERAGE_PROCESS_CONFIG": ""}


def service(
    script: str, *extra: str, env: dict[str, str] | None = None, **kw: Any
) -> dict[str, Any]:
    """A [gates.reliability] table starting one fixture service on {port}."""
    argv = [sys.executable, script, "{port}", *extra]
    return {"service": {"argv": argv, "env": {**NO_COVERAGE, **(env or {})}, **kw}}


def fixture_repo(root: Path) -> Path:
    """The fixture services and locustfiles copied into `root`, which the checks see as the repo."""
    for source in FIXTURES.glob("*.py"):
        shutil.copy(source, root / source.name)
    return root


def context(
    tmp_path: Path, check: Check, gate: dict[str, Any], settings: dict[str, Any]
) -> CheckContext:
    project = ProjectInfo(
        root=fixture_repo(tmp_path),
        paths=(),
        exclude=(),
        python=sys.executable,
        report_dir=tmp_path / "reports",
    )
    return CheckContext(
        project=project,
        settings=check.settings_model.model_validate(settings),
        gate_settings=ReliabilityGateSettings.model_validate(gate),
    )


def run(
    tmp_path: Path, check: Check, gate: dict[str, Any], settings: dict[str, Any]
) -> CheckResult:
    """The check as the runner runs it: its errors become an `error` result, not an exception."""
    from atlas_ci.plan import Planned

    ctx = context(tmp_path, check, gate, settings)
    planned = Planned(check=check, settings=ctx.settings, gate_settings=ctx.gate_settings)
    return run_one(planned, ctx.project)


def pids_in(folder: Path, exclude: tuple[int, ...] = ()) -> list[int]:
    """Live processes whose working directory is `folder` (services and Locust run there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            cwd = (entry / "cwd").readlink()
            state = (entry / "stat").read_text().split(") ", 1)[1].split()[0]
        except OSError:
            continue
        if cwd == folder.resolve() and state != "Z":
            found.append(int(entry.name))
    return found
