"""The tests gate: one pytest run per category (tests.<category>), then tests.coverage."""

from __future__ import annotations

from atlas_ci.checks.base import Check
from atlas_ci.checks.spec import GateSpec
from atlas_ci.checks.testsuite.category import CategoryCheck
from atlas_ci.checks.testsuite.coverage_check import Coverage
from atlas_ci.checks.testsuite.settings import TestsGateSettings
from atlas_ci.settings import CheckSettings, GateSettings


def expand(gate_settings: GateSettings) -> list[tuple[Check, CheckSettings]]:
    """tests.<name> for every category in `[gates.tests.categories]` (built-in ones included)."""
    if not isinstance(gate_settings, TestsGateSettings):
        gate_settings = TestsGateSettings()
    # Categories come before tests.coverage in the plan, so an exclusive one still runs before it.
    return [
        (CategoryCheck(name, exclusive=spec.exclusive), spec)
        for name, spec in gate_settings.categories.items()
    ]


GATE = GateSpec(
    name="tests",
    checks=(Coverage(),),
    settings_model=TestsGateSettings,
    expand=expand,
    summary="pytest by category (JUnit XML), then combined coverage",
)
