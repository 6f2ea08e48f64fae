"""The reliability gate: Locust load, endurance with leak trends, crash and corruption recovery."""

from __future__ import annotations

from atlas_ci.checks.reliability.endurance import Endurance
from atlas_ci.checks.reliability.load import Load
from atlas_ci.checks.reliability.recovery import Recovery
from atlas_ci.checks.reliability.settings import ReliabilityGateSettings
from atlas_ci.checks.spec import GateSpec

GATE = GateSpec(
    name="reliability",
    checks=(
        Load(),
        Endurance(),
        Recovery(),
    ),
    settings_model=ReliabilityGateSettings,
    summary="Locust load per endpoint, 5-minute endurance trends, crash and corruption recovery",
)
