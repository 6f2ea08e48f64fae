"""The registry: gate name -> its checks; third-party checks join through entry points."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import entry_points

from atlas_ci.checks import deploy, perf, quality, reliability, security, testsuite
from atlas_ci.checks.base import Check, CheckContext, ProjectInfo, check_id, result
from atlas_ci.checks.spec import Expander, GateSpec, NotImplementedCheck, is_implemented
from atlas_ci.model import CheckResult, Status
from atlas_ci.settings import CheckSettings

__all__ = ["Expander", "GateSpec", "NotImplementedCheck", "is_implemented", "registry"]

ENTRY_POINT_GROUP = "atlas_ci.checks"

# Order is the order gates run and appear in reports.
BUILT_IN: tuple[GateSpec, ...] = (
    security.GATE,
    testsuite.GATE,
    quality.GATE,
    perf.GATE,
    reliability.GATE,
    deploy.GATE,
)


@dataclass(frozen=True)
class BrokenPluginCheck:
    """A plugin that failed to load is that plugin's `error`, not a crash of the whole run."""

    gate: str
    name: str
    problem: str
    tool: str = "plugin"
    settings_model: type[CheckSettings] = CheckSettings
    exclusive: bool = False

    def version(self, project: ProjectInfo) -> str | None:
        return None

    def run(self, ctx: CheckContext) -> CheckResult:
        return result(self, Status.ERROR, f"plugin failed to load: {self.problem}")


def _plugins() -> list[Check]:
    found: list[Check] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        gate, _, name = ep.name.partition(".")
        try:
            obj = ep.load()
            check = obj() if isinstance(obj, type) else obj
            if not isinstance(check, Check):
                raise TypeError(
                    f"{ep.value} does not provide gate, name, tool, settings_model and run()"
                )
        except Exception as exc:
            found.append(
                BrokenPluginCheck(gate or "quality", name or ep.name, f"{ep.value}: {exc}")
            )
            continue
        found.append(check)
    return found


@cache
def registry() -> dict[str, GateSpec]:
    """Every gate with its checks, built-in first, then plugins in their gates."""
    gates = {spec.name: spec for spec in BUILT_IN}
    for plugin in _plugins():
        spec = gates.get(plugin.gate) or GateSpec(name=plugin.gate, summary="third-party gate")
        check: Check = plugin
        if plugin.name in {c.name for c in spec.checks}:
            problem = f"name clashes with the existing check {check_id(plugin)}"
            check = BrokenPluginCheck(plugin.gate, f"plugin-{plugin.name}", problem)
        gates[plugin.gate] = replace(spec, checks=(*spec.checks, check))
    return gates
