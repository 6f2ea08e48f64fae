"""`history import` of gh's run list, and the HTML page's content (pure render)."""

from __future__ import annotations

import json

import pytest

from atlas_ci import history_import
from atlas_ci.errors import ConfigError
from atlas_ci.history import CheckRecord, MetricRecord, RunRecord
from atlas_ci.model import CheckResult, Finding, GateResult, Location, Report, Status
from atlas_ci.reporters import html

GH = [
    {
        "databaseId": 1,
        "workflowName": "CI",
        "conclusion": "success",
        "status": "completed",
        "createdAt": "2026-11-01T10:00:00Z",
        "updatedAt": "2026-11-01T10:05:00Z",
        "headSha": "a1",
        "headBranch": "main",
    },
    {
        "databaseId": 2,
        "workflowName": "CI",
        "conclusion": "failure",
        "status": "completed",
        "createdAt": "2026-11-02T10:00:00Z",
        "updatedAt": "2026-11-02T10:01:30Z",
        "headSha": "a2",
        "headBranch": "main",
        "event": "push",
    },
    {
        "databaseId": 3,
        "workflowName": "CI",
        "conclusion": None,
        "status": "in_progress",
        "createdAt": "2026-11-03T10:00:00Z",
    },
]


def test_gh_runs_become_workflow_records_once() -> None:
    runs = history_import.parse(json.dumps(GH), "runs.json")
    new = history_import.new_records(runs, [])
    assert [(r.run_id, r.status, r.duration) for r in new] == [
        ("1", Status.PASSED, 300.0),
        ("2", Status.FAILED, 90.0),
    ]
    assert history_import.new_records(runs, new) == []


def test_not_gh_output_is_a_config_error_naming_the_file() -> None:
    with pytest.raises(ConfigError, match=r"runs\.json.*not `gh run list --json` output"):
        history_import.parse('{"runs": 1}', "runs.json")


def records(n: int) -> list[RunRecord]:
    return [
        RunRecord(
            time=f"2026-11-{10 + i}T00:00:00+00:00",
            status=Status.PASSED,
            duration=10.0 + i,
            checks=(
                CheckRecord(
                    check="quality.lint",
                    gate="quality",
                    status=Status.FAILED if i in (1, 2) else Status.PASSED,
                ),
                CheckRecord(
                    check="tests.coverage",
                    gate="tests",
                    status=Status.PASSED,
                    metrics=(MetricRecord(name="coverage", value=80 + i, unit="%"),),
                ),
            ),
        )
        for i in range(n)
    ]


def test_each_chart_has_one_point_per_run_and_text_is_escaped() -> None:
    finding = Finding(
        check="quality.lint",
        tool="ruff",
        rule_id="E501",
        message="<script>alert(1)</script>",
        location=Location(path="src/a.py", start_line=2),
    )
    check = CheckResult(
        check="quality.lint", gate="quality", status=Status.FAILED, findings=(finding,)
    )
    rep = Report(
        tool_version="0.1",
        config_digest="d",
        started_at="2026-11-30T00:00:00+00:00",
        duration=1.0,
        status=Status.FAILED,
        gates=(GateResult(gate="quality", status=Status.FAILED, checks=(check,)),),
    )
    page = html.render(rep, records(5), {"src/a.py": {1: "x = 1", 2: "y = '<b>'", 3: "z"}})
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert page.count('<svg class="chart"') == 3
    assert page.count('class="point"') == 15
    assert "y = &#x27;&lt;b&gt;&#x27;" in page
    assert "http" not in page.replace("https://schema.org", "")  # no network references
