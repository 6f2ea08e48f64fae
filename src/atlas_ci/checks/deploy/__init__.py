"""The deploy gate: systemd units, packages, SBOMs, shipped secrets, the other gates' evidence."""

from __future__ import annotations

from atlas_ci.checks.deploy.package import Package
from atlas_ci.checks.deploy.reports import Reports
from atlas_ci.checks.deploy.sbom import Sbom
from atlas_ci.checks.deploy.secrets import DeploySecrets
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.checks.deploy.systemd import Systemd
from atlas_ci.checks.spec import GateSpec

__all__ = ["GATE", "DeployGateSettings"]

GATE = GateSpec(
    name="deploy",
    checks=(Systemd(), Package(), Sbom(), DeploySecrets(), Reports()),
    settings_model=DeployGateSettings,
    summary="systemd-analyze, build, twine, cyclonedx-py, detect-secrets and the gates' reports",
)
