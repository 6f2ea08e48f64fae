"""The registry: gate name -> its checks; third-party checks join through entry points.

Lazy: a gate's check modules (and their settings models, which cost most of atlas-ci's start-up)
are imported the first time that gate is asked for, so `atlas-ci gate quality` imports only the
quality checks while `list`, `doctor` and `config schema` still see every gate. A plugin joins
the gate its entry-point name names (`"quality.mycheck" = "my_pkg:MyCheck"`); one whose object
declares another gate is that plugin's `error` (see `BrokenPluginCheck`).
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from atlas_ci.checks.base import Check, CheckContext, ProjectInfo, check_id, result
from atlas_ci.checks.spec import Expander, GateSpec, NotImplementedCheck, is_implemented
from atlas_ci.model import CheckResult, Status
from atlas_ci.settings import CheckSettings

__all__ = [
    "Expander",
    "GateSpec",
    "NotImplementedCheck",
    "gate_names",
    "is_implemented",
    "registry",
    "spec",
]

ENTRY_POINT_GROUP = "atlas_ci.checks"

# Gate name -> the family module whose GATE it is. Order is the order gates run and appear in
# reports.
BUILT_IN: dict[str, str] = {
    "security": "atlas_ci.checks.security",
    "tests": "atlas_ci.checks.testsuite",
    "quality": "atlas_ci.checks.quality",
    "perf": "atlas_ci.checks.perf",
    "reliability": "atlas_ci.checks.reliability",
    "deploy": "atlas_ci.checks.deploy",
}


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


def _entry_gate(ep: EntryPoint) -> str:
    """The gate an entry point's name puts its check in (`gate.check`; a bare name: quality)."""
    gate, dot, _ = ep.name.partition(".")
    return gate if dot and gate else "quality"


@cache
def _entry_points() -> tuple[EntryPoint, ...]:
    # Reading the entry points is cheap (metadata files); loading one imports the plugin.
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


def _load_plugin(ep: EntryPoint) -> Check:
    gate = _entry_gate(ep)
    _, _, name = ep.name.partition(".")
    try:
        obj = ep.load()
        check = obj() if isinstance(obj, type) else obj
        if not isinstance(check, Check):
            raise TypeError(
                f"{ep.value} does not provide gate, name, tool, settings_model and run()"
            )
    except Exception as exc:
        return BrokenPluginCheck(gate, name or ep.name, f"{ep.value}: {exc}")
    if check.gate != gate:
        problem = f"{ep.value}: its check is in gate '{check.gate}', its entry point '{ep.name}'"
        return BrokenPluginCheck(gate, check.name, problem)
    return check


@cache
def gate_names() -> tuple[str, ...]:
    """Every gate, built-in first, then gates only plugins define (nothing is imported)."""
    extra = [_entry_gate(ep) for ep in _entry_points()]
    return (*BUILT_IN, *dict.fromkeys(g for g in extra if g not in BUILT_IN))


@cache
def spec(name: str) -> GateSpec:
    """One gate with its checks: built-in ones, then its plugins (imported now, once)."""
    module = BUILT_IN.get(name)
    gate: GateSpec = (
        importlib.import_module(module).GATE
        if module
        else GateSpec(name=name, summary="third-party gate")
    )
    for ep in _entry_points():
        if _entry_gate(ep) != name:
            continue
        check = _load_plugin(ep)
        if check.name in {c.name for c in gate.checks}:
            problem = f"name clashes with the existing check {check_id(check)}"
            check = BrokenPluginCheck(name, f"plugin-{check.name}", problem)
        gate = replace(gate, checks=(*gate.checks, check))
    return gate


def registry(names: Collection[str] | None = None) -> dict[str, GateSpec]:
    """The gates named (None: every gate) with their checks, in report order."""
    return {n: spec(n) for n in gate_names() if names is None or n in names}
