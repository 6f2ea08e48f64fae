"""Check contexts on a temporary root, and process.run replaced by a scripted fake."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.tests_gate import FakeRun, gate_config

from atlas_ci import interpreter, process
from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.settings import CheckSettings


@pytest.fixture
def make_ctx(tmp_path: Path) -> Callable[..., CheckContext]:
    def make(
        settings: CheckSettings, gate: dict[str, Any] | None = None, base_ref: str | None = None
    ) -> CheckContext:
        project = ProjectInfo(
            root=tmp_path,
            paths=("src",),
            exclude=(),
            python=sys.executable,
            report_dir=tmp_path / "reports",
            base_ref=base_ref,
        )
        return CheckContext(project=project, settings=settings, gate_settings=gate_config(gate))

    return make


HEALTHY = interpreter.Probe(
    python=sys.executable,
    executable=sys.executable,
    pytest="9.9.1",
    coverage="7.0",
    pytest_cov="6.0",
)


@pytest.fixture
def fake_run(monkeypatch: pytest.MonkeyPatch) -> FakeRun:
    """process.run scripted; the interpreter probe (tested on its own) answers "all present"."""
    fake = FakeRun()
    monkeypatch.setattr(process, "run", fake)
    monkeypatch.setattr(interpreter, "probe", lambda *_: HEALTHY)
    return fake
