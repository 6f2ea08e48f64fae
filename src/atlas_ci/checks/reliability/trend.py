"""Theil-Sen slopes with their confidence interval (robust to the odd GC pause or burst)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HOUR = 3600.0


@dataclass(frozen=True)
class Slope:
    """Growth per hour: the median of pairwise slopes and its 95% confidence interval."""

    per_hour: float
    low: float
    high: float


def theil_sen(t: Sequence[float], y: Sequence[float], confidence: float = 0.95) -> Slope:
    """Slope of y over t (seconds), scaled to per hour; needs at least three points."""
    from scipy.stats import theilslopes

    if len(t) < 3:
        raise ValueError("a trend needs at least three samples")
    res = theilslopes(list(y), list(t), alpha=confidence)
    return Slope(
        per_hour=float(res.slope) * HOUR,
        low=float(res.low_slope) * HOUR,
        high=float(res.high_slope) * HOUR,
    )


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
