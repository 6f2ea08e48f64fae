"""The security gate: bandit, detect-secrets, pip-audit, zizmor and (optional) Safety."""

from __future__ import annotations

from atlas_ci.checks.security.dependencies import Dependencies
from atlas_ci.checks.security.policy import SecurityGateSettings
from atlas_ci.checks.security.safety import Safety
from atlas_ci.checks.security.sast import Bandit
from atlas_ci.checks.security.secrets_scan import Secrets
from atlas_ci.checks.security.workflows import Workflows
from atlas_ci.checks.spec import GateSpec

__all__ = ["GATE", "SecurityGateSettings"]

GATE = GateSpec(
    name="security",
    checks=(Bandit(), Secrets(), Dependencies(), Workflows(), Safety()),
    settings_model=SecurityGateSettings,
    summary="bandit, detect-secrets, pip-audit and zizmor",
)
