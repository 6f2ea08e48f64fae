"""The registry: gate name -> its checks; third-party checks join through entry points."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import entry_points

from atlas_ci.checks.base import Check, CheckContext, ProjectInfo, check_id, result
from atlas_ci.model import CheckResult, Status
from atlas_ci.settings import CheckSettings, GateSettings

ENTRY_POINT_GROUP = "atlas_ci.checks"

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


# Order is the order gates run and appear in reports. Each built-in gate's module defines `GATE`.
GATE_MODULES: dict[str, str | None] = {
    "security": "atlas_ci.checks.security",
    "tests": "atlas_ci.checks.testsuite",
    "quality": "atlas_ci.checks.quality",
    "perf": "atlas_ci.checks.perf",
    "reliability": "atlas_ci.checks.reliability",
    "deploy": "atlas_ci.checks.deploy",
}

# The designed checks of gates not built yet: listed and reported `skipped`, never `passed`.
PLANNED: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class NotImplementedCheck:
    """Stands in for a designed check that does not exist yet."""

    gate: str
    name: str
    tool: str = ""
    settings_model: type[CheckSettings] = CheckSettings
    exclusive: bool = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return []

    def version(self, project: ProjectInfo) -> str | None:
        return None

    def run(self, ctx: CheckContext) -> CheckResult:
        return result(self, Status.SKIPPED, "not implemented")


@dataclass(frozen=True)
class BrokenPluginCheck:
    """A plugin that failed to load is that plugin's `error`, not a crash of the whole run."""

    gate: str
    name: str
    problem: str
    tool: str = "plugin"
    settings_model: type[CheckSettings] = CheckSettings
    exclusive: bool = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return []

    def version(self, project: ProjectInfo) -> str | None:
        return None

    def run(self, ctx: CheckContext) -> CheckResult:
        return result(self, Status.ERROR, f"plugin failed to load: {self.problem}")


def _load_gate(name: str) -> GateSpec:
    module = GATE_MODULES[name]
    if module is None:
        return GateSpec(
            name=name,
            implemented=False,
            checks=tuple(NotImplementedCheck(name, c) for c in PLANNED[name]),
        )
    spec = importlib.import_module(module).GATE
    if not isinstance(spec, GateSpec):
        raise TypeError(f"{module}.GATE is not a GateSpec")
    return spec


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
    gates = {name: _load_gate(name) for name in GATE_MODULES}
    for plugin in _plugins():
        spec = gates.get(plugin.gate) or GateSpec(name=plugin.gate, summary="third-party gate")
        check: Check = plugin
        if plugin.name in {c.name for c in spec.checks}:
            problem = f"name clashes with the existing check {check_id(plugin)}"
            check = BrokenPluginCheck(plugin.gate, f"plugin-{plugin.name}", problem)
        gates[plugin.gate] = replace(spec, checks=(*spec.checks, check))
    return gates
