"""perf.memory: peak traced allocation per call of each benchmark, head against a base.

Allocation is deterministic, so no statistics: growth above `max_memory_growth` (and by more than
`min_growth_bytes`) is a finding. The benchmarks run once per side under a small pytest plugin
(_memplugin) whose `benchmark` fixture calls the function under tracemalloc.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from atlas_ci.checks.base import CheckContext, ProjectInfo, python_module, result
from atlas_ci.checks.perf import baseline
from atlas_ci.checks.perf.common import (
    MemoryPlan,
    benchmark_settings,
    memory_plan,
    perf_gate,
    python_version,
    relative_sides,
)
from atlas_ci.checks.perf.memory_report import memory_result
from atlas_ci.checks.perf.runs import existing, make_side, run_peaks
from atlas_ci.checks.perf.settings import MemorySettings
from atlas_ci.checks.perf.timer import resolve
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Status
from atlas_ci.settings import GateSettings


def plan(ctx: CheckContext[MemorySettings, GateSettings]) -> MemoryPlan:
    return memory_plan(ctx.settings, ctx.gate_settings)


class Memory:
    gate = "perf"
    name = "memory"
    tool = "tracemalloc"
    settings_model = MemorySettings
    # Traced bytes do not depend on load, so perf.memory shares the machine; a timing
    # perf.benchmarks still runs alone, after the shared checks.
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("pytest", project)

    def version(self, project: ProjectInfo) -> str | None:
        # tracemalloc ships with the interpreter: its version is the project's Python version.
        return python_version(project)

    def run(self, ctx: CheckContext[MemorySettings, GateSettings]) -> CheckResult:
        p = plan(ctx)
        if not p.paths:
            return result(
                self,
                Status.SKIPPED,
                "no benchmarks configured: set "
                "[gates.perf.benchmarks] paths (or [gates.perf.memory] paths)",
            )
        if not existing(ctx.root, p.paths):
            raise CheckError(f"none of the benchmark paths exist: {', '.join(p.paths)}")
        with tempfile.TemporaryDirectory(prefix="atlas-ci-mem-") as tmp:
            if perf_gate(ctx.gate_settings).mode == "baseline":
                head, base, note, against = self._against_baseline(ctx, p, Path(tmp))
            else:
                head, base, note, against = self._relative(ctx, p, Path(tmp))
        if not head:
            raise CheckError("no benchmark used the `benchmark` fixture on head")
        return memory_result(
            self,
            ctx,
            p,
            (head, base),
            note=note,
            against=against,
            version=self.version(ctx.project),
        )

    def _relative(
        self, ctx: CheckContext, p: MemoryPlan, workdir: Path
    ) -> tuple[dict[str, int], dict[str, int], str, str]:
        with relative_sides(ctx, p.pythonpath) as (head_side, base_side, against):
            head, _ = run_peaks(ctx, head_side, existing(head_side.tree, p.paths), p.args, workdir)
            base, note = run_peaks(
                ctx, base_side, existing(base_side.tree, p.paths), p.args, workdir
            )
        return head, base, note, f"base {against}"

    def _against_baseline(
        self, ctx: CheckContext, p: MemoryPlan, workdir: Path
    ) -> tuple[dict[str, int], dict[str, int], str, str]:
        # Peaks are recorded in the file of the timer `baseline update` used, the check's own.
        timer = resolve(ctx.project, benchmark_settings(ctx.gate_settings), None)
        path = baseline.baseline_file(ctx.project, ctx.gate_settings, timer)
        base = baseline.stored_peaks(baseline.load(path))
        if not base:
            raise CheckError(
                f"no stored memory baseline for this machine and Python "
                f"({path.name}); record one with `atlas-ci baseline update perf`"
            )
        head_side = make_side("head", ctx.root, p.pythonpath)
        head, _ = run_peaks(ctx, head_side, existing(ctx.root, p.paths), p.args, workdir)
        return head, base, "", f"stored baseline {path.name}"
