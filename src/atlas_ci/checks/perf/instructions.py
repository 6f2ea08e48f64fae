"""timer = "instructions": instruction counts per call, head against base, no statistics needed.

Each side is measured twice (perf.callgrind). The two counts of one side must agree within
`max_noise` (default 0.1%): the same program with a fixed hash seed executes the same instructions
to the unit, so a larger difference means the benchmark is not deterministic (it reads the clock,
the network, random state not seeded...) and the benchmark cannot be judged (error by default).
Otherwise the ratio of the smaller counts, head / base, above 1 + min_effect (default 2% for this
timer) is a regression; at or below it, none. All four runs (two per side) go at once: the counts
do not depend on the machine's load, so concurrency costs no accuracy, and on a busy machine four
processes get a larger share of the CPUs than two (Atlas's benchmarks with two CPU burners running
on two cores: 73.6 s two at a time).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.perf.callgrind import CountRun, run_counts
from atlas_ci.checks.perf.compare import Evaluation
from atlas_ci.checks.perf.runs import Samples, Side
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.stats import Sample, Verdict

MEASUREMENTS = 2
UNIT = "instructions"
HOW = "head/base ratio of the counts against 1 + min_effect"
# A job measuring one side once: (side, its targets, a tag naming its files) -> counts
Measure = Callable[[Side, Sequence[str], str], CountRun]


def counts_sample(counts: Sequence[int]) -> Sample:
    """The measurements of one benchmark on one side, one "run" each."""
    return Sample(tuple((float(c),) for c in counts))


def spread(sample: Sample) -> float:
    low, high = min(sample.times), max(sample.times)
    return (high - low) / low if low > 0 else math.inf


def judge_counts(
    pairs: Mapping[str, tuple[Sample, Sample]], *, min_effect: float, max_noise: float
) -> dict[str, Verdict]:
    return {n: _judge(h, b, min_effect, max_noise) for n, (h, b) in pairs.items()}


def _judge(head: Sample, base: Sample, min_effect: float, max_noise: float) -> Verdict:
    h, b = min(head.times), min(base.times)
    ratio = h / b if b > 0 else math.inf
    v = Verdict("ok", "", h, b, head.n, base.n, ratio, unit=UNIT, how=HOW)
    for label, side in (("head", head), ("base", base)):
        if spread(side) > max_noise:
            counts = " and ".join(f"{int(t):,}" for t in side.times)
            return v.but(
                "inconclusive",
                f"{label}'s measurements differ: {counts} instructions ({spread(side):.3%} > "
                f"{max_noise:.1%}); the benchmark is not deterministic",
            )
    threshold = 1 + min_effect
    if ratio > threshold:
        return v.but("regressed", f"more instructions: {v.describe()} > {threshold:.4g}")
    return v.but("ok", f"no growth past {threshold:.4g}: {v.describe()}")


def measure_sides(
    measure: Measure, sides: Sequence[tuple[Side, Sequence[str]]]
) -> tuple[dict[str, Samples], list[str]]:
    """Every side measured MEASUREMENTS times, all at once; samples per side label."""
    jobs = [
        (side, targets, f"{side.label}-{i}") for i in range(MEASUREMENTS) for side, targets in sides
    ]
    with cf.ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        runs = list(pool.map(lambda job: (job[0].label, measure(*job)), jobs))
    return tally([side.label for side, _ in sides], runs)


def tally(
    labels: Sequence[str], runs: Sequence[tuple[str, CountRun]]
) -> tuple[dict[str, Samples], list[str]]:
    """The runs' counts gathered per side label and benchmark, and their distinct notes."""
    counts: dict[str, dict[str, list[int]]] = {label: {} for label in labels}
    notes = []
    for label, run in runs:
        for name, value in run.counts.items():
            counts[label].setdefault(name, []).append(value)
        if run.note and run.note not in notes:
            notes.append(run.note)
    samples = {
        label: {n: counts_sample(c) for n, c in by_name.items()}
        for label, by_name in counts.items()
    }
    return samples, notes


def evaluate(
    head: Samples, base: Samples, *, min_effect: float, max_noise: float, notes: Sequence[str] = ()
) -> Evaluation:
    common = [n for n in head if n in base]
    # A benchmark measured only once on a side (its second run lost it) cannot show agreement.
    pairs = {n: (head[n], base[n]) for n in common}
    ev = Evaluation(
        judge_counts(pairs, min_effect=min_effect, max_noise=max_noise),
        head,
        base,
        new=[n for n in head if n not in base],
        gone=[n for n in base if n not in head],
        notes=list(notes),
        unit=UNIT,
    )
    for name, (h, b) in pairs.items():
        if min(h.n, b.n) < MEASUREMENTS:
            ev.verdicts[name] = ev.verdicts[name].but(
                "inconclusive", f"measured {h.n} time(s) on head, {b.n} on base (need 2 each)"
            )
    return ev


def relative(
    ctx: CheckContext,
    sides: tuple[Side, Side],
    targets: Mapping[str, Sequence[str]],
    *,
    settings: BenchmarkSettings,
    workdir: Path,
) -> Evaluation:
    """Head against a live base, both from their own trees."""

    def measure(side: Side, chosen: Sequence[str], tag: str) -> CountRun:
        return run_counts(ctx, side, chosen, settings=settings, workdir=workdir, tag=tag)

    samples, notes = measure_sides(measure, [(s, targets[s.label]) for s in sides])
    return evaluate(
        samples["head"],
        samples["base"],
        min_effect=settings.effect("instructions"),
        max_noise=settings.max_noise,
        notes=notes,
    )
