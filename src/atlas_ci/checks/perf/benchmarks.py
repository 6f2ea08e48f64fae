"""perf.benchmarks: head against a base, by instruction counts (perf.instructions) or by
pytest-benchmark timings judged by perf.stats' rule (the cpu and wall timers)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from atlas_ci.checks.base import CheckContext, ProjectInfo, python_module, result
from atlas_ci.checks.perf import baseline, instructions
from atlas_ci.checks.perf.common import perf_gate, plugin_version, relative_sides
from atlas_ci.checks.perf.compare import Evaluation, Interleaved, Plan, evaluate
from atlas_ci.checks.perf.report import timing_result
from atlas_ci.checks.perf.runs import existing
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.stats import Params
from atlas_ci.checks.perf.timer import Timer, codspeed_version, resolve, valgrind_version
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Status
from atlas_ci.settings import GateSettings


class Benchmarks:
    gate = "perf"
    name = "benchmarks"
    tool = "pytest-benchmark"
    settings_model = BenchmarkSettings
    exclusive = True

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("pytest", project)

    def version(self, project: ProjectInfo) -> str | None:
        return plugin_version(project)

    def runs_alone(self, settings: object, project: ProjectInfo) -> bool:
        """Timings run alone so other checks cannot skew them; instruction counts do not depend
        on load, so with them the benchmarks share the machine (and perf.memory overlaps them)."""
        s = settings if isinstance(settings, BenchmarkSettings) else BenchmarkSettings()
        if s.timer in ("cpu", "wall"):
            return True
        return valgrind_version(s.valgrind) is None or codspeed_version(project) is None

    def companions(self, project: ProjectInfo, settings: object) -> list[tuple[str, str | None]]:
        """What `doctor` lists beside pytest-benchmark: the instruction counter's tools. Missing
        ones are a problem only when timer = "instructions"; with "auto" the gate falls back on
        the cpu timer, and says so."""
        s = settings if isinstance(settings, BenchmarkSettings) else BenchmarkSettings()
        if s.timer in ("cpu", "wall"):
            return []
        found = [
            ("valgrind", valgrind_version(s.valgrind)),
            ("pytest-codspeed", codspeed_version(project)),
        ]
        if s.timer == "instructions":
            return found
        return [(name, v or "not installed: perf uses the cpu timer") for name, v in found]

    def run(self, ctx: CheckContext[BenchmarkSettings, GateSettings]) -> CheckResult:
        s = ctx.settings
        if not s.paths:
            return result(
                self,
                Status.SKIPPED,
                "no benchmarks configured: set "
                "[gates.perf.benchmarks] paths to pytest-benchmark files or directories",
            )
        if not existing(ctx.root, s.paths):
            raise CheckError(f"none of the benchmark paths exist: {', '.join(s.paths)}")
        timer = resolve(ctx.project, s, self.version(ctx.project))
        s = s.model_copy(update={"timer": timer.name})
        with tempfile.TemporaryDirectory(prefix="atlas-ci-perf-") as tmp:
            if perf_gate(ctx.gate_settings).mode == "baseline":
                ev, against = self._against_baseline(ctx, s, timer, Path(tmp))
            else:
                ev, against = self._relative(ctx, s, Path(tmp))
        if not ev.head:
            raise CheckError("no benchmark ran on head (do the tests use the `benchmark` fixture?)")
        return timing_result(self, ctx, s, ev, against, version=timer.version, method=timer.method)

    def _relative(
        self, ctx: CheckContext, s: BenchmarkSettings, workdir: Path
    ) -> tuple[Evaluation, str]:
        with relative_sides(ctx, s.pythonpath) as (head, base, against):
            targets = {"head": existing(head.tree, s.paths), "base": existing(base.tree, s.paths)}
            if s.timer == "instructions":
                ev = instructions.relative(ctx, (head, base), targets, settings=s, workdir=workdir)
                return ev, f"base {against}"
            collect = Interleaved(
                ctx,
                head,
                base,
                targets,
                settings=s,
                workdir=workdir,
            )
            ev = evaluate(collect, params(s), plan(s))
            ev.notes.extend(collect.notes)
        return ev, f"base {against}"

    def _against_baseline(
        self, ctx: CheckContext, s: BenchmarkSettings, timer: Timer, workdir: Path
    ) -> tuple[Evaluation, str]:
        path = baseline.baseline_file(ctx.project, ctx.gate_settings, timer)
        if timer.name == "instructions":
            return baseline.against_counts(ctx, s, path, workdir)
        history = perf_gate(ctx.gate_settings).history
        stored = baseline.stored_samples(baseline.load(path), history)
        if not stored:
            raise CheckError(
                f"no stored baseline for this machine and Python ({path.name}); "
                "record one with `atlas-ci baseline update perf`"
            )
        collect = baseline.head_collector(ctx, s, stored, workdir)
        ev = evaluate(collect, params(s), plan(s))
        return ev, f"stored baseline {path.name} (last {history} runs)"


def plan(s: BenchmarkSettings) -> Plan:
    return Plan.of(s.rounds, s.runs, s.max_rounds)


def params(s: BenchmarkSettings) -> Params:
    return Params(
        alpha=s.alpha,
        min_effect=s.effect(s.timer),
        max_cv=s.max_cv,
        min_round_time=s.min_round_time,
    )
