"""The security gate's own settings and the severity threshold every security check applies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from atlas_ci.checks.base import CheckContext
from atlas_ci.model import Severity
from atlas_ci.settings import CheckSettings, GateSettings

Level = Literal["low", "medium", "high", "critical"]
DEFAULT_FAIL_ON: Level = "medium"


class SecurityGateSettings(GateSettings):
    """Keys under `[gates.security]`."""

    fail_on: Level = Field(
        default=DEFAULT_FAIL_ON,
        description="Lowest severity that fails the gate; findings below it are reported only.",
    )


# What every security check gets: its own settings, and the gate's threshold.
SecurityContext = CheckContext[CheckSettings, SecurityGateSettings]


def fail_on(ctx: SecurityContext) -> Level:
    """The gate's threshold (the planner gives security checks SecurityGateSettings)."""
    return ctx.gate_settings.fail_on


def is_blocking(severity: Severity, threshold: Level) -> bool:
    """Info findings never block; others block at or above the threshold."""
    return severity.rank >= Severity(threshold).rank
