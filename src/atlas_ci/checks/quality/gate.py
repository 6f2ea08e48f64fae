"""The quality gate's checks: lint, format, types, complexity."""

from __future__ import annotations

from atlas_ci.checks.quality.complexity import Complexity
from atlas_ci.checks.quality.format import Format
from atlas_ci.checks.quality.lint import Lint
from atlas_ci.checks.quality.types import Types
from atlas_ci.checks.spec import GateSpec

GATE = GateSpec(
    name="quality",
    checks=(Lint(), Format(), Types(), Complexity()),
    summary="ruff, mypy and radon",
)
