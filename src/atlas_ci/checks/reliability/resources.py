"""Endurance judgement: resource slopes after the warm-up, and p95 drift first vs last window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from atlas_ci.checks.reliability.sampler import Sample
from atlas_ci.checks.reliability.settings import EnduranceSettings
from atlas_ci.checks.reliability.stats import HistoryRow
from atlas_ci.checks.reliability.trend import Slope, median, theil_sen
from atlas_ci.errors import CheckError
from atlas_ci.model import Metric

MIN_SAMPLES = 5
# The share of the post-warm-up run that forms the "first" and the "last" latency windows.
WINDOW = 0.2


@dataclass
class Verdict:
    metrics: list[Metric] = field(default_factory=list)
    # (rule id, message) of each breach
    breaches: list[tuple[str, str]] = field(default_factory=list)


def after_warmup(samples: Sequence[Sample], start: float) -> list[Sample]:
    kept = [s for s in samples if s.t >= start]
    if len(kept) < MIN_SAMPLES:
        raise CheckError(
            f"only {len(kept)} resource samples after the warm-up (need {MIN_SAMPLES}): "
            "lengthen `duration` or shorten `sample_interval`"
        )
    return kept


def judge_resources(samples: Sequence[Sample], s: EnduranceSettings, verdict: Verdict) -> None:
    t = [x.t for x in samples]
    series = (
        ("memory", f"MB/h ({s.memory})", [x.memory_mb for x in samples], s.max_memory_growth),
        ("fds", "fds/h", [float(x.fds) for x in samples], s.max_fd_growth),
        ("threads", "threads/h", [float(x.threads) for x in samples], s.max_thread_growth),
    )
    for what, unit, values, limit in series:
        slope = theil_sen(t, values)
        verdict.metrics += _slope_metrics(what, unit, slope, limit)
        if slope.low > limit:
            verdict.breaches.append(
                (
                    f"endurance.{what}-growth",
                    f"{what} grows {slope.per_hour:.4g} {unit} (95% CI {slope.low:.4g} to "
                    f"{slope.high:.4g}) > {limit:g}: from {values[0]:.4g} to {values[-1]:.4g} "
                    f"in {t[-1] - t[0]:.0f} s",
                )
            )


def _slope_metrics(what: str, unit: str, slope: Slope, limit: float) -> list[Metric]:
    return [
        Metric(name=f"{what} slope", value=round(slope.per_hour, 4), unit=unit),
        # The lower bound is what is judged: growth is only called growth when it is certain.
        Metric(
            name=f"{what} slope 95% low",
            value=round(slope.low, 4),
            unit=unit,
            threshold=limit,
            direction="max",
        ),
        Metric(name=f"{what} slope 95% high", value=round(slope.high, 4), unit=unit),
    ]


def _windows(history: Sequence[HistoryRow], warmup: float) -> tuple[float, float]:
    """Median p95 of the first and of the last window after the warm-up."""
    if not history:
        raise CheckError("Locust wrote no stats history: latency over time cannot be judged")
    t0 = history[0].timestamp
    p95s = [r.p95 for r in history if r.timestamp - t0 >= warmup and r.p95 is not None]
    size = max(1, int(len(p95s) * WINDOW))
    if len(p95s) < max(2, 2 * size):
        raise CheckError(f"only {len(p95s)} seconds of latency history after the warm-up")
    return median(p95s[:size]), median(p95s[-size:])


def judge_latency(
    history: Sequence[HistoryRow], warmup: float, s: EnduranceSettings, verdict: Verdict
) -> None:
    """p95 drift between the first and last windows beyond the limit (and the floor) fails."""
    first, last = _windows(history, warmup)
    drift = (last - first) / first if first > 0 else 0.0
    verdict.metrics += [
        Metric(name="p95 first window", value=first, unit="ms"),
        Metric(name="p95 last window", value=last, unit="ms"),
        Metric(
            name="p95 drift", value=round(drift, 4), threshold=s.max_latency_drift, direction="max"
        ),
    ]
    if drift > s.max_latency_drift and last - first > s.min_latency_drift_ms:
        verdict.breaches.append(
            (
                "endurance.latency-drift",
                f"p95 drifted {drift:+.0%} ({first:g} ms in the first window, {last:g} ms in "
                f"the last) > {s.max_latency_drift:.0%}",
            )
        )
