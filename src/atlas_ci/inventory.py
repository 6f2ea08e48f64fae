"""What `list` and `doctor` show: every check, enabled or not, its tool and the tool's version."""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from pathlib import Path

from atlas_ci import config as config_mod
from atlas_ci import plan
from atlas_ci.checks.base import ProjectInfo, tool_version
from atlas_ci.checks.spec import is_implemented
from atlas_ci.config import LoadedConfig
from atlas_ci.extras import install_hint


@dataclass(frozen=True)
class Row:
    check: str
    enabled: bool
    note: str
    tool: str
    version: str | None
    implemented: bool

    @property
    def available(self) -> bool:
        """Its tool was found (a check with no tool of its own is available)."""
        return self.version is not None or not self.tool

    @property
    def state(self) -> str:
        """What `list` shows: only a check that will really run is "yes"."""
        if not self.implemented:
            return "no (not implemented)"
        if not self.enabled:
            return f"no ({self.note})"
        if not self.available:
            return f"no (unavailable: {self.tool} not found)"
        return "yes"

    @property
    def version_shown(self) -> str:
        if not self.implemented:
            return "-"
        return self.version or "not found"

    @property
    def doctor_state(self) -> str:
        if not self.implemented:
            return "not implemented (reported skipped, never passed)"
        return self.version or "NOT FOUND (unavailable)"


def rows(cfg: LoadedConfig, root: Path, *, enabled_only: bool = False) -> list[Row]:
    """One row per check; tool versions are looked up concurrently (each is a subprocess)."""
    project = config_mod.project_info(cfg, root, root / cfg.reports.dir)
    planned = [p for p in plan.all_checks(cfg) if not enabled_only or p.skip_reason is None]
    with cf.ThreadPoolExecutor(max_workers=8) as pool:
        versions = list(pool.map(lambda p: _version(p, project), planned))
    return [
        row
        for p, v in zip(planned, versions, strict=True)
        for row in (
            Row(
                check=p.id,
                enabled=p.skip_reason is None,
                note=p.skip_reason or "",
                tool=p.check.tool,
                version=v,
                implemented=is_implemented(p.check),
            ),
            *_companions(p, project),
        )
    ]


def _companions(p: plan.Planned, project: ProjectInfo) -> list[Row]:
    """Programs a check runs beside its tool (perf.benchmarks: valgrind), one row each."""
    companions = getattr(p.check, "companions", None)
    if companions is None or p.skip_reason is not None:
        return []
    found: list[tuple[str, str | None]] = companions(project, p.settings)
    return [Row(p.id, True, "", name, version, True) for name, version in found]


def _version(p: plan.Planned, project: ProjectInfo) -> str | None:
    """The version of what the check will really run: the configured `command`, if any."""
    if p.settings.command:
        return tool_version(p.settings.command, project.root)
    return p.check.version(project)


def problems(found: list[Row]) -> list[str]:
    """What `doctor` asks the user to fix: enabled, implemented checks whose tool is missing."""
    return [
        f"{r.check}: '{r.tool}' not found; {install_hint(r.tool)} "
        f"or set `command` under [{config_table(r.check)}]"
        for r in found
        if r.enabled and r.implemented and r.tool and r.version is None
    ]


def config_table(check: str) -> str:
    """The config table holding a check's settings (test categories live under `categories`)."""
    gate, _, name = check.partition(".")
    if gate == "tests" and name != "coverage":
        return f"gates.tests.categories.{name}"
    return f"gates.{check}"
