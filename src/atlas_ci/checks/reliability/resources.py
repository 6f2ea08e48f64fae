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
# Seconds of requests behind each p95 of Locust's history
# (locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW).
LOCUST_PERCENTILE_WINDOW = 10


@dataclass
class Verdict:
    metrics: list[Metric] = field(default_factory=list)
    # (rule id, message) of each breach
    breaches: list[tuple[str, str]] = field(default_factory=list)
    # (rule id, message) of what was not judged, and why: reported, never blocking
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Windows:
    first: float
    last: float
    # The last window's requests start after the first window's end: the two may be compared.
    apart: bool
    span: float


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


def _latency_rows(history: Sequence[HistoryRow], warmup: float) -> list[tuple[float, float]]:
    """(seconds since the start, p95) of the rows after the warm-up that have a p95."""
    if not history:
        raise CheckError("Locust wrote no stats history: latency over time cannot be judged")
    t0 = history[0].timestamp
    rows = [(r.timestamp - t0, r.p95) for r in history if r.p95 is not None]
    kept = [(t, p95) for t, p95 in rows if t >= warmup]
    if len(kept) < 2:
        raise CheckError(f"only {len(kept)} seconds of latency history after the warm-up")
    return kept


def _windows(history: Sequence[HistoryRow], warmup: float) -> Windows:
    """Median p95 of the first and of the last window after the warm-up, if they are apart.

    Each row's p95 covers Locust's recent window (about the last 10 s), so a row's value also
    holds requests from before the row. The first and last windows are compared only when the
    last one's rows reach back to no request of the first one; otherwise the two medians share
    their requests and a difference between them is the machine's noise, not the service's drift.
    """
    rows = _latency_rows(history, warmup)
    start, end = rows[0][0], rows[-1][0]
    width = max(WINDOW * (end - start), LOCUST_PERCENTILE_WINDOW)
    first = [p95 for t, p95 in rows if t <= start + width]
    last = [p95 for t, p95 in rows if t >= end - width]
    apart = end - start >= 2 * width + LOCUST_PERCENTILE_WINDOW
    return Windows(median(first), median(last), apart, end - start)


def judge_latency(
    history: Sequence[HistoryRow], warmup: float, s: EnduranceSettings, verdict: Verdict
) -> None:
    """p95 drift between the first and last windows beyond the limit (and the floor) fails."""
    w = _windows(history, warmup)
    first, last = w.first, w.last
    drift = (last - first) / first if first > 0 else 0.0
    verdict.metrics += [
        Metric(name="p95 first window", value=first, unit="ms"),
        Metric(name="p95 last window", value=last, unit="ms"),
        Metric(
            name="p95 drift",
            value=round(drift, 4),
            # Only a judged drift carries its limit: an unjudged one must not look checked.
            threshold=s.max_latency_drift if w.apart else None,
            direction="max" if w.apart else None,
        ),
    ]
    if not w.apart:
        # History rows stop a second or two before the run does.
        need = (3 * LOCUST_PERCENTILE_WINDOW + 2) / (1 - s.warmup)
        verdict.notes.append(
            (
                "endurance.latency-not-judged",
                f"p95 drift not judged: {w.span:.0f} s of latency history after the warm-up, "
                f"and windows whose requests do not overlap need {3 * LOCUST_PERCENTILE_WINDOW} s "
                f"(Locust's p95 covers the last {LOCUST_PERCENTILE_WINDOW} s): a `duration` of at "
                f"least {need:.0f} s judges it",
            )
        )
        return
    if drift > s.max_latency_drift and last - first > s.min_latency_drift_ms:
        verdict.breaches.append(
            (
                "endurance.latency-drift",
                f"p95 drifted {drift:+.0%} ({first:g} ms in the first window, {last:g} ms in "
                f"the last) > {s.max_latency_drift:.0%}",
            )
        )
