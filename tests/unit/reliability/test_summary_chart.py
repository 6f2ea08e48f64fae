"""The Markdown summary links the endurance chart kept in the report directory."""

from __future__ import annotations

from atlas_ci.model import CheckResult, GateResult, Metric, Report, Status
from atlas_ci.reporters.markdown import render


def test_summary_links_charts_of_checks_with_metrics() -> None:
    check = CheckResult(
        check="reliability.endurance",
        gate="reliability",
        status=Status.PASSED,
        metrics=(Metric(name="memory slope", value=1.5, unit="MB/h"),),
        artifacts=("reliability/endurance.svg", "reliability/endurance-samples.json"),
    )
    report = Report(
        tool_version="0",
        config_digest="x",
        started_at="now",
        duration=1.0,
        status=Status.PASSED,
        gates=(GateResult(gate="reliability", status=Status.PASSED, checks=(check,)),),
    )
    text = render(report)
    assert "Chart: [reliability/endurance.svg](reliability/endurance.svg)" in text
    assert "endurance-samples.json](" not in text
