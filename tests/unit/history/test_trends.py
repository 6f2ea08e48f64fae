"""Trends over the history: success rates, flakiness, sparklines and 'worsened beyond noise'."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from atlas_ci import trends, trends_render
from atlas_ci.history import CheckRecord, MetricRecord, RunRecord
from atlas_ci.model import Status

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "history-summary.schema.json"


def run(
    i: int, lint: Status, *, commit: str = "c1", cov: float = 90.0, duration: float = 1.0
) -> RunRecord:
    return RunRecord(
        time=f"2026-11-{10 + i:02d}T00:00:00+00:00",
        commit=commit,
        status=Status.FAILED if lint is Status.FAILED else Status.PASSED,
        duration=duration,
        checks=(
            CheckRecord(check="quality.lint", gate="quality", status=lint, duration=duration),
            CheckRecord(
                check="tests.coverage",
                gate="tests",
                status=Status.PASSED,
                duration=2.0,
                metrics=(MetricRecord(name="coverage", value=cov, unit="%", direction="min"),),
            ),
        ),
    )


def five_runs() -> list[RunRecord]:
    statuses = [Status.PASSED, Status.FAILED, Status.FAILED, Status.PASSED, Status.PASSED]
    return [run(i, s, cov=80.0 + i) for i, s in enumerate(statuses)]


def test_success_rates_and_the_flaky_check() -> None:
    summary = trends.summarize(five_runs())
    by = {c.check: c for c in summary.checks}
    assert by["quality.lint"].success_rate == 0.6
    assert by["quality.lint"].flaky
    assert by["quality.lint"].flaky_commits == ("c1",)
    assert by["tests.coverage"].success_rate == 1.0
    assert not by["tests.coverage"].flaky
    assert summary.success_rate == 0.6
    assert {g.gate: g.success_rate for g in summary.gates} == {"quality": 0.6, "tests": 1.0}


def test_failing_on_one_commit_and_passing_on_the_next_is_not_flaky() -> None:
    runs = [run(0, Status.FAILED, commit="a"), run(1, Status.PASSED, commit="b")]
    (lint, _) = trends.summarize(runs).checks
    assert not lint.flaky


def test_sparkline_follows_the_values() -> None:
    assert trends.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert trends.sparkline([5, 5, 5]) == "▅▅▅"
    assert trends.sparkline([]) == ""
    summary = trends.summarize(five_runs())
    cov = next(c for c in summary.checks if c.check == "tests.coverage").metrics[0]
    assert cov.series.values == (80.0, 81.0, 82.0, 83.0, 84.0)
    assert cov.series.sparkline == "▁▃▅▆█"


def test_a_clear_slowdown_is_flagged_and_noise_is_not() -> None:
    steady = [1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 1.0, 1.02, 0.98]
    slower = [1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 3.0, 3.2, 3.1]
    assert not trends.worsened(steady, "max")
    assert trends.worsened(slower, "max")
    # Coverage falling (higher is better) is the worsening; rising is not.
    assert trends.worsened([90, 91, 90, 91, 90, 91, 70, 71, 70], "min")
    assert not trends.worsened([70, 71, 70, 71, 70, 71, 90, 91, 90], "min")
    # Five points cannot show a trend beyond noise.
    assert not trends.worsened([1, 1, 1, 9, 9], "max")


def test_window_selection_by_runs_and_days() -> None:
    runs = five_runs()
    now = datetime(2026, 11, 15, tzinfo=UTC)
    assert len(trends.select(runs, last=2, days=None, now=now)) == 2
    assert [r.time[:10] for r in trends.select(runs, last=None, days=2.5, now=now)] == [
        "2026-11-13",
        "2026-11-14",
    ]


def test_json_output_validates_against_the_documented_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    assert schema == trends.Summary.model_json_schema(), "docs schema out of date"
    doc = json.loads(trends_render.json_text(trends.summarize(five_runs(), ["w"])))
    jsonschema.validate(doc, schema)
    assert doc["schema_version"] == trends.SUMMARY_SCHEMA


def test_text_and_markdown_show_rates_flakiness_and_sparklines() -> None:
    summary = trends.summarize(five_runs())
    out = trends_render.text(summary)
    assert "quality.lint" in out
    assert "60%" in out
    assert "yes" in out  # flaky column
    assert "▁▃▅▆█" in out
    md = trends_render.markdown(summary)
    assert "| quality.lint | 5 | 60% | yes |" in md
