"""What a check family declares: its GateSpec, and stand-ins for designed checks not built yet.

Lives with the checks (not in gates.py) so a family module never imports the registry that
imports it: gates.py -> checks/<family> -> checks/spec.py points one way only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from atlas_ci.checks.base import Check, CheckContext, ProjectInfo, result
from atlas_ci.model import CheckResult, Status
from atlas_ci.settings import CheckSettings, GateSettings

Expander = Callable[[GateSettings], list[tuple[Check, CheckSettings]]]


@dataclass(frozen=True)
class GateSpec:
    name: str
    checks: tuple[Check, ...] = ()
    settings_model: type[GateSettings] = GateSettings
    implemented: bool = True
    # Gates whose checks come from config (test categories) build them from the gate's settings.
    expand: Expander | None = None
    summary: str = ""


@dataclass(frozen=True)
class NotImplementedCheck:
    """Stands in for a designed check that does not exist yet: reported `skipped`, never run."""

    gate: str
    name: str
    tool: str = ""
    settings_model: type[CheckSettings] = CheckSettings
    exclusive: bool = False
    # Read by `list`/`doctor` and go/no-go commands through `is_implemented`.
    implemented: bool = False

    def version(self, project: ProjectInfo) -> str | None:
        return None

    def run(self, ctx: CheckContext) -> CheckResult:
        return result(self, Status.SKIPPED, "not implemented")


def is_implemented(check: Check) -> bool:
    """False for stand-ins; a check (or plugin) without the attribute is implemented."""
    return bool(getattr(check, "implemented", True))
