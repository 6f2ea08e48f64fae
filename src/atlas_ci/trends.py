"""What the run history says: success rates, flaky checks, durations and metric trends.

"Worsened" is decided with the perf gate's rank test, never by eye: the latest third of a series
is compared with the runs before it (one-sided Mann-Whitney U, p < `ALPHA`) and must also have
moved by more than `MIN_SHIFT` of the earlier median, so a quiet series with one slow run, or a
significant but negligible drift, is not flagged. With fewer than `MIN_POINTS` values nothing is
flagged: five runs cannot show a trend beyond noise.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from atlas_ci.history import CheckRecord, RunRecord
from atlas_ci.model import Status, worst

SUMMARY_SCHEMA = 1
ALPHA = 0.05
MIN_SHIFT = 0.10
MIN_POINTS = 6
BARS = "▁▂▃▄▅▆▇█"
JUDGED = (Status.PASSED, Status.FAILED, Status.ERROR)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Series(_Frozen):
    values: tuple[float, ...]
    sparkline: str
    latest: float | None
    p50: float | None
    p95: float | None
    worsened: bool


class MetricTrend(_Frozen):
    name: str
    unit: str
    direction: str | None
    series: Series


class CheckTrend(_Frozen):
    check: str
    gate: str
    runs: int
    passed: int
    failed: int
    error: int
    skipped: int
    success_rate: float | None
    flaky: bool
    flaky_commits: tuple[str, ...]
    duration: Series
    metrics: tuple[MetricTrend, ...]


class GateTrend(_Frozen):
    gate: str
    runs: int
    success_rate: float | None


class WorkflowTrend(_Frozen):
    name: str
    runs: int
    success_rate: float | None
    duration: Series


class Summary(_Frozen):
    schema_version: int = SUMMARY_SCHEMA
    runs: int
    since: str | None
    until: str | None
    success_rate: float | None
    gates: tuple[GateTrend, ...]
    checks: tuple[CheckTrend, ...]
    workflows: tuple[WorkflowTrend, ...]
    warnings: tuple[str, ...] = ()


def _within(records: Sequence[RunRecord], days: float, now: datetime) -> list[RunRecord]:
    cutoff = now - timedelta(days=days)
    return [r for r in records if r.when >= cutoff]


def select(
    records: Sequence[RunRecord], *, last: int | None, days: float | None, now: datetime
) -> list[RunRecord]:
    """Gate runs in the window: the last `last` runs and/or those of the last `days` days."""
    chosen = list(records) if days is None else _within(records, days, now)
    if last is None:
        return chosen
    gate_runs = [r for r in chosen if r.kind == "gate"]
    keep = {id(r) for r in gate_runs[-last:]}
    return [r for r in chosen if r.kind != "gate" or id(r) in keep]


def sparkline(values: Sequence[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low
    if span == 0:
        return BARS[len(BARS) // 2] * len(values)
    return "".join(BARS[round((v - low) / span * (len(BARS) - 1))] for v in values)


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    lower = int(rank)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


def worsened(values: Sequence[float], direction: str | None) -> bool:
    """Did the latest third get worse than the runs before it, beyond the series' own noise?"""
    if direction is None or len(values) < MIN_POINTS:
        return False
    cut = len(values) - max(2, len(values) // 3)
    earlier, latest = list(values[:cut]), list(values[cut:])
    if direction == "min":  # higher is better: a drop is the worsening
        earlier, latest = [-v for v in earlier], [-v for v in latest]
    before = statistics.median(earlier)
    shift = statistics.median(latest) - before
    if shift <= abs(before) * MIN_SHIFT or shift <= 0:
        return False
    from atlas_ci.checks.perf.stats import mwu_p

    return mwu_p(latest, earlier) < ALPHA


def series(values: Sequence[float], direction: str | None) -> Series:
    return Series(
        values=tuple(values),
        sparkline=sparkline(values),
        latest=values[-1] if values else None,
        p50=percentile(values, 0.5),
        p95=percentile(values, 0.95),
        worsened=worsened(values, direction),
    )


def _rate(statuses: Sequence[Status]) -> float | None:
    judged = [s for s in statuses if s in JUDGED]
    if not judged:
        return None
    return round(sum(1 for s in judged if s is Status.PASSED) / len(judged), 4)


def flaky_commits(runs: Sequence[tuple[str | None, Status]]) -> tuple[str, ...]:
    """Commits on which the check failed (or errored) and later passed: the same code, two
    verdicts."""
    bad: set[str] = set()
    flaky: list[str] = []
    for commit, status in runs:
        if commit is None:
            continue
        if status in (Status.FAILED, Status.ERROR):
            bad.add(commit)
        elif status is Status.PASSED and commit in bad and commit not in flaky:
            flaky.append(commit)
    return tuple(flaky)


def _metric_trends(entries: Sequence[CheckRecord]) -> tuple[MetricTrend, ...]:
    values: dict[str, list[float]] = {}
    meta: dict[str, tuple[str, str | None]] = {}
    for c in entries:
        for m in c.metrics:
            values.setdefault(m.name, []).append(m.value)
            meta[m.name] = (m.unit, m.direction)
    return tuple(
        MetricTrend(name=n, unit=meta[n][0], direction=meta[n][1], series=series(v, meta[n][1]))
        for n, v in sorted(values.items())
    )


def check_trend(check: str, runs: Sequence[RunRecord]) -> CheckTrend:
    pairs = [(r, c) for r in runs for c in r.checks if c.check == check]
    entries = [c for _, c in pairs]
    statuses = [c.status for c in entries]
    flaky = flaky_commits([(r.commit, c.status) for r, c in pairs])
    return CheckTrend(
        check=check,
        gate=entries[0].gate,
        runs=len(entries),
        passed=statuses.count(Status.PASSED),
        failed=statuses.count(Status.FAILED),
        error=statuses.count(Status.ERROR),
        skipped=statuses.count(Status.SKIPPED),
        success_rate=_rate(statuses),
        flaky=bool(flaky),
        flaky_commits=flaky,
        duration=series([c.duration for c in entries if c.status in JUDGED], "max"),
        metrics=_metric_trends(entries),
    )


def _gate_trends(runs: Sequence[RunRecord]) -> tuple[GateTrend, ...]:
    gates: dict[str, list[Status]] = {}
    for r in runs:
        per_gate: dict[str, list[Status]] = {}
        for c in r.checks:
            per_gate.setdefault(c.gate, []).append(c.status)
        for gate, statuses in per_gate.items():
            gates.setdefault(gate, []).append(worst(statuses))
    return tuple(GateTrend(gate=g, runs=len(s), success_rate=_rate(s)) for g, s in gates.items())


def _workflow_trends(runs: Sequence[RunRecord]) -> tuple[WorkflowTrend, ...]:
    by_name: dict[str, list[RunRecord]] = {}
    for r in runs:
        by_name.setdefault(r.name or "workflow", []).append(r)
    return tuple(
        WorkflowTrend(
            name=name,
            runs=len(rs),
            success_rate=_rate([r.status for r in rs]),
            duration=series([r.duration for r in rs if r.status in JUDGED], "max"),
        )
        for name, rs in sorted(by_name.items())
    )


def summarize(records: Sequence[RunRecord], warnings: Sequence[str] = ()) -> Summary:
    gate_runs = [r for r in records if r.kind == "gate"]
    names = list(dict.fromkeys(c.check for r in gate_runs for c in r.checks))
    first, final = (gate_runs[0].time, gate_runs[-1].time) if gate_runs else (None, None)
    return Summary(
        runs=len(gate_runs),
        since=first,
        until=final,
        success_rate=_rate([r.status for r in gate_runs]),
        gates=_gate_trends(gate_runs),
        checks=tuple(check_trend(n, gate_runs) for n in names),
        workflows=_workflow_trends([r for r in records if r.kind == "workflow"]),
        warnings=tuple(warnings),
    )
