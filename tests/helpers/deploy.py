"""Contexts for running deploy checks in-process on a fixture tree."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atlas_ci import reporting
from atlas_ci.checks.base import Check, CheckContext, ProjectInfo
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.model import CheckResult, Report, Status
from atlas_ci.settings import CheckSettings, GateSettings

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "deploy"


def make_ctx(
    check: Check,
    root: Path,
    *,
    settings: CheckSettings | None = None,
    gate_settings: GateSettings | None = None,
    report_dir: Path | None = None,
) -> CheckContext:
    project = ProjectInfo(
        root=root,
        paths=("src",),
        exclude=(),
        python=sys.executable,
        report_dir=report_dir or root / "reports",
    )
    return CheckContext(
        project=project,
        settings=settings or check.settings_model(),
        gate_settings=gate_settings or DeployGateSettings(),
    )


# The checks each gate's report holds when every gate passed (fabricated evidence for tests).
PASSING_GATES: dict[str, tuple[str, ...]] = {
    "quality": ("lint", "format", "types", "complexity"),
    "security": ("bandit", "secrets", "dependencies", "workflows"),
    "tests": ("unit", "integration", "observability", "reliability", "coverage"),
    "perf": ("benchmarks", "memory"),
    "reliability": ("load", "endurance", "recovery"),
}


def fabricated_report(
    commit: str, gates: dict[str, tuple[str, ...]] | None = None, **overrides: Any
) -> Report:
    """A valid atlas-ci report in which every given gate passed (override checks by id)."""
    results = []
    for gate, names in (gates or PASSING_GATES).items():
        for name in names:
            check_id = f"{gate}.{name}"
            fields = {"check": check_id, "gate": gate, "status": Status.PASSED, "reason": "ok"}
            fields.update(overrides.get(check_id, {}))
            results.append(CheckResult.model_validate(fields))
    return reporting.build(
        results,
        digest="0" * 16,
        started=datetime(2026, 1, 1, tzinfo=UTC),
        duration=1.0,
        commit=commit,
    )


def write_reports(directory: Path, report: Report, name: str = "atlas-ci.json") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(report.model_dump_json(indent=2))
    return path


def git_repo(root: Path) -> str:
    """A one-commit git repository at root; returns its HEAD."""
    root.mkdir(parents=True, exist_ok=True)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(root),
    }
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--allow-empty", "-m", "x"],
    ):
        subprocess.run(argv, cwd=root, check=True, env=env, capture_output=True)
    out = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()
