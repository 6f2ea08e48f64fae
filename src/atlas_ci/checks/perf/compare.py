"""Measuring until the rule can decide: interleaved runs, more runs when needed, confirmation.

1. Each side runs `runs` pytest processes of `rounds / runs` rounds, interleaved base, head, head,
   base, base, head... so drift of the machine hits both sides alike.
2. Benchmarks whose round counts cannot reach the needed p-value get more runs (up to
   `max_rounds` rounds per side), then everything is judged again (Holm over all judged).
3. A benchmark that passes the full rule (perf.stats) in any pass is a regression, whatever its
   noise: noise can only make a "no regression" verdict uncertain, never excuse a slowdown.
4. Benchmarks too noisy for a "no regression" verdict, or whose interval straddles the threshold,
   get one fresh measurement (twice the runs) judged on its own: a burst of load during one run
   should not cost a verdict. Still unjudged: inconclusive (an error unless on_inconclusive =
   "warn").
5. Suspected regressions (significant, and the median ratio past the threshold while the interval
   is not yet: with few runs per side the interval, which resamples runs, is wide) are measured
   again with twice the runs and judged on that data alone: regressed there is a regression, ok
   there is ok, anything else is inconclusive, never a pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.perf import stats
from atlas_ci.checks.perf.runs import Samples, Side, SideRun, merge, run_timings
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.stats import Params, Verdict

UNJUDGED = ("inconclusive", "short", "noisy", "unsure")
# (runs per side, rounds per run, only these benchmarks or None for all) -> (head, base) samples
Collector = Callable[[int, int, Sequence[str] | None], tuple[Samples, Samples]]


@dataclass(frozen=True)
class Plan:
    runs: int  # processes per side
    per_run: int  # rounds per process
    max_rounds: int  # per side, all measurements of one benchmark together

    @classmethod
    def of(cls, rounds: int, runs: int, max_rounds: int) -> Plan:
        return cls(runs, max(1, math.ceil(rounds / runs)), max_rounds)


@dataclass
class Evaluation:
    verdicts: dict[str, Verdict]
    head: Samples
    base: Samples
    new: list[str]  # on head only: nothing to compare with
    gone: list[str]  # on base only
    notes: list[str] = field(default_factory=list)
    unit: str = "s"  # of the samples: seconds per call, or instructions per call


@dataclass
class Interleaved:
    """A Collector over two live sides (relative mode)."""

    ctx: CheckContext
    head: Side
    base: Side
    targets: dict[str, list[str]]  # side label -> benchmark paths that exist there
    settings: BenchmarkSettings
    workdir: Path
    notes: list[str] = field(default_factory=list)
    _count: int = 0

    def __call__(
        self, runs: int, per_run: int, only: Sequence[str] | None
    ) -> tuple[Samples, Samples]:
        got: dict[str, Samples] = {"head": {}, "base": {}}
        for i in range(runs):
            order = (self.base, self.head) if i % 2 == 0 else (self.head, self.base)
            for side in order:
                out = self.run_side(side, per_run, only)
                merge(got[side.label], out.samples)
                if out.note and out.note not in self.notes:
                    self.notes.append(out.note)
        return got["head"], got["base"]

    def run_side(self, side: Side, rounds: int, only: Sequence[str] | None) -> SideRun:
        self._count += 1
        targets = list(only) if only is not None else self.targets[side.label]
        out = self.workdir / f"{side.label}-{self._count}.json"
        return run_timings(self.ctx, side, targets, rounds=rounds, settings=self.settings, out=out)


def evaluate(collect: Collector, params: Params, plan: Plan) -> Evaluation:
    head, base = collect(plan.runs, plan.per_run, None)
    common = [n for n in head if n in base]
    ev = Evaluation(
        {},
        head,
        base,
        new=[n for n in head if n not in base],
        gone=[n for n in base if n not in head],
    )
    ev.verdicts = _judge(ev, common, params, "first pass")
    _more_rounds(ev, collect, common, params, plan)
    _retry_noisy(ev, collect, params, plan)
    _confirm(ev, collect, params, plan)
    return ev


def _judge(ev: Evaluation, names: Sequence[str], params: Params, how: str) -> dict[str, Verdict]:
    verdicts = stats.judge({n: (ev.head[n], ev.base[n]) for n in names}, params)
    return {n: replace(v, how=how) for n, v in verdicts.items()}


def _fewest(ev: Evaluation, names: Sequence[str]) -> int:
    return min(min(ev.head[n].n, ev.base[n].n) for n in names)


def _more_rounds(
    ev: Evaluation, collect: Collector, names: Sequence[str], params: Params, plan: Plan
) -> None:
    while short := [n for n, v in ev.verdicts.items() if v.outcome == "short"]:
        family = sum(1 for v in ev.verdicts.values() if v.outcome not in UNJUDGED)
        have = _fewest(ev, short)
        if have >= plan.max_rounds:
            _give_up(ev, short, f"max_rounds ({plan.max_rounds}) reached")
            return
        need = min(
            stats.rounds_for(params.alpha, family, have + 1) or plan.max_rounds, plan.max_rounds
        )
        more_head, more_base = collect(math.ceil((need - have) / plan.per_run), plan.per_run, short)
        merge(ev.head, more_head)
        merge(ev.base, more_base)
        if _fewest(ev, short) <= have:
            _give_up(ev, short, "more runs gave no more rounds")
            return
        ev.verdicts = _judge(ev, names, params, "first pass, with more rounds")


def _give_up(ev: Evaluation, names: Sequence[str], why: str) -> None:
    for n in names:
        v = ev.verdicts[n]
        ev.verdicts[n] = replace(v, outcome="inconclusive", reason=f"{v.reason}; {why}")


def _again(
    collect: Collector, names: Sequence[str], params: Params, plan: Plan
) -> dict[str, Verdict]:
    """A fresh measurement of `names` with twice the runs (so twice the rounds), judged alone."""
    runs = max(1, min(2 * plan.runs, plan.max_rounds // plan.per_run))
    head, base = collect(runs, plan.per_run, names)
    present = [n for n in names if n in head and n in base]
    return stats.judge({n: (head[n], base[n]) for n in present}, params)


def _retry_noisy(ev: Evaluation, collect: Collector, params: Params, plan: Plan) -> None:
    """A burst of load can make a stable benchmark look noisy, or its runs disagree: measure it
    once more, with twice the runs, before calling it inconclusive."""
    noisy = [n for n, v in ev.verdicts.items() if v.outcome in ("noisy", "unsure")]
    if not noisy:
        return
    second = _again(collect, noisy, params, plan)
    for n in noisy:
        first, fresh = ev.verdicts[n], second.get(n)
        if fresh is None or fresh.outcome in UNJUDGED:
            why = fresh.reason if fresh else "it did not run"
            ev.verdicts[n] = replace(
                fresh or first,
                outcome="inconclusive",
                reason=f"{first.reason}; measured again: {why}",
            )
        else:
            ev.verdicts[n] = replace(
                fresh,
                reason=f"{fresh.reason} (measured again after: {first.reason})",
                how=f"a fresh measurement with twice the runs (first pass: {first.outcome})",
            )


def _confirm(ev: Evaluation, collect: Collector, params: Params, plan: Plan) -> None:
    suspects = [n for n, v in ev.verdicts.items() if v.outcome == "suspect"]
    if not suspects:
        return
    second = _again(collect, suspects, params, plan)
    for n in suspects:
        ev.verdicts[n] = _settle(ev.verdicts[n], second.get(n))


def _settle(first: Verdict, second: Verdict | None) -> Verdict:
    """The confirmation run's verdict decides a suspect; the first run is kept in the reason."""
    if second is None:
        return replace(
            first, outcome="inconclusive", reason=f"{first.reason}; the confirmation run lost it"
        )
    if second.outcome == "regressed":
        return replace(
            second,
            reason=f"{second.reason} (confirmed by a re-run; first run: {first.describe()})",
            how="a confirmation re-run with twice the runs (first pass: suspect)",
        )
    if second.outcome == "ok":
        return replace(
            second,
            reason=f"not confirmed by a re-run ({second.reason}); first run: {first.describe()}",
            how="a confirmation re-run with twice the runs (first pass: suspect)",
        )
    return replace(
        second,
        outcome="inconclusive",
        reason=f"suspected ({first.describe()}), the re-run could not judge: {second.reason}",
    )
