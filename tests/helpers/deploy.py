"""Contexts for running deploy checks in-process on a fixture tree."""

from __future__ import annotations

import sys
from pathlib import Path

from atlas_ci.checks.base import Check, CheckContext, ProjectInfo
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
        gate_settings=gate_settings or GateSettings(),
    )
