"""The deploy gate: systemd units, packages, SBOMs, shipped secrets, the other gates' evidence."""

from __future__ import annotations

from atlas_ci.checks.deploy.reports import Reports
from atlas_ci.checks.deploy.systemd import Systemd
from atlas_ci.checks.spec import GateSpec, NotImplementedCheck

GATE = GateSpec(
    name="deploy",
    checks=(
        Systemd(),
        NotImplementedCheck("deploy", "package"),
        NotImplementedCheck("deploy", "sbom"),
        NotImplementedCheck("deploy", "secrets"),
        Reports(),
    ),
    summary="systemd-analyze, build, twine, cyclonedx-py and the other gates' reports",
)
