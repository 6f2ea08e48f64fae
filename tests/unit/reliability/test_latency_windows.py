"""The p95 drift is judged only on windows whose requests do not overlap in Locust's history."""

from __future__ import annotations

import pytest

from atlas_ci.checks.reliability import resources
from atlas_ci.checks.reliability.settings import EnduranceSettings
from atlas_ci.checks.reliability.stats import HistoryRow
from atlas_ci.errors import CheckError


def history(p95s: list[float | None]) -> list[HistoryRow]:
    return [
        HistoryRow(timestamp=1_000.0 + i, users=4, rps=100.0, failures_per_s=0.0, p95=p)
        for i, p in enumerate(p95s)
    ]


def judge(p95s: list[float | None], warmup: float = 0.0) -> resources.Verdict:
    verdict = resources.Verdict()
    resources.judge_latency(history(p95s), warmup, EnduranceSettings(locustfile="l.py"), verdict)
    return verdict


def metric(verdict: resources.Verdict, name: str) -> float:
    return next(m.value for m in verdict.metrics if m.name == name)


def test_a_sustained_drift_over_apart_windows_fails() -> None:
    verdict = judge([20.0] * 20 + [60.0] * 21)  # 40 s of history: windows 10 s each, 20 s apart
    assert [rule for rule, _ in verdict.breaches] == ["endurance.latency-drift"]
    assert metric(verdict, "p95 first window") == 20.0
    assert metric(verdict, "p95 last window") == 60.0
    assert not verdict.notes


def test_a_spike_shorter_than_half_the_last_window_does_not_fail() -> None:
    # 4 slow rows in an 11-row last window: the window's median is the service's usual p95.
    verdict = judge([20.0] * 37 + [200.0] * 4)
    assert not verdict.breaches
    assert metric(verdict, "p95 drift") == 0.0


def test_drift_under_the_floor_of_milliseconds_does_not_fail() -> None:
    verdict = judge([4.0] * 20 + [12.0] * 21)  # +200%, but 8 ms < min_latency_drift_ms (10)
    assert not verdict.breaches


def test_overlapping_windows_are_reported_not_judged() -> None:
    verdict = judge([20.0] * 10 + [90.0] * 15)  # 24 s: the last window reaches into the first
    assert not verdict.breaches
    ((rule, message),) = verdict.notes
    assert rule == "endurance.latency-not-judged"
    assert "24 s of latency history" in message
    drift = next(m for m in verdict.metrics if m.name == "p95 drift")
    assert drift.value == 3.5
    assert drift.threshold is None


def test_the_warm_up_and_rows_without_p95_are_left_out() -> None:
    # The slow warm-up (first 10 s) and the rows Locust had no p95 for are not the first window.
    verdict = judge([500.0] * 10 + [None] * 3 + [20.0] * 41, warmup=10.0)
    assert metric(verdict, "p95 first window") == 20.0
    assert not verdict.breaches


def test_no_history_after_the_warm_up_is_an_error() -> None:
    with pytest.raises(CheckError, match="latency history after the warm-up"):
        judge([20.0] * 5, warmup=10.0)
    with pytest.raises(CheckError, match="no stats history"):
        judge([])
