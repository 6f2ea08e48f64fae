"""The quality gate: lint, format, types, complexity."""

from __future__ import annotations

from atlas_ci.checks.quality.lint import Lint
from atlas_ci.gates import GateSpec

GATE = GateSpec(name="quality", checks=(Lint(),), summary="ruff, mypy and radon")
