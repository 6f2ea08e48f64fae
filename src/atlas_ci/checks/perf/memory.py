"""perf.memory: peak traced allocation per call of each benchmark, head against a base.

Allocation is deterministic, so no statistics: growth above `max_memory_growth` (and by more than
`min_growth_bytes`) is a finding. The benchmarks run once per side under a small pytest plugin
(_memplugin) whose `benchmark` fixture calls the function under tracemalloc.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.base import CheckContext, ProjectInfo, python_module, result
from atlas_ci.checks.perf import baseline
from atlas_ci.checks.perf.common import (
    benchmark_settings,
    perf_gate,
    python_version,
    relative_sides,
)
from atlas_ci.checks.perf.report import finding
from atlas_ci.checks.perf.runs import existing, make_side, run_peaks
from atlas_ci.checks.perf.settings import MemorySettings
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status


@dataclass(frozen=True)
class Plan:
    paths: tuple[str, ...]
    args: tuple[str, ...]
    pythonpath: tuple[str, ...]
    max_growth: float
    min_bytes: int


def plan(ctx: CheckContext) -> Plan:
    """This check's keys, falling back on perf.benchmarks' paths, args and pythonpath."""
    s = ctx.settings_as(MemorySettings)
    b = benchmark_settings(ctx.gate_settings)
    return Plan(
        paths=s.paths if s.paths is not None else b.paths,
        args=s.args if s.args is not None else b.args,
        pythonpath=s.pythonpath if s.pythonpath is not None else b.pythonpath,
        max_growth=s.max_memory_growth,
        min_bytes=s.min_growth_bytes,
    )


class Memory:
    gate = "perf"
    name = "memory"
    tool = "tracemalloc"
    settings_model = MemorySettings
    exclusive = True

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("pytest", project)

    def version(self, project: ProjectInfo) -> str | None:
        # tracemalloc ships with the interpreter: its version is the project's Python version.
        return python_version(project)

    def run(self, ctx: CheckContext) -> CheckResult:
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
        return self._judge(ctx, p, (head, base), note=note, against=against)

    def _relative(
        self, ctx: CheckContext, p: Plan, workdir: Path
    ) -> tuple[dict[str, int], dict[str, int], str, str]:
        with relative_sides(ctx, p.pythonpath) as (head_side, base_side, against):
            head, _ = run_peaks(ctx, head_side, existing(head_side.tree, p.paths), p.args, workdir)
            base, note = run_peaks(
                ctx, base_side, existing(base_side.tree, p.paths), p.args, workdir
            )
        return head, base, note, f"base {against}"

    def _against_baseline(
        self, ctx: CheckContext, p: Plan, workdir: Path
    ) -> tuple[dict[str, int], dict[str, int], str, str]:
        path = baseline.baseline_file(ctx.project, ctx.gate_settings)
        base = baseline.stored_peaks(baseline.load(path))
        if not base:
            raise CheckError(
                f"no stored memory baseline for this machine and Python "
                f"({path.name}); record one with `atlas-ci baseline update perf`"
            )
        head_side = make_side("head", ctx.root, p.pythonpath)
        head, _ = run_peaks(ctx, head_side, existing(ctx.root, p.paths), p.args, workdir)
        return head, base, "", f"stored baseline {path.name}"

    def _judge(
        self,
        ctx: CheckContext,
        p: Plan,
        sides: tuple[dict[str, int], dict[str, int]],
        *,
        note: str,
        against: str,
    ) -> CheckResult:
        head, base = sides
        findings: list[Finding] = []
        metrics: list[Metric] = []
        grew = []
        for name in sorted(n for n in head if n in base):
            h, b = head[name], base[name]
            ratio = h / b if b > 0 else (1.0 if h == 0 else float("inf"))
            metrics += [
                Metric(name=f"{name}.head_peak_bytes", value=h, unit="B"),
                Metric(name=f"{name}.base_peak_bytes", value=b, unit="B"),
                Metric(
                    name=f"{name}.memory_ratio",
                    value=round(ratio, 4),
                    threshold=1 + p.max_growth,
                    direction="max",
                ),
            ]
            if ratio > 1 + p.max_growth and h - b > p.min_bytes:
                grew.append(f"{name} ({b} -> {h} B, x{ratio:.2f})")
                message = (
                    f"{name} allocates more than on {against}: peak {h} B per call vs "
                    f"{b} B (x{ratio:.2f}, limit x{1 + p.max_growth:.2f})"
                )
                findings.append(
                    finding(
                        self,
                        ctx,
                        name,
                        rule_id="perf-memory-growth",
                        message=message,
                        severity=Severity.MEDIUM,
                        blocking=True,
                    )
                )
        new = sorted(n for n in head if n not in base)
        for name in new:
            metrics.append(Metric(name=f"{name}.head_peak_bytes", value=head[name], unit="B"))
            message = f"{name} has no memory measurement on {against}: not compared"
            findings.append(
                finding(
                    self,
                    ctx,
                    name,
                    rule_id="perf-no-base",
                    message=message,
                    severity=Severity.LOW,
                    blocking=False,
                )
            )
        compared = len(head) - len(new)
        parts = [
            f"{len(grew)} benchmark(s) allocate more than on {against}: {'; '.join(grew)}"
            if grew
            else f"no allocation growth in {compared} benchmark(s) against {against}"
        ]
        if new:
            parts.append(f"{len(new)} without base measurement: {', '.join(new)}")
        if note:
            parts.append(note)
        status = Status.FAILED if grew else Status.PASSED if compared else Status.SKIPPED
        if not compared:
            parts[0] = f"nothing to compare: {against} has none of the {len(head)} benchmark(s)"
        return result(
            self,
            status,
            "; ".join(parts),
            findings=tuple(findings),
            metrics=tuple(metrics),
            tool_version=self.version(ctx.project),
        )
